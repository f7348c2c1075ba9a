import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../gateway/clock';
import { CommandStatus } from '../gateway/smpp';
import { secretsEqual, type AccountCredentials } from '../gateway/auth/basic-auth';
import { listenerLimits, type ListenerLimits } from '../gateway/http/listener-limits';
import { Behaviours, type NetworkSettings } from './behaviours';
import { HandsetHub } from './handsets/handset-hub';
import { buildSimulatorHttp } from './http/http-app';
import { messageRate, type MessageRate } from './http/message-rate';
import { MessageCenter } from './message-center';
import { SmscServer, type SmscServerOptions } from './smsc/smsc-server';
import { MessageStore } from './store/message-store';
import type { VoiceSettings } from './voice/call-engine';
import { VoiceNetwork } from './voice/voice-network';
import { SimulatorConsole } from './console';

export interface SimulatorOptions {
  host: string;
  /** HTTP + WebSocket; 0 picks a free port. */
  httpPort: number;
  /** SMPP; 0 picks a free port. */
  smppPort: number;
  smppSystemId: string;
  smppPassword: string;
  credentials: AccountCredentials;
  /** Timeouts and connection cap of the HTTP listener; defaults in DEFAULT_LISTENER_LIMITS (docs/security.md). */
  listener?: Partial<ListenerLimits>;
  /** Frames one handset socket may send; defaults 50 per second, burst 100 (docs/simulator.md). */
  handsetMessageRate?: Partial<MessageRate>;
  /** SQLite file for messages; `:memory:` keeps them in memory. */
  dataFile: string;
  network?: Partial<NetworkSettings>;
  /** The SMSC's limits and timers against hostile or broken peers; defaults in docs/simulator.md. */
  smsc?: SmscLimits;
  /** Messages kept (the newest; older ones are pruned) and listed by the console; 0 keeps all. */
  maxMessages?: number;
  clock?: Clock;
  logger?: FastifyBaseLogger;
  /** Voice network settings (speech time, call waiting); realistic by default. */
  voice?: Partial<VoiceSettings>;
}

export type SmscLimits = Pick<
  SmscServerOptions,
  | 'bindTimeoutMs'
  | 'inactivityTimeoutMs'
  | 'responseTimeoutMs'
  | 'deliverWindow'
  | 'maxConnections'
  | 'maxConnectionsPerAddress'
  | 'maxBufferedBytes'
  | 'bindGuard'
  | 'refusalReportIntervalMs'
  | 'receiptRouting'
>;

export interface Simulator {
  readonly http: FastifyInstance;
  readonly smsc: SmscServer;
  readonly store: MessageStore;
  readonly behaviours: Behaviours;
  readonly hub: HandsetHub;
  readonly center: MessageCenter;
  readonly voice: VoiceNetwork;
  readonly console: SimulatorConsole;
  /** Opens the ports; resolves with the ones bound (useful with port 0). */
  start(): Promise<{ httpPort: number; smppPort: number }>;
  stop(): Promise<void>;
}

const DEFAULT_MAX_MESSAGES = 10_000;

/** Wires the SMSC, the store, the handsets and the HTTP API; opens nothing until `start`. */
export function buildSimulator(options: SimulatorOptions): Simulator {
  const clock = options.clock ?? systemClock;
  const store = MessageStore.open(options.dataFile);
  const behaviours = new Behaviours(options.network);
  const webConsole = new SimulatorConsole({ store, clock, credentials: options.credentials, maxMessages: options.maxMessages ?? DEFAULT_MAX_MESSAGES });
  const { events } = webConsole;
  const hub = new HandsetHub(events);
  // The center and the SMSC need each other: the center reaches the SMSC lazily.
  const center: MessageCenter = new MessageCenter({ store, behaviours, hub, clock, smsc: () => smsc, events });
  const smsc: SmscServer = new SmscServer({
    host: options.host,
    port: options.smppPort,
    ...options.smsc,
    clock,
    handlers: {
      authenticate(systemId, password) {
        // Both always compared, in constant time, and one status for either wrong: a refusal does not tell which system_ids exist.
        const idMatches = secretsEqual(systemId, options.smppSystemId);
        const passwordMatches = secretsEqual(password, options.smppPassword);
        return idMatches && passwordMatches ? CommandStatus.ESME_ROK : CommandStatus.ESME_RINVPASWD;
      },
      submit: (pdu, bind) => center.submit(pdu, bind),
      query: (messageId, bind) => center.query(messageId, bind),
      submitMulti: (pdu, bind) => center.submitMulti(pdu, bind),
      cancel: (pdu, bind) => center.cancel(pdu, bind),
      replace: (pdu, bind) => center.replace(pdu, bind),
    },
  });
  smsc.on('bound', (bind) => center.onBound(bind));
  events.observe(center, smsc);
  const voice = new VoiceNetwork({ clock, hub, behaviours, center, credentials: options.credentials, logger: options.logger, events, settings: options.voice });
  const http = buildSimulatorHttp({
    credentials: options.credentials,
    listener: listenerLimits(options.listener),
    logger: options.logger,
    center,
    store,
    behaviours,
    hub,
    smsc: () => smsc,
    voice,
    onCallFrame: voice.onCallFrame,
    onHandsetConnected: voice.onHandsetConnected,
    clock,
    messageRate: messageRate(options.handsetMessageRate),
    console: webConsole,
    events,
  });

  return {
    http,
    smsc,
    store,
    behaviours,
    hub,
    center,
    voice,
    console: webConsole,
    async start() {
      center.restore();
      webConsole.retention.start();
      const smppPort = await smsc.listen();
      await http.listen({ host: options.host, port: options.httpPort });
      const address = http.server.address();
      const httpPort = typeof address === 'object' && address ? address.port : options.httpPort;
      return { httpPort, smppPort };
    },
    async stop() {
      webConsole.retention.stop();
      await smsc.close();
      await http.close();
      await voice.close();
      store.close();
    },
  };
}
