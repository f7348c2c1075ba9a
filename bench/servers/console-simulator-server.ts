// The simulator as in simulator-server.ts, with its HTTP port (the console's /ws/events) at BENCH_HTTP_PORT.
import { buildSimulator } from '../../simulator/simulator';
import { serveUntilTold } from '../lib/server-entry';
import { BENCH_PASSWORD, BENCH_SYSTEM_ID } from './bench-credentials';

await serveUntilTold(async () => {
  const simulator = buildSimulator({
    host: '127.0.0.1',
    httpPort: Number(process.env['BENCH_HTTP_PORT']),
    smppPort: 0,
    smppSystemId: BENCH_SYSTEM_ID,
    smppPassword: BENCH_PASSWORD,
    credentials: { accountSid: `AC${'0'.repeat(32)}`, authToken: 'bench-token' },
    dataFile: ':memory:',
    network: { receiptDelayMs: 0, maxSubmitsPerSecond: 0 },
    // Each run prunes about as many messages as it stores, whichever comes first in a round (as a simulator that
    // has been up a while does with the default 10,000).
    maxMessages: 1_000,
  });
  const { smppPort } = await simulator.start();
  return { port: smppPort, stop: () => simulator.stop() };
});
