import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { redactSecrets } from '../gateway/logging/redact';
import { describeEndpoint, parseSmppUrl } from '../gateway/smpp';
import { parseVoiceApiUrl } from '../gateway/rest/voice-api-client';
import { buildVerifier } from '../verifier';
import { parseCodeKey } from '../verifier/code-key';
import { parseListenAddress } from '../verifier/http/metrics-app';
import { DEFAULT_ABUSE_SETTINGS } from '../verifier/abuse/abuse-policy';
import { ConfigError, type Config } from './config';

/** A started part of the process (the simulator, the verifier, a cluster of verifiers): its banner lines and how to stop it. */
export interface Running {
  lines: string[];
  stop(): Promise<void>;
}

/** The verifier's carrier routes as URLs (`--smpp`, `--voice-api`, or the bundled simulator's in `start`). */
export interface VerifierRoutes {
  smpp?: string;
  voiceApi?: string;
}

/** The routes parsed, or a ConfigError naming the flag. */
export function parseRoutes(routes: VerifierRoutes) {
  let smpp, voiceApi;
  try {
    smpp = routes.smpp ? parseSmppUrl(routes.smpp) : undefined;
  } catch (error) {
    throw new ConfigError(`--smpp: ${(error as Error).message}`);
  }
  try {
    voiceApi = routes.voiceApi ? parseVoiceApiUrl(routes.voiceApi) : undefined;
  } catch (error) {
    throw new ConfigError(`--voice-api: ${(error as Error).message}`);
  }
  return { smpp, voiceApi };
}

/** One verifier (API, gateway, dispatcher, SMPP binds) in this process; `registry` for a cluster worker's metrics. */
export async function startVerifier(config: Config, logger: Logger, routes: VerifierRoutes, registry?: Registry): Promise<Running & { port: number }> {
  const { smpp, voiceApi } = parseRoutes(routes);
  const metricsListen = config.metricsListen ? parseListenAddress(config.metricsListen) : undefined;
  const verifier = await buildVerifier({
    host: config.host,
    port: config.verifyPort,
    publicUrl: config.publicUrl || undefined,
    credentials: { accountSid: config.accountSid, authToken: config.authToken },
    dataFile: config.data,
    databaseUrl: config.database || undefined,
    smpp,
    voiceApi,
    smsRestPrefixes: config.smsRestPrefixes ? config.smsRestPrefixes.replace(/\s/g, '').split(',') : [],
    codeKey: config.codeKey ? parseCodeKey(config.codeKey) : undefined,
    engine: { smsFrom: config.smsFrom, flashcallPrefix: config.flashcallPrefix },
    hostedPages: { enabled: config.pages === 'on', serviceName: config.pagesServiceName },
    sessionTokens: { ttlSeconds: config.sessionTokenTtl },
    metricsListen,
    retention: { days: config.retentionDays },
    abuse: { fraudGuard: { ...DEFAULT_ABUSE_SETTINGS.fraudGuard, enabled: config.fraudGuard === 'on', minStarts: config.fraudGuardMinStarts } },
    gatewayTuning: { dispatcher: { leaseMs: config.outboxLeaseMs } },
    registry,
    logger: logger.child({ component: 'verifier' }),
  });
  try {
    const { port, metricsPort } = await verifier.start();
    const base = `http://${config.host}:${port}`;
    return {
      port,
      lines: [
        `  Verify API        ${base}/v2/Services`,
        `  API docs          ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
        `  Metrics           ${metricsListen && metricsPort ? `http://${metricsListen.host.includes(':') ? `[${metricsListen.host}]` : metricsListen.host}:${metricsPort}/metrics (no credentials)` : `${base}/metrics`}`,
        `  SMS route         ${smpp ? describeEndpoint(smpp) : 'none (--smpp)'}`,
        `  Voice route       ${voiceApi ? redactSecrets(voiceApi.baseUrl) : 'none (--voice-api)'}`,
      ],
      stop: () => verifier.stop(),
    };
  } catch (error) {
    await verifier.stop().catch(() => undefined);
    throw error;
  }
}
