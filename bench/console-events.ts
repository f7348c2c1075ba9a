/**
 * The console's cost to the SMSC: submit_sm per second (each with a delivery receipt) from a windowed ESME,
 * with no console open and with BENCH_CONSOLES (default 10) subscribed to /ws/events, each reading and parsing
 * every frame. Same simulator process for both, alternated over rounds; medians compared. Goal: with 10
 * consoles, at least 90 % of the rate with none.
 *
 * Env: BENCH_MESSAGES (per run, default 20000), BENCH_ROUNDS (default 3), BENCH_CONSOLES (default 10).
 */
import { createServer } from 'node:net';
import { startChildServer } from './lib/child-server';
import { machineLine, markdownTable, type BenchResult } from './lib/results';
import { envInt, median } from './lib/stats';
import { runWindowed } from './lib/windowed-esme';
import { BENCH_PASSWORD, BENCH_SYSTEM_ID } from './servers/bench-credentials';

const HOST = '127.0.0.1';
const WINDOW = 50;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function run(): Promise<BenchResult> {
  const messages = envInt('BENCH_MESSAGES', 20_000);
  const rounds = envInt('BENCH_ROUNDS', 3);
  const consoles = envInt('BENCH_CONSOLES', 10);
  const timeoutMs = 30_000 + messages * 2;
  const rates: Record<'none' | 'consoles', number[]> = { none: [], consoles: [] };
  /** Server CPU µs per message: steadier than the rate on a shared machine. */
  const cpu: Record<'none' | 'consoles', number[]> = { none: [], consoles: [] };

  console.log(`Console cost: ${messages} messages a run, window ${WINDOW}, 0 vs ${consoles} consoles, ${rounds} rounds`);
  for (let round = 1; round <= rounds; round++) {
    const httpPort = await freePort();
    const server = await startChildServer({ entry: 'bench/servers/console-simulator-server.ts', label: 'simulator', env: { BENCH_HTTP_PORT: String(httpPort) } });
    const esme = { host: HOST, port: server.port, systemId: BENCH_SYSTEM_ID, password: BENCH_PASSWORD, window: WINDOW, expectReceipts: true, timeoutMs };
    try {
      await runWindowed({ ...esme, messages: Math.min(2_000, messages) });
      const order = round % 2 === 1 ? (['none', 'consoles'] as const) : (['consoles', 'none'] as const);
      for (const side of order) {
        const clients = side === 'consoles'
          ? await startChildServer({
            entry: 'bench/servers/console-clients.ts',
            label: 'consoles',
            env: { BENCH_CONSOLES: String(consoles), BENCH_EVENTS_URL: `ws://${HOST}:${httpPort}/ws/events?access_token=bench-token` },
          })
          : undefined;
        try {
          const before = server.cpuTimeMs();
          const result = await runWindowed({ ...esme, messages });
          const after = server.cpuTimeMs();
          rates[side].push(result.rate);
          if (before !== undefined && after !== undefined) cpu[side].push(((after - before) * 1000) / messages);
          console.log(`  round ${round}/${rounds}  ${side === 'none' ? 'no console ' : `${consoles} consoles`}  ${Math.round(result.rate).toString().padStart(6)} msg/s  server ${cpu[side].at(-1)?.toFixed(0) ?? '?'} µs/msg  (${result.receipts} receipts)`);
        } finally {
          await clients?.stop();
        }
      }
    } finally {
      await server.stop();
    }
  }

  const none = median(rates.none);
  const open = median(rates.consoles);
  const us = (side: 'none' | 'consoles') => (cpu[side].length > 0 ? median(cpu[side]) : NaN);
  const table = markdownTable(['case', 'window', 'no console msg/s', `${consoles} consoles msg/s`, 'ratio', 'server CPU µs/msg, none', `… ${consoles} consoles`, 'CPU ratio'], [
    ['submit_sm + delivery receipt', WINDOW, Math.round(none), Math.round(open), `${Math.round((open / none) * 100)}%`,
      Math.round(us('none')), Math.round(us('consoles')), `${Math.round((us('none') / us('consoles')) * 100)}%`],
  ]);
  console.log(`\n${table}\n`);
  const markdown = `${table}

- **Client**: the windowed ESME of the SMSC throughput bench (transceiver, registered_delivery=1, every receipt
  awaited), ${messages} messages a run after a warm-up.
- **Consoles**: ${consoles} WebSocket clients on \`/ws/events\` in a process of their own, each parsing every frame
  (\`message.created\`, then \`message.updated\` for the outcome and the receipt, each message's changes gathered for 100 ms and sent
  to every console in one write per batch).
- One simulator process (SQLite \`:memory:\`, receipt delay 0) for both cases, alternated; ${rounds} rounds,
  medians. Goal: at least 90 % of the rate with no console open. On a shared machine the rate is noisy; the
  simulator's CPU time per message (CPU ratio = none ÷ with consoles) is the steadier measure of the same cost.
- Measured on: ${machineLine()}.`;
  return { title: 'Console cost to the SMSC', markdown };
}
