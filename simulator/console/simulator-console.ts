import type { FastifyInstance } from 'fastify';
import type { MessageStore } from '../store/message-store';
import { EventHub } from './event-hub';
import { registerEventsSocket } from './events-socket';
import { NetworkEvents } from './network-events';

export interface SimulatorConsoleDeps {
  store: MessageStore;
}

/** The console: the event stream at `/ws/events` and the pages served beside the control API. */
export class SimulatorConsole {
  readonly hub = new EventHub();
  readonly events: NetworkEvents;

  constructor(deps: SimulatorConsoleDeps) {
    this.events = new NetworkEvents({ hub: this.hub, store: deps.store });
  }

  /** Routes that need the API's credentials; `app` is a scope that already checks them. */
  registerAuthenticated(app: FastifyInstance): void {
    registerEventsSocket(app, this.hub);
  }
}
