import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { systemClock, type Clock, type Timer } from '../gateway/clock';
import { Gateway } from '../gateway/gateway';
import { GatewayMetrics } from '../gateway/metrics';
import { VoiceApiClient, type VoiceApiEndpoint } from '../gateway/rest/voice-api-client';
import type { SmppEndpoint } from '../gateway/smpp';
import { openDatabase, type SqliteDatabase } from '../gateway/storage/sqlite';
import type { AccountCredentials } from '../gateway/auth/basic-auth';
import { listenerLimits, type ListenerLimits } from '../gateway/http/listener-limits';
import { AbusePolicy, DEFAULT_ABUSE_SETTINGS, type AbuseSettings } from './abuse/abuse-policy';
import { CodeBook } from './codes';
import { buildVerifySurface } from './verify-surface';
import { DEFAULT_RETENTION, Retention, type RetentionSettings } from './retention';
import { loadCodeKey } from './code-key';
import { DeliveryTracker } from './delivery-tracker';
import { StatusCallbacks } from './events/status-callbacks';
import { VerificationEvents } from './events/verification-events';
import { buildMetricsHttp, type ListenAddress } from './http/metrics-app';
import { buildVerifierHttp } from './http/verifier-app';
import { hostedPagesDeps, hostedPagesSettings, type HostedPagesOptions } from './pages';
import { createSessionTokens, DEFAULT_SESSION_TOKEN_SETTINGS, type SessionTokens, type SessionTokenSettings } from './session';
import { MessageRenderer } from './message-renderer';
import { VerifierMetrics } from './metrics';
import { VerifyStore } from './store/verify-store';
import { VerificationEngine, type EngineSettings } from './verification-engine';

export interface VerifierOptions {
  host: string;
  port: number;
  /** Base URL the voice network reaches the verifier at (RCML, callbacks); default http://HOST:PORT once listening. */
  publicUrl?: string;
  credentials: AccountCredentials;
  /** Timeouts and connection cap of the HTTP listener; defaults in DEFAULT_LISTENER_LIMITS (docs/security.md). */
  listener?: Partial<ListenerLimits>;
  /** A listener of its own serving /metrics and /healthz without credentials (`--metrics-listen`); none by default. */
  metricsListen?: ListenAddress;
  dataFile: string;
  smpp?: SmppEndpoint;
  voiceApi?: VoiceApiEndpoint;
  /** Destination prefixes whose SMS go through the voice API's REST SMS resource instead of SMPP. */
  smsRestPrefixes?: string[];
  /** Server key for codes (≥ 32 bytes); when not given, the key file beside the database (verifier/code-key.ts). */
  codeKey?: Buffer;
  engine?: Partial<Omit<EngineSettings, 'publicUrl'>>;
  abuse?: Partial<AbuseSettings>;
  defaultTtlSeconds?: number;
  /** Hosted verification pages at `/` (docs/hosted-pages.md); `{ enabled: false }` turns them off. */
  hostedPages?: HostedPagesOptions;
  /** Session tokens issued by the hosted pages (docs/hosted-pages.md). */
  sessionTokens?: Partial<SessionTokenSettings>;
  /** How long finished verifications and outbox rows are kept (verifier/retention.ts). */
  retention?: Partial<RetentionSettings>;
  clock?: Clock;
  logger?: Logger;
  gatewayTuning?: { dispatcher?: { pollMs?: number; backoff?: { initialMs: number; maxMs: number; jitter: number } }; smppClient?: { reconnect?: { initialMs: number; maxMs: number; jitter: number } } };
}

export interface Verifier {
  readonly http: FastifyInstance;
  readonly engine: VerificationEngine;
  readonly gateway: Gateway;
  readonly store: VerifyStore;
  readonly db: SqliteDatabase;
  /** Issues, validates and rotates the keys of session tokens. */
  readonly sessionTokens: SessionTokens;
  /** Opens the ports; `metricsPort` when `metricsListen` is set. */
  start(): Promise<{ port: number; metricsPort?: number }>;
  stop(): Promise<void>;
}

export const DEFAULT_ENGINE_SETTINGS: Omit<EngineSettings, 'publicUrl'> = {
  smsFrom: 'Verigate',
  voiceCallerId: '+15005550006',
  voiceTimeoutSeconds: 30,
  flashcallPrefix: '+4930990',
  flashcallTimeoutSeconds: 10,
};

