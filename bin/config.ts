import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { VerigateError } from '../gateway/errors';
import { parseCodeKey } from '../verifier/code-key';
import { parseListenAddress } from '../verifier/http/metrics-app';

/**
 * One schema for every setting: its flag, its env var, its default and its
 * check. Precedence: flag, then env, then the --config file, then the default.
 */
type Kind = 'string' | 'port' | 'integer' | 'host';

interface SettingDef {
  flag: string;
  env: string;
  kind: Kind;
  default: string | number;
  help: string;
}

export const SETTINGS = {
  host: { flag: 'host', env: 'VERIGATE_HOST', kind: 'host', default: '127.0.0.1', help: 'address every server binds to' },
  verifyPort: { flag: 'verify-port', env: 'VERIGATE_VERIFY_PORT', kind: 'port', default: 4000, help: 'verifier HTTP port' },
  simPort: { flag: 'sim-port', env: 'VERIGATE_SIM_PORT', kind: 'port', default: 4100, help: 'simulator HTTP + WebSocket port' },
  smppPort: { flag: 'smpp-port', env: 'VERIGATE_SMPP_PORT', kind: 'port', default: 2775, help: 'simulator SMPP port' },
  smppSystemId: { flag: 'smpp-system-id', env: 'VERIGATE_SMPP_SYSTEM_ID', kind: 'string', default: 'verigate', help: 'system_id ESMEs bind with' },
  smppPassword: { flag: 'smpp-password', env: 'VERIGATE_SMPP_PASSWORD', kind: 'string', default: 'verigate', help: 'password ESMEs bind with' },
  accountSid: { flag: 'account-sid', env: 'VERIGATE_ACCOUNT_SID', kind: 'string', default: 'AC0123456789abcdef0123456789abcdef', help: 'API account SID (HTTP Basic user)' },
  authToken: { flag: 'auth-token', env: 'VERIGATE_AUTH_TOKEN', kind: 'string', default: 'verigate-dev-auth-token', help: 'API auth token (HTTP Basic password)' },
  data: { flag: 'data', env: 'VERIGATE_DATA', kind: 'string', default: '', help: 'SQLite file (":memory:" allowed)' },
  database: { flag: 'database', env: 'VERIGATE_DATABASE_URL', kind: 'string', default: '', help: "the verifier's PostgreSQL instead of --data: postgres://USER:PASSWORD@HOST:PORT/DB (needs --code-key)" },
  simData: { flag: 'sim-data', env: 'VERIGATE_SIM_DATA', kind: 'string', default: '', help: "the simulator's SQLite file (start: beside --data, NAME-simulator.db; simulator: --data)" },
  receiptDelayMs: { flag: 'receipt-delay', env: 'VERIGATE_RECEIPT_DELAY_MS', kind: 'integer', default: 1000, help: 'ms from submit to delivery receipt' },
  maxMessages: { flag: 'max-messages', env: 'VERIGATE_MAX_MESSAGES', kind: 'integer', default: 10_000, help: 'simulator messages kept (the newest; the console lists them); 0 keeps all' },
  receiptRouting: { flag: 'receipt-routing', env: 'VERIGATE_RECEIPT_ROUTING', kind: 'string', default: 'submitter', help: 'simulator: which receiver bind gets receipts and MO: submitter (the bind that sent the message) or any (round robin over the binds of the system_id)' },
  maxSubmitsPerSecond: { flag: 'max-submits-per-second', env: 'VERIGATE_MAX_SUBMITS_PER_SECOND', kind: 'integer', default: 0, help: 'SMSC throughput cap (0 = none)' },
  outboxLeaseMs: { flag: 'outbox-lease', env: 'VERIGATE_OUTBOX_LEASE_MS', kind: 'integer', default: 5_000, help: "ms a verifier holds an outbox row it is sending (renewed every fifth of it while it lives): how long another instance waits for a dead instance's rows (1000-600000)" },
  smpp: { flag: 'smpp', env: 'VERIGATE_SMPP', kind: 'string', default: '', help: "verifier's SMS route: smpp://SYSTEM_ID:PASSWORD@HOST:PORT (ssmpp:// for TLS)" },
  voiceApi: { flag: 'voice-api', env: 'VERIGATE_VOICE_API', kind: 'string', default: '', help: "verifier's voice route: http://SID:TOKEN@HOST:PORT/restcomm/2012-04-24" },
  smsRestPrefixes: { flag: 'sms-rest-prefixes', env: 'VERIGATE_SMS_REST_PREFIXES', kind: 'string', default: '', help: 'comma-separated destination prefixes whose SMS go through --voice-api instead of --smpp' },
  publicUrl: { flag: 'public-url', env: 'VERIGATE_PUBLIC_URL', kind: 'string', default: '', help: 'base URL the voice network calls back (default http://HOST:VERIFY_PORT)' },
  fraudGuard: { flag: 'fraud-guard', env: 'VERIGATE_FRAUD_GUARD', kind: 'string', default: 'on', help: 'on or off: block prefixes with many starts and few approvals' },
  fraudGuardMinStarts: { flag: 'fraud-guard-min-starts', env: 'VERIGATE_FRAUD_GUARD_MIN_STARTS', kind: 'integer', default: 100, help: 'starts to one prefix in an hour, in one service and from one origin, before the fraud guard judges it' },
  smsFrom: { flag: 'sms-from', env: 'VERIGATE_SMS_FROM', kind: 'string', default: 'Verigate', help: 'sender of SMS codes' },
  flashcallPrefix: { flag: 'flashcall-prefix', env: 'VERIGATE_FLASHCALL_PREFIX', kind: 'string', default: '+4930990', help: 'flash calls come from this prefix + the code' },
  pages: { flag: 'pages', env: 'VERIGATE_PAGES', kind: 'string', default: 'on', help: 'on or off: the hosted verification pages at /' },
  pagesServiceName: { flag: 'pages-service-name', env: 'VERIGATE_PAGES_SERVICE_NAME', kind: 'string', default: 'Verigate', help: 'the name the hosted pages put in their codes' },
  retentionDays: { flag: 'retention-days', env: 'VERIGATE_RETENTION_DAYS', kind: 'integer', default: 30, help: 'days finished verifications and sent outbox rows are kept (0 keeps them all)' },
  sessionTokenTtl: { flag: 'session-token-ttl', env: 'VERIGATE_SESSION_TOKEN_TTL', kind: 'integer', default: 600, help: 'seconds a hosted-pages session token (JWT) is valid' },
  codeKey: { flag: 'code-key', env: 'VERIGATE_CODE_KEY', kind: 'string', default: '', help: 'base64 server key for codes, 32+ bytes (default: a key file beside the database, DATA.key, mode 0600)' },
  workers: { flag: 'workers', env: 'VERIGATE_WORKERS', kind: 'string', default: '1', help: 'verifier processes sharing the Verify API port and the database (node:cluster): a number from 1 to 64, or "auto" for one per core (docs/scaling.md)' },
  metricsListen: { flag: 'metrics-listen', env: 'VERIGATE_METRICS_LISTEN', kind: 'string', default: '', help: 'HOST:PORT (or PORT, on 127.0.0.1) of a listener serving /metrics and /healthz without credentials; off by default, /metrics on the API takes credentials' },
  logLevel: { flag: 'log-level', env: 'VERIGATE_LOG_LEVEL', kind: 'string', default: 'info', help: 'fatal, error, warn, info, debug, trace or silent' },
} satisfies Record<string, SettingDef>;

