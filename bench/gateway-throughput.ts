/**
 * Messages per second through the gateway (durable outbox → dispatcher → SMPP
 * client with a window → the simulator's SMSC → receipt matched back through
 * the store), at window 1, 10 and 50, next to a bare windowed ESME on the
 * `smpp` package sending the same number of messages to the same SMSC with
 * receipts: the ratio is what durability and bookkeeping cost.
 */
import { performance } from 'node:perf_hooks';
import { Gateway } from '../gateway/gateway';
import { parseSmppUrl } from '../gateway/smpp';
import { openSqliteOutbox } from '../gateway/outbox';
import { startChildServer } from './lib/child-server';
import { machineLine, markdownTable, type BenchResult } from './lib/results';
import { envInt, median } from './lib/stats';
import { runWindowed } from './lib/windowed-esme';
import { BENCH_PASSWORD, BENCH_SYSTEM_ID } from './servers/bench-credentials';

const WINDOWS = [1, 10, 50];

async function gatewayRun(port: number, window: number, messages: number): Promise<number> {
  const store = openSqliteOutbox(':memory:');
  const gateway = new Gateway({
    outbox: store.outbox,
    smpp: parseSmppUrl(`smpp://${BENCH_SYSTEM_ID}:${BENCH_PASSWORD}@127.0.0.1:${port}?window=${window}`),
    dispatcher: { pollMs: 50, concurrency: Math.max(window * 2, 20) },
  });
  let delivered = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  gateway.on('delivery', (report) => {
    if (report.parts.every((p) => p.delivery !== 'pending') && ++delivered === messages) resolveDone();
  });
  gateway.start();
  await gateway.smppClient!.waitUntilBound();
  const started = performance.now();
  const expiresAt = Date.now() + 600_000;
  const now = Date.now();
  for (let i = 0; i < messages; i++) {
    await store.outbox.enqueue({ kind: 'sms', payload: { from: 'Verigate', to: '+4915112345678', text: 'Your Verigate code is 482913. It expires in 10 minutes.' }, expiresAt }, now);
  }
  gateway.notify();
  const timeout = setTimeout(() => resolveDone(), 120_000);
  await done;
  clearTimeout(timeout);
  const elapsed = performance.now() - started;
  await gateway.stop();
  await store.close();
  if (delivered < messages) throw new Error(`gateway run at window ${window}: ${delivered}/${messages} delivered before the deadline`);
  return (messages / elapsed) * 1000;
}

export async function run(): Promise<BenchResult> {
  const messages = envInt('BENCH_GATEWAY_MESSAGES', envInt('BENCH_MESSAGES', 20_000) / 4);
  const rounds = envInt('BENCH_ROUNDS', 3);
  const server = await startChildServer({ entry: 'bench/servers/simulator-server.ts', label: 'simulator' });
  const rows: (string | number)[][] = [];
  try {
    for (const window of WINDOWS) {
      const bare: number[] = [];
      const through: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const esme = await runWindowed({ host: '127.0.0.1', port: server.port, systemId: BENCH_SYSTEM_ID, password: BENCH_PASSWORD, window, messages, expectReceipts: true, timeoutMs: 120_000 });
        bare.push(esme.rate);
        through.push(await gatewayRun(server.port, window, messages));
      }
      const reference = median(bare);
      const subject = median(through);
      rows.push(['SMS with receipt', window, Math.round(reference), Math.round(subject), `${Math.round((subject / reference) * 100)}%`]);
      console.log(`gateway window ${window}: bare ESME ${Math.round(reference)} msg/s, gateway ${Math.round(subject)} msg/s`);
    }
  } finally {
    await server.stop();
  }
  return {
    title: 'Gateway throughput',
    markdown: [
      markdownTable(['case', 'window', 'bare ESME msg/s', 'gateway msg/s', 'ratio'], rows),
      '',
      `- **Gateway**: ${messages} messages written to the SQLite outbox (\`:memory:\`) in one transaction, sent by the dispatcher through the`,
      '  typed SMPP client with the given window, each delivery receipt matched back to its outbox row through the store.',
      '- **Reference**: the bench\'s bare windowed ESME on the `smpp` package: same SMSC, same window, same text, receipts awaited, no outbox.',
      `- The SMSC is the carrier simulator in its own process (receipt delay 0). ${rounds} rounds alternated, medians shown.`,
      `- Measured on: ${machineLine()}.`,
    ].join('\n'),
  };
}
