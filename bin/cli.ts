import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { buildSimulator, type ReceiptRouting } from '../simulator';
import type { Logger } from 'pino';
import { createLogger } from '../gateway/logging/logger';
import { redactSecrets } from '../gateway/logging/redact';
import { migrateDatabase } from '../verifier/store/postgres/schema';
import { codeKeyFile, CodeKeyError } from '../verifier/code-key';
import { moveSimulatorTables, simulatorDataFile } from './data-files';
import { ConfigError, loadConfig, SETTINGS, settingsHelp, workerCount, type Config, type SettingName } from './config';
import { runVerifierWorker, startVerifierCluster, WorkerStartError } from './verifier-cluster';
import { startVerifier, type Running, type VerifierRoutes } from './verifier-process';

const USAGE = `Usage: verigate <command> [flags]

Commands:
  start       the whole stack in one process: carrier simulator + verifier, wired over SMPP and HTTP
  simulator   the carrier simulator alone: SMSC (SMPP), voice network (REST), handsets (WebSocket), control API
  verifier    the Verify API and gateway alone, pointed at carriers with --smpp and --voice-api
  migrate     brings the --database PostgreSQL to the current schema and exits (verifiers also do it on start)

Flags (each also an env var; --config FILE reads a JSON object of the same settings):
${settingsHelp()}
  --config FILE                                              JSON config file
  --help                                                     this text`;

type Flags = Record<string, string | boolean | undefined>;

/**
 * How the banner shows a secret: the development default in full (the docs
 * print it anyway, and a developer needs it to try the stack), anything else
 * only as set, with where it came from, so it never reaches a terminal, a
 * scroll-back buffer or a captured log.
 */
function shownSecret(name: 'authToken' | 'smppPassword', config: Config, flags: Flags): { value: string; isDefault: boolean; note: string } {
  const def = SETTINGS[name];
  if (config[name] === def.default) return { value: def.default, isDefault: true, note: `development default; set ${def.env}` };
  return { value: '••••••', isDefault: false, note: `set from ${sourceOf(name, flags)}` };
}

function sourceOf(name: SettingName, flags: Flags): string {
  const def: { flag: string; env: string } = SETTINGS[name];
  return flags[def.flag] !== undefined ? `--${def.flag}` : process.env[def.env] ? def.env : 'the config file';
}