/** Wires storage, gateway, engine and HTTP; opens nothing until `start`. */
export function buildVerifier(options: VerifierOptions): Verifier {
  const clock = options.clock ?? systemClock;
  const db = openDatabase(options.dataFile);
  const store = new VerifyStore(db);
  const codes = new CodeBook(loadCodeKey({ given: options.codeKey, dataFile: options.dataFile, store, logger: options.logger }));
  const registry = new Registry();
  const voice = options.voiceApi ? new VoiceApiClient(options.voiceApi, { name: 'voice' }) : undefined;
  // SMS goes over SMPP unless its destination starts with one of smsRestPrefixes (or there is no SMPP link).
  const restPrefixes = voice ? (options.smsRestPrefixes ?? []) : [];
  const gateway = new Gateway({
    db,
    smpp: options.smpp,
    voice,
    smsRoutes: voice ? [voice] : [],
    routing: {
      sms: restPrefixes.map((prefix) => ({ prefix, route: voice!.name })),
      defaultSms: options.smpp ? 'smpp' : (voice?.name ?? 'smpp'),
    },
    clock,
    logger: options.logger,
    metrics: new GatewayMetrics(registry),
    // The engine and the gateway need each other: the gateway reaches the engine lazily.
    render: (row) => engine.render(row),
    dispatcher: options.gatewayTuning?.dispatcher,
    smppClient: options.gatewayTuning?.smppClient,
  });
  const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, ...options.engine, publicUrl: (options.publicUrl ?? '').replace(/\/+$/, '') };
  const callbacks = new StatusCallbacks(options.credentials.authToken, clock, options.logger);
  const surface = buildVerifySurface(db, callbacks);
  const abuse = new AbusePolicy(store, { ...DEFAULT_ABUSE_SETTINGS, ...options.abuse }, clock, surface.safeList);
  const events = new VerificationEvents(store, callbacks, surface.webhookEvents);
  const engine: VerificationEngine = new VerificationEngine({
    store,
    gateway,
    codes,
    abuse,
    clock,
    flashcallPrefix: settings.flashcallPrefix,
    renderer: new MessageRenderer({ store, codes, clock, settings }),
    delivery: new DeliveryTracker({ store, gateway, clock, events, calls: voice, logger: options.logger }),
    events,
  });
  const metrics = new VerifierMetrics(registry);
  const sessionTokens = createSessionTokens(store, clock, () => settings.publicUrl, { ...DEFAULT_SESSION_TOKEN_SETTINGS, audience: options.credentials.accountSid, ...options.sessionTokens }, codes);
  const pagesSettings = hostedPagesSettings(options.hostedPages);
  const listener = listenerLimits(options.listener);
  const http = buildVerifierHttp({
    surface,
    codes,
    store,
    engine,
    credentials: options.credentials,
    listener,
    registry,
    metrics,
    defaultTtlSeconds: options.defaultTtlSeconds ?? 600,
    publicUrl: () => settings.publicUrl,
    voiceAuthToken: options.voiceApi?.authToken ?? options.credentials.authToken,
    now: () => clock.now(),
    logger: options.logger,
    sessionTokens,
    pages: pagesSettings.enabled
      ? hostedPagesDeps({ store, engine, codes, tokens: sessionTokens, accountSid: options.credentials.accountSid, defaultTtlSeconds: options.defaultTtlSeconds ?? 600, settings: pagesSettings, clock, publicUrl: () => settings.publicUrl, metrics })
      : undefined,
  });
  const retention = new Retention({ verify: store, outbox: gateway.outbox, rateLimits: surface.rateLimits }, { ...DEFAULT_RETENTION, ...options.retention }, clock);
  let sweeper: Timer | undefined;
  const metricsHttp = options.metricsListen ? buildMetricsHttp(registry, listener) : undefined;
  const sweep = () => {
    engine.sweepExpired();
    sweeper = clock.setTimeout(sweep, 5_000);
  };

  return {
    http,
    engine,
    gateway,
    store,
    db,
    sessionTokens,
    async start() {
      gateway.start();
      sweep();
      retention.start();
      await http.listen({ host: options.host, port: options.port });
      const address = http.server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      if (!settings.publicUrl) settings.publicUrl = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
      if (!metricsHttp || !options.metricsListen) return { port };
      await metricsHttp.listen(options.metricsListen);
      const metricsAddress = metricsHttp.server.address();
      return { port, metricsPort: typeof metricsAddress === 'object' && metricsAddress ? metricsAddress.port : options.metricsListen.port };
    },
    async stop() {
      sweeper?.cancel();
      retention.stop();
      await http.close();
      await metricsHttp?.close();
      await gateway.stop();
      db.close();
    },
  };
}