export type SettingName = keyof typeof SETTINGS;
export type Config = {
  [K in SettingName]: (typeof SETTINGS)[K]['default'] extends number ? number : string;
};

export class ConfigError extends VerigateError {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
}

export const MAX_WORKERS = 64;

/** How many verifier processes `--workers` asks for: "auto" is one per core the process may use. */
export function workerCount(config: Pick<Config, 'workers'>): number {
  return config.workers === 'auto' ? availableParallelism() : Number(config.workers);
}

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function check(name: SettingName, raw: unknown, source: string): string | number {
  const def: SettingDef = SETTINGS[name];
  const label = source;
  if (def.kind === 'string' || def.kind === 'host') {
    if (typeof raw !== 'string' && typeof raw !== 'number') throw new ConfigError(`${label}: expected a string, got ${JSON.stringify(raw)}`);
    const value = String(raw);
    if (def.kind === 'host' && !/^[\w.:-]+$/.test(value)) throw new ConfigError(`${label}: "${value}" is not a host name or address`);
    if (name === 'receiptRouting' && value !== 'submitter' && value !== 'any') throw new ConfigError(`${label}: must be "submitter" or "any"`);
    if (name === 'logLevel' && !LOG_LEVELS.has(value)) throw new ConfigError(`${label}: "${value}" is not one of ${[...LOG_LEVELS].join(', ')}`);
    if (name === 'accountSid' && !/^AC[0-9a-f]{32}$/.test(value)) throw new ConfigError(`${label}: must be "AC" followed by 32 lowercase hex digits`);
    if (name === 'authToken' && value.length < 8) throw new ConfigError(`${label}: must be at least 8 characters`);
    if (name === 'smsRestPrefixes' && value && !/^\+\d{1,15}(,\+\d{1,15})*$/.test(value.replace(/\s/g, ''))) throw new ConfigError(`${label}: "${value}" must be prefixes like +1,+44`);
    if ((name === 'fraudGuard' || name === 'pages') && value !== 'on' && value !== 'off') throw new ConfigError(`${label}: must be "on" or "off"`);
    if (name === 'pagesServiceName' && (!value.trim() || value.length > 64)) throw new ConfigError(`${label}: 1 to 64 characters`);
    if (name === 'publicUrl' && value && !/^https?:\/\/[^\s/]+/.test(value)) throw new ConfigError(`${label}: "${value}" is not an http(s) URL`);
    if (name === 'flashcallPrefix' && !/^\+\d{1,9}$/.test(value)) throw new ConfigError(`${label}: "${value}" must be "+" and 1 to 9 digits`);
    if (name === 'metricsListen' && value && !parseListenAddress(value)) throw new ConfigError(`${label}: "${value}" must be HOST:PORT or PORT`);
    if (name === 'database' && value && !isDatabaseUrl(value)) throw new ConfigError(`${label}: must be a postgres:// URL with a host and a database name`);
    if (name === 'workers' && value !== 'auto' && !(/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_WORKERS)) throw new ConfigError(`${label}: "${value}" must be a number from 1 to ${MAX_WORKERS}, or "auto"`);
    if (name === 'codeKey' && value && !parseCodeKey(value)) throw new ConfigError(`${label}: must be base64 of at least 32 bytes`);
    return value;
  }
  const text = String(raw).trim();
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) throw new ConfigError(`${label}: "${String(raw)}" is not a whole number`);
  if (def.kind === 'port' && value > 65535) throw new ConfigError(`${label}: ${value} is not a port (0-65535)`);
  if (name === 'sessionTokenTtl' && (value < 10 || value > 86_400)) throw new ConfigError(`${label}: ${value} is outside 10..86400 seconds`);
  if (name === 'outboxLeaseMs' && (value < 1_000 || value > 600_000)) throw new ConfigError(`${label}: ${value} is outside 1000..600000 ms`);
  if (name === 'fraudGuardMinStarts' && value < 1) throw new ConfigError(`${label}: at least 1`);
  return value;
}