async function main(argv: string[]): Promise<number> {
  const options = Object.fromEntries([
    ...Object.values(SETTINGS).map((d) => [d.flag, { type: 'string' as const }]),
    ['config', { type: 'string' as const }],
    ['help', { type: 'boolean' as const, short: 'h' }],
  ]);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(redactSecrets(`verigate: ${(error as Error).message}\n`));
    return 2;
  }
  const [command] = parsed.positionals;
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values['help'] || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values['help'] ? 0 : 2;
  }
  let config: Config;
  try {
    config = loadConfig({ flags: values, env: process.env, defaults: { data: command === 'simulator' ? ':memory:' : './data/verigate.db' } });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(redactSecrets(`verigate: bad config: ${error.message}\n`));
      return 2;
    }
    throw error;
  }
  if ((command === 'verifier' || command === 'start') && config.database && !config.codeKey) {
    // Every instance on one database must derive and check codes with one key: a key file per host cannot be it.
    process.stderr.write('verigate: bad config: --database needs VERIGATE_CODE_KEY (base64 of 32+ bytes), the same on every instance\n');
    return 2;
  }
  switch (command) {
    case 'simulator':
    case 'verifier':
    case 'start':
      return run(command, config, values);
    case 'migrate':
      return migrateOnly(config);
    default:
      process.stderr.write(`verigate: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

/** Where the banner says the data is: the verifier's SQLite file or its PostgreSQL (password hidden), and the simulator's file. */
function dataLine(command: 'simulator' | 'verifier' | 'start', config: Config, simulatorFile: string | undefined): string {
  const verifier = config.database ? redactSecrets(config.database) : config.data;
  if (command === 'start') return `${verifier} (verifier), ${simulatorFile} (simulator)`;
  return command === 'verifier' ? verifier : simulatorFile!;
}

/** `verigate migrate`: the PostgreSQL migrations alone, for a deploy step that runs before the instances start. */
async function migrateOnly(config: Config): Promise<number> {
  if (!config.database) {
    process.stderr.write('verigate: bad config: migrate needs --database postgres://USER:PASSWORD@HOST:PORT/DB (a SQLite file migrates when it is opened)\n');
    return 2;
  }
  try {
    const applied = await migrateDatabase(config.database);
    process.stdout.write(applied.length ? `applied ${applied.length} migrations: ${applied.join(', ')}\n` : 'the database is up to date\n');
    return 0;
  } catch (error) {
    process.stderr.write(redactSecrets(`verigate: cannot migrate: ${(error as Error).message}\n`));
    return 1;
  }
}

/** Where the simulator keeps its messages: its own file in `start`, never the verifier's by default. */
function simulatorStore(command: 'simulator' | 'start', config: Config): string {
  if (config.simData) return config.simData;
  return command === 'start' ? simulatorDataFile(config.data) : config.data;
}

function simulatorOptions(config: Config, dataFile: string, logger: Logger) {
  return {
    host: config.host,
    httpPort: config.simPort,
    smppPort: config.smppPort,
    smppSystemId: config.smppSystemId,
    smppPassword: config.smppPassword,
    credentials: { accountSid: config.accountSid, authToken: config.authToken },
    dataFile,
    network: { receiptDelayMs: config.receiptDelayMs, maxSubmitsPerSecond: config.maxSubmitsPerSecond },
    smsc: { receiptRouting: config.receiptRouting as ReceiptRouting },
    maxMessages: config.maxMessages,
    logger,
  };
}

async function startSimulator(config: Config, dataFile: string, flags: Flags, logger: Logger): Promise<Running & { httpPort: number; smppPort: number }> {
  const simulator = buildSimulator(simulatorOptions(config, dataFile, logger));
  simulator.smsc.on('bound', (b) => logger.info({ systemId: b.systemId, mode: b.mode, remote: b.remote }, 'ESME bound'));
  simulator.smsc.on('unbound', (b) => logger.info({ systemId: b.systemId, mode: b.mode, remote: b.remote }, 'ESME unbound'));
  simulator.smsc.on('protocolError', (error, remote) => logger.warn({ remote, status: error.status, sessionSurvives: error.sessionSurvives }, error.message));
  simulator.smsc.on('bindFailed', (f) => logger.warn({ remote: f.remote, systemId: f.systemId, lockedOut: f.lockedOut }, 'SMPP bind refused: wrong system_id or password'));
  simulator.smsc.on('refused', (r) => logger.warn({ address: r.address, reason: r.reason, count: r.count }, 'SMPP connection or bind refused'));
  try {
    const { httpPort, smppPort } = await simulator.start();
    const base = `http://${config.host}:${httpPort}`;
    const password = shownSecret('smppPassword', config, flags);
    return {
      httpPort,
      smppPort,
      lines: [
        `  SMPP (SMSC)       smpp://${config.smppSystemId}:${password.value}@${config.host}:${smppPort}${password.isDefault ? '' : `   (password ${password.note})`}`,
        `  Console           ${base}/   (phones at ${base}/phones/{number}, events at ws://${config.host}:${httpPort}/ws/events)`,
        `  Control API       ${base}/api/messages`,
        `  Voice/SMS REST    ${base}/restcomm/2012-04-24/Accounts/${config.accountSid}/Calls.json (and /2010-04-01)`,
        `  Handsets (WS)     ws://${config.host}:${httpPort}/ws/handsets/{number}`,
      ],
      stop: () => simulator.stop(),
    };
  } catch (error) {
    await simulator.stop().catch(() => undefined);
    throw error;
  }
}

