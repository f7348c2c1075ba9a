// The subject of the Verify benchmark: simulator and verifier in one process, as `verigate start` runs
// them, with the fraud guard off and the per-destination limit lifted (a load test hits few prefixes).
import { parseSmppUrl } from '../../gateway/smpp';
import { buildSimulator } from '../../simulator/simulator';
import { buildVerifier } from '../../verifier';
import { DEFAULT_ABUSE_SETTINGS } from '../../verifier/abuse/abuse-policy';
import { serveUntilTold } from '../lib/server-entry';
import { BENCH_ACCOUNT_SID, BENCH_AUTH_TOKEN, BENCH_PASSWORD, BENCH_SYSTEM_ID } from './bench-credentials';

await serveUntilTold(async () => {
  const credentials = { accountSid: BENCH_ACCOUNT_SID, authToken: BENCH_AUTH_TOKEN };
  const simulator = buildSimulator({
    host: '127.0.0.1', httpPort: 0, smppPort: 0, smppSystemId: BENCH_SYSTEM_ID, smppPassword: BENCH_PASSWORD,
    credentials, dataFile: ':memory:', network: { receiptDelayMs: 0, maxSubmitsPerSecond: 0 },
  });
  const { smppPort } = await simulator.start();
  const verifier = await buildVerifier({
    host: '127.0.0.1',
    port: 0,
    credentials,
    dataFile: ':memory:',
    smpp: parseSmppUrl(`smpp://${BENCH_SYSTEM_ID}:${BENCH_PASSWORD}@127.0.0.1:${smppPort}?window=50`),
    abuse: { ...DEFAULT_ABUSE_SETTINGS, perDestination: { max: 1_000_000, windowMs: 60_000 }, fraudGuard: { ...DEFAULT_ABUSE_SETTINGS.fraudGuard, enabled: false } },
  });
  const { port } = await verifier.start();
  return {
    port,
    async stop() {
      await verifier.stop();
      await simulator.stop();
    },
  };
});
