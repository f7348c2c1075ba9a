import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountCredentials } from '../../gateway/auth/basic-auth';
import type { Clock } from '../../gateway/clock';
import type { MessageStore } from '../store/message-store';
import { ConsoleSessions, crossSiteWrite } from './console-sessions';
import { registerConsoleRoutes } from './console-routes';
import { EventHub } from './event-hub';
import { registerEventsSocket } from './events-socket';
import { NetworkEvents } from './network-events';
import { MessageRetention } from './message-retention';

export interface SimulatorConsoleDeps {
  store: MessageStore;
  credentials: AccountCredentials;
  clock: Clock;
  /** How many messages the console lists (and the store keeps); 0 keeps all. */
  maxMessages: number;
}

/** The console: the pages at `/` and `/phones/{number}`, and the event stream at `/ws/events`. */
export class SimulatorConsole {
  readonly hub = new EventHub();
  readonly events: NetworkEvents;
  readonly retention: MessageRetention;
  readonly #sessions: ConsoleSessions;
  readonly #deps: SimulatorConsoleDeps;

  constructor(deps: SimulatorConsoleDeps) {
    this.#deps = deps;
    this.events = new NetworkEvents({ hub: this.hub, store: deps.store });
    this.#sessions = new ConsoleSessions(deps.clock);
    this.retention = new MessageRetention({ store: deps.store, clock: deps.clock, keep: deps.maxMessages });
  }

  /** Pages and the login form; each page checks credentials itself, to send a browser to the login form. */
  registerPages(app: FastifyInstance): void {
    registerConsoleRoutes(app, { credentials: this.#deps.credentials, sessions: this.#sessions, clock: this.#deps.clock, maxMessages: this.#deps.maxMessages });
  }

  /** Routes that need the API's credentials; `app` is a scope that already checks them. */
  registerAuthenticated(app: FastifyInstance): void {
    registerEventsSocket(app, this.hub);
    app.get('/api/handsets', async () => ({
      handsets: [...this.events.handsets].map(([number, connections]) => ({ number, connections })),
    }));
  }

  /** The API's auth hook asks: a console session (cookie, plus the CSRF header for changes) counts as credentials. */
  authorises(request: FastifyRequest): boolean {
    return this.#sessions.authorises(request);
  }

  /** The API's auth hook asks: a browser's request from another site that would change something. */
  refuses(request: FastifyRequest): boolean {
    return crossSiteWrite(request);
  }
}
