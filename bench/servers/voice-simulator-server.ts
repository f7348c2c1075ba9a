// The subject of the voice benchmark: the carrier simulator (voice network, handsets, REST API).
import { buildSimulator } from '../../simulator/simulator';
import { serveUntilTold } from '../lib/server-entry';
import { BENCH_ACCOUNT_SID, BENCH_AUTH_TOKEN, BENCH_PASSWORD, BENCH_SYSTEM_ID } from './bench-credentials';

await serveUntilTold(async () => {
  const simulator = buildSimulator({
    host: '127.0.0.1', httpPort: 0, smppPort: 0, smppSystemId: BENCH_SYSTEM_ID, smppPassword: BENCH_PASSWORD,
    credentials: { accountSid: BENCH_ACCOUNT_SID, authToken: BENCH_AUTH_TOKEN }, dataFile: ':memory:',
    // The bench measures the network's own work; the seconds a Say would take to speak are only waiting.
    voice: { speechTime: false },
  });
  const { httpPort } = await simulator.start();
  return { port: httpPort, stop: () => simulator.stop() };
});