/** postgres:// or postgresql:// with a host and a database name. */
function isDatabaseUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '' && url.pathname.length > 1;
}

export interface ConfigSources {
  flags: Record<string, string | boolean | undefined>;
  env: NodeJS.ProcessEnv;
  /** Defaults that differ per command (e.g. the data file of `start`). */
  defaults?: Partial<Record<SettingName, string | number>>;
}

export function loadConfig({ flags, env, defaults = {} }: ConfigSources): Config {
  const file = readConfigFile(typeof flags['config'] === 'string' ? flags['config'] : env['VERIGATE_CONFIG']);
  const config: Record<string, string | number> = {};
  for (const [name, def] of Object.entries(SETTINGS) as [SettingName, SettingDef][]) {
    const flag = flags[def.flag];
    if (flag === true) throw new ConfigError(`--${def.flag}: needs a value`);
    if (flag !== undefined) config[name] = check(name, flag, `--${def.flag}`);
    else if (env[def.env] !== undefined && env[def.env] !== '') config[name] = check(name, env[def.env], def.env);
    else if (file[name] !== undefined) config[name] = check(name, file[name], `config file "${name}"`);
    else config[name] = defaults[name] ?? def.default;
  }
  return config as Config;
}

function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`--config: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`--config: ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`--config: ${path} must hold a JSON object`);
  for (const key of Object.keys(parsed)) {
    if (!(key in SETTINGS)) throw new ConfigError(`--config: unknown setting "${key}" in ${path} (known: ${Object.keys(SETTINGS).join(', ')})`);
  }
  return parsed as Record<string, unknown>;
}

export function settingsHelp(): string {
  return Object.values(SETTINGS as Record<string, SettingDef>)
    .map((d) => `  --${d.flag.padEnd(24)} ${d.env.padEnd(34)} ${d.help} (default: ${d.default === '' ? 'see command' : d.default})`)
    .join('\n');
}