async function run(command: 'simulator' | 'verifier' | 'start', config: Config, flags: Flags): Promise<number> {
  const logger = createLogger({ level: config.logLevel });
  const parts: Running[] = [];
  let verifyBase: string | undefined;
  const simulatorFile = command === 'verifier' ? undefined : simulatorStore(command, config);
  try {
    if (command === 'start') {
      const moved = moveSimulatorTables(config.data, simulatorFile!);
      if (moved) logger.info({ from: config.data, to: simulatorFile, messages: moved }, "moved the simulator's messages out of the verifier's database");
    }
    if (simulatorFile !== undefined) {
      const simulator = await startSimulator(config, simulatorFile, flags, logger.child({ component: 'simulator' }));
      parts.push(simulator);
      if (command === 'start') {
        const verifier = await startVerifiers(config, logger, {
          smpp: config.smpp || `smpp://${encodeURIComponent(config.smppSystemId)}:${encodeURIComponent(config.smppPassword)}@${config.host}:${simulator.smppPort}`,
          voiceApi: config.voiceApi || `http://${config.accountSid}:${encodeURIComponent(config.authToken)}@${config.host}:${simulator.httpPort}/restcomm/2012-04-24`,
        });
        parts.push(verifier);
        verifyBase = `http://${config.host}:${verifier.port}`;
      }
    } else {
      const verifier = await startVerifiers(config, logger, { smpp: config.smpp, voiceApi: config.voiceApi });
      parts.push(verifier);
      verifyBase = `http://${config.host}:${verifier.port}`;
    }
  } catch (error) {
    for (const part of parts.reverse()) await part.stop().catch(() => undefined);
    if (error instanceof ConfigError || error instanceof CodeKeyError || (error instanceof WorkerStartError && error.badConfig)) {
      process.stderr.write(redactSecrets(`verigate: bad config: ${error.message}\n`));
      return 2;
    }
    const e = error as NodeJS.ErrnoException;
    process.stderr.write(redactSecrets(`verigate: cannot start: ${e.code === 'EADDRINUSE' ? `port in use (${e.message})` : e.message}\n`));
    return 1;
  }
  // Listening for the signals before the banner: whoever reads the banner may stop us at once.
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  const title = { simulator: 'Verigate carrier simulator', verifier: 'Verigate verifier', start: 'Verigate (verifier + carrier simulator)' }[command];
  const token = shownSecret('authToken', config, flags);
  const credentials = `${config.accountSid}:${token.isDefault ? token.value : '"$VERIGATE_AUTH_TOKEN"'}`;
  const example = verifyBase
    ? `  curl -u ${credentials} -d FriendlyName=Acme ${verifyBase}/v2/Services`
    : `  curl -u ${credentials} ${parts[0]!.lines[1]!.trim().split(/\s+/).pop()}`;
  process.stdout.write(
    [
      `${title} is running.`,
      ...parts.flatMap((p) => p.lines),
      `  Account SID       ${config.accountSid}`,
      `  Auth token        ${token.value}   (${token.note})`,
      `  Data              ${dataLine(command, config, simulatorFile)}`,
      ...(command === 'simulator' ? [] : [`  Code key          ${config.codeKey ? `set from ${sourceOf('codeKey', flags)}` : (codeKeyFile(config.data) ?? 'in memory, as the database')}`]),
      '',
      'Try:',
      example,
      '',
    ].join('\n'),
  );
  await stopped;
  // The verifier first: it drains its outbox and unbinds while the SMSC is still there.
  for (const part of parts.reverse()) await part.stop();
  return 0;
}

/** One verifier in this process, or `--workers` of them in processes of their own behind this one. */
function startVerifiers(config: Config, logger: Logger, routes: VerifierRoutes): Promise<Running & { port: number }> {
  const workers = workerCount(config);
  return workers > 1 ? startVerifierCluster(config, logger, routes, workers) : startVerifier(config, logger, routes);
}

if (cluster.isWorker) runVerifierWorker();
else main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(redactSecrets(`verigate: ${(error as Error).stack ?? String(error)}\n`));
    process.exit(1);
  },
);
