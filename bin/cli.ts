import { parseArgs } from 'node:util';
import { buildSimulator } from '../simulator';
import { createLogger } from '../gateway/logging/logger';
import { ConfigError, loadConfig, SETTINGS, settingsHelp, type Config } from './config';

const USAGE = `Usage: verigate <command> [flags]

Commands:
  start       the whole stack (today: the simulator, with SQLite under ./data; the verifier is not built yet)
  simulator   the carrier simulator alone: SMSC (SMPP), handsets (WebSocket), control API
  verifier    the Verify API and gateway alone (not built yet)

Flags (each also an env var; --config FILE reads a JSON object of the same settings):
${settingsHelp()}
  --config FILE                                              JSON config file
  --help                                                     this text`;

const DEV_TOKEN = SETTINGS.authToken.default;

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
    process.stderr.write(`verigate: ${(error as Error).message}\n`);
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
      process.stderr.write(`verigate: bad config: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  switch (command) {
    case 'simulator':
      return runSimulator(config);
    case 'start':
      // Until the verifier lands, the whole stack is the simulator.
      process.stdout.write('verigate start: the verifier is not built yet; starting the carrier simulator.\n');
      return runSimulator(config);
    case 'verifier':
      process.stderr.write(`verigate ${command}: not built yet; \`verigate simulator\` runs the carrier simulator.\n`);
      return 1;
    default:
      process.stderr.write(`verigate: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

async function runSimulator(config: Config): Promise<number> {
  const logger = createLogger({ level: config.logLevel, component: 'simulator' });
  const simulator = buildSimulator({
    host: config.host,
    httpPort: config.simPort,
    smppPort: config.smppPort,
    smppSystemId: config.smppSystemId,
    smppPassword: config.smppPassword,
    credentials: { accountSid: config.accountSid, authToken: config.authToken },
    dataFile: config.data,
    network: { receiptDelayMs: config.receiptDelayMs, maxSubmitsPerSecond: config.maxSubmitsPerSecond },
    logger,
  });
  let ports;
  try {
    ports = await simulator.start();
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    process.stderr.write(`verigate: cannot start the simulator: ${e.code === 'EADDRINUSE' ? `port in use (${e.message})` : e.message}\n`);
    await simulator.stop().catch(() => undefined);
    return 1;
  }
  const base = `http://${config.host}:${ports.httpPort}`;
  const wsBase = `ws://${config.host}:${ports.httpPort}`;
  process.stdout.write(
    [
      'Verigate carrier simulator is running.',
      `  SMPP (SMSC)       smpp://${config.smppSystemId}:${config.smppPassword}@${config.host}:${ports.smppPort}`,
      `  Control API       ${base}/api/messages`,
      `  Handsets (WS)     ${wsBase}/ws/handsets/{number}`,
      `  Account SID       ${config.accountSid}`,
      `  Auth token        ${config.authToken}${config.authToken === DEV_TOKEN ? '   (development default; set VERIGATE_AUTH_TOKEN)' : ''}`,
      `  Data              ${config.data}`,
      '',
      'Try:',
      `  curl -u ${config.accountSid}:${config.authToken} ${base}/api/messages`,
      '',
    ].join('\n'),
  );
  simulator.smsc.on('bound', (b) => logger.info({ systemId: b.systemId, mode: b.mode, remote: b.remote }, 'ESME bound'));
  simulator.smsc.on('unbound', (b) => logger.info({ systemId: b.systemId, mode: b.mode, remote: b.remote }, 'ESME unbound'));
  simulator.smsc.on('protocolError', (error, remote) => logger.warn({ remote, status: error.status, sessionSurvives: error.sessionSurvives }, error.message));
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await simulator.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`verigate: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
