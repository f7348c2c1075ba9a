/**
 * The console's cost to the SMSC: submit_sm per second (each with a delivery receipt) from a windowed ESME,
 * with nobody on /ws/events, with BENCH_CONSOLES (default 10) consoles (`?batch=1&changes=1`, as the console page) and with
 * as many scripts (one frame per event), each reading and parsing everything. Same simulator process for all three,
 * the order turned round every round; medians compared. Goal: with 10 consoles, at least 90 % of the rate with none.
 *
 * Env: BENCH_MESSAGES (per run, default 20000), BENCH_ROUNDS (default 3), BENCH_CONSOLES (default 10),
 * BENCH_CPU_PROF=DIR (the simulator writes a V8 CPU profile there, one folder per round).
 */
import { createServer } from 'node:net';
import path from 'node:path';
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

type Side = 'none' | 'consoles' | 'scripts';
const SIDES: readonly Side[] = ['none', 'consoles', 'scripts'];

export async function run(): Promise<BenchResult> {
  const messages = envInt('BENCH_MESSAGES', 20_000);
  const rounds = envInt('BENCH_ROUNDS', 3);
  const consoles = envInt('BENCH_CONSOLES', 10);
  const profileDir = process.env['BENCH_CPU_PROF'] ? path.resolve(process.env['BENCH_CPU_PROF']) : undefined;
  const timeoutMs = 30_000 + messages * 2;
  const rates: Record<Side, number[]> = { none: [], consoles: [], scripts: [] };
  /** Server CPU µs per message: steadier than the rate on a shared machine. */
  const cpu: Record<Side, number[]> = { none: [], consoles: [], scripts: [] };
  /** The subscribers' own process, CPU µs per message: taken from the same two cores as the simulator's. */
  const subscriberCpu: Record<Side, number[]> = { none: [], consoles: [], scripts: [] };
  const label: Record<Side, string> = { none: 'nobody', consoles: `${consoles} consoles (\`?batch=1&changes=1\`, as the page)`, scripts: `${consoles} scripts (a frame per event)` };

  console.log(`Console cost: ${messages} messages a run, window ${WINDOW}, nobody vs ${consoles} consoles vs ${consoles} scripts, ${rounds} rounds`);
  for (let round = 1; round <= rounds; round++) {
    const httpPort = await freePort();
    const server = await startChildServer({
      entry: 'bench/servers/console-simulator-server.ts',
      label: 'simulator',
      env: { BENCH_HTTP_PORT: String(httpPort) },
      // Its own folder per round: tsx's loader thread writes a profile of its own next to the main thread's.
      nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, `simulator-round${round}`)}`] : [],
    });
    const esme = { host: HOST, port: server.port, systemId: BENCH_SYSTEM_ID, password: BENCH_PASSWORD, window: WINDOW, expectReceipts: true, timeoutMs };
    try {
      await runWindowed({ ...esme, messages: Math.min(2_000, messages) });
      const order = round % 2 === 1 ? SIDES : [...SIDES].reverse();
      for (const side of order) {
        const query = side === 'consoles' ? '&batch=1&changes=1' : '';
        const clients = side === 'none'
          ? undefined
          : await startChildServer({
            entry: 'bench/servers/console-clients.ts',
            label: side,
            env: { BENCH_CONSOLES: String(consoles), BENCH_EVENTS_URL: `ws://${HOST}:${httpPort}/ws/events?access_token=bench-token${query}` },
          });
        try {
          const before = server.cpuTimeMs();
          const subscribersBefore = clients ? clients.cpuTimeMs() : 0;
          const result = await runWindowed({ ...esme, messages });
          const after = server.cpuTimeMs();
          const subscribersAfter = clients ? clients.cpuTimeMs() : 0;
          rates[side].push(result.rate);
          if (before !== undefined && after !== undefined) cpu[side].push(((after - before) * 1000) / messages);
          if (subscribersBefore !== undefined && subscribersAfter !== undefined) subscriberCpu[side].push(((subscribersAfter - subscribersBefore) * 1000) / messages);
          console.log(`  round ${round}/${rounds}  ${side.padEnd(8)}  ${Math.round(result.rate).toString().padStart(6)} msg/s  server ${cpu[side].at(-1)?.toFixed(0) ?? '?'} µs/msg`
            + `  subscribers ${subscriberCpu[side].at(-1)?.toFixed(0) ?? '?'} µs/msg  (${result.receipts} receipts)`);
        } finally {
          await clients?.stop();
        }
      }
    } finally {
      await server.stop();
    }
  }

  const rate = (side: Side) => median(rates[side]);
  const us = (side: Side) => (cpu[side].length > 0 ? median(cpu[side]) : NaN);
  const subscribersUs = (side: Side) => (subscriberCpu[side].length > 0 ? median(subscriberCpu[side]) : NaN);
  const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;
  const table = markdownTable(['subscribers on /ws/events', 'msg/s', 'rate vs nobody', 'server CPU µs/msg', 'CPU ratio', 'subscribers\' CPU µs/msg'],
    SIDES.map((side) => [label[side], Math.round(rate(side)), percent(rate(side) / rate('none')), Math.round(us(side)), percent(us('none') / us(side)), Math.round(subscribersUs(side))]));
  console.log(`\n${table}\n`);
  const markdown = `${table}

- **Client**: the windowed ESME of the SMSC throughput bench (transceiver, window ${WINDOW}, registered_delivery=1,
  every receipt awaited), ${messages} messages a run after a warm-up.
- **Subscribers**: ${consoles} WebSocket clients on \`/ws/events\` in a process of their own, each parsing everything
  it gets: as the console page (\`?batch=1&changes=1\`: each 100 ms interval's events in one frame, a message's later
  changes as \`message.changed\`) or as a script (one frame per event, every change a whole \`message.updated\`). Each
  message is \`message.created\`, then a change with its receipt (the receipt lags the submit by more than the interval
  under this load, so the two do not merge).
- One simulator process (SQLite \`:memory:\`, receipt delay 0, 1,000 messages kept, so that every run prunes
  about as many as it stores) for all three, in turned-round order; ${rounds} rounds,
  medians. Goal: with 10 consoles, at least 90 % of the rate with nobody. The simulator's CPU time per message (CPU
  ratio = nobody ÷ with subscribers) is the measure of the cost to the SMSC. The rate is not, on this machine: the
  subscribers' own process (last column: ten clients parsing every frame) runs on the same cores as the simulator
  and the ESME, so with subscribers the rate is what the cores leave after them: it drops further than the
  simulator's own cost rises (consoles in browsers on other machines cost the SMSC what the CPU ratio shows). On a
  shared machine the rate is noisy as well.
- Measured on: ${machineLine()}.`;
  return { title: 'Console cost to the SMSC', markdown };
}
