import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { systemClock, type Clock, type Timer } from '../gateway/clock';
import { Gateway } from '../gateway/gateway';
import { GatewayMetrics } from '../gateway/metrics';
import { VoiceApiClient, type VoiceApiEndpoint } from '../gateway/rest/voice-api-client';
import type { SmppEndpoint } from '../gateway/smpp';
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
import { eraseLegacyCookieKey, hostedPagesDeps, hostedPagesSettings, type HostedPagesOptions } from './pages';
import { createSessionTokens, DEFAULT_SESSION_TOKEN_SETTINGS, type SessionTokens, type SessionTokenSettings } from './session';
import { MessageRenderer } from './message-renderer';
import { VerifierMetrics } from './metrics';
import { openStorage } from './store/open-storage';
import type { VerifierStorage } from './store/storage';
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
  /** The SQLite file (or `:memory:`) the verifier opens its storage in, when `storage` is not given; its code key file sits beside it. */
  dataFile: string;
  /** PostgreSQL instead of `dataFile` (`--database`): postgres://USER:PASSWORD@HOST:PORT/DB. */
  databaseUrl?: string;
  /** Storage opened by the caller (openStorage); the verifier closes it when it stops. */
  storage?: VerifierStorage;
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
  /** Where the metrics are registered and what /metrics serves; a new Registry by default (a cluster worker's serves every worker's). */
  registry?: Registry;
  gatewayTuning?: { dispatcher?: { pollMs?: number; leaseMs?: number; backoff?: { initialMs: number; maxMs: number; jitter: number } }; smppClient?: { reconnect?: { initialMs: number; maxMs: number; jitter: number } } };
}

export interface Verifier {
  readonly http: FastifyInstance;
  readonly engine: VerificationEngine;
  readonly gateway: Gateway;
  /** The repositories and the unit of work (verifier/store/storage.ts). */
  readonly storage: VerifierStorage;
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

/**
 * Opens the storage (unless given) and wires it to the gateway, engine and HTTP; opens no socket until
 * `start`. On a failure after the storage was opened, closes it.
 */
export async function buildVerifier(options: VerifierOptions): Promise<Verifier> {
  const storage = options.storage ?? (await openStorage(options.databaseUrl ? { databaseUrl: options.databaseUrl } : { dataFile: options.dataFile }, options.logger));
  try {
    return await wire(storage, options);
  } catch (error) {
    await storage.close();
    throw error;
  }
}

async function wire(storage: VerifierStorage, options: VerifierOptions): Promise<Verifier> {
  const clock = options.clock ?? systemClock;
  const codes = new CodeBook(await loadCodeKey({ given: options.codeKey, dataFile: options.dataFile, secrets: storage.secrets, logger: options.logger }));
  const registry = options.registry ?? new Registry();
  const voice = options.voiceApi ? new VoiceApiClient(options.voiceApi, { name: 'voice' }) : undefined;
  // SMS goes over SMPP unless its destination starts with one of smsRestPrefixes (or there is no SMPP link).
  const restPrefixes = voice ? (options.smsRestPrefixes ?? []) : [];
  const gateway = new Gateway({
    outbox: storage.outbox,
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
  const surface = buildVerifySurface(storage, callbacks, options.logger);
  const abuse = new AbusePolicy({ ...DEFAULT_ABUSE_SETTINGS, ...options.abuse }, clock);
  const events = new VerificationEvents(storage, callbacks, surface.webhookEvents);
  const engine: VerificationEngine = new VerificationEngine({
    storage,
    gateway,
    codes,
    abuse,
    clock,
    flashcallPrefix: settings.flashcallPrefix,
    renderer: new MessageRenderer({ storage, codes, clock, settings }),
    delivery: new DeliveryTracker({ storage, gateway, clock, events, calls: voice, logger: options.logger }),
    events,
  });
  const metrics = new VerifierMetrics(registry);
  const sessionTokens = createSessionTokens(storage, clock, () => settings.publicUrl, { ...DEFAULT_SESSION_TOKEN_SETTINGS, audience: options.credentials.accountSid, ...options.sessionTokens }, codes);
  const pagesSettings = hostedPagesSettings(options.hostedPages);
  const listener = listenerLimits(options.listener);
  const http = buildVerifierHttp({
    surface,
    codes,
    storage,
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
      ? hostedPagesDeps({ storage, engine, codes, tokens: sessionTokens, accountSid: options.credentials.accountSid, defaultTtlSeconds: options.defaultTtlSeconds ?? 600, settings: pagesSettings, clock, publicUrl: () => settings.publicUrl, metrics })
      : undefined,
  });
  if (pagesSettings.enabled) await eraseLegacyCookieKey(storage);
  const retention = new Retention(storage, { ...DEFAULT_RETENTION, ...options.retention }, clock, options.logger);
  let sweeper: Timer | undefined;
  const metricsHttp = options.metricsListen ? buildMetricsHttp(registry, listener) : undefined;
  let running = false;
  const sweep = async () => {
    try {
      await engine.sweepExpired();
    } catch (error) {
      options.logger?.warn({ error: (error as Error).message }, 'expiry sweep failed; trying again at the next');
    }
    if (running) sweeper = clock.setTimeout(() => void sweep(), 5_000);
  };

  return {
    http,
    engine,
    gateway,
    storage,
    sessionTokens,
    async start() {
      gateway.start();
      running = true;
      void sweep();
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
      running = false;
      sweeper?.cancel();
      retention.stop();
      await http.close();
      await metricsHttp?.close();
      await gateway.stop();
      await storage.close();
    },
  };
}
