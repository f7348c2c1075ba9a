/**
 * SMSC throughput: submit_sm per second, each with a delivery receipt, that the
 * simulator's SMSC sustains from a windowed ESME (window 10 and 50), next to the
 * same client against two bare `smpp` servers: one doing the same PDUs per
 * message with no storage (submit_sm_resp, then a deliver_sm receipt and its
 * response: the like-for-like reference), and one that only answers submit_sm_resp.
 *
 * Each server runs in its own child process (the client has this process's
 * core); the two are alternated over several rounds and the medians compared.
 *
 * Env: BENCH_MESSAGES (per run, default 20000), BENCH_ROUNDS (default 3),
 * BENCH_CPU_PROF=DIR (the server children write V8 CPU profiles there).
 */
import path from 'node:path';
import { startChildServer, type ChildServer } from './lib/child-server';
import { machineLine, markdownTable, type BenchResult } from './lib/results';
import { envInt, median } from './lib/stats';
import { runWindowed } from './lib/windowed-esme';
import { BENCH_PASSWORD, BENCH_SYSTEM_ID } from './servers/bench-credentials';

const WINDOWS = [10, 50] as const;
const HOST = '127.0.0.1';

type Side = 'bare-receipts' | 'bare-resp' | 'verigate';

interface SideSpec {
  side: Side;
  label: string;
  entry: string;
  /** The simulator sends a receipt per message; the bare server sends none. */
  expectReceipts: boolean;
}

const sides: readonly SideSpec[] = [
  { side: 'bare-receipts', label: 'bare-dlr', entry: 'bench/servers/bare-smpp-receipt-server.ts', expectReceipts: true },
  { side: 'bare-resp', label: 'bare-resp', entry: 'bench/servers/bare-smpp-server.ts', expectReceipts: false },
  { side: 'verigate', label: 'simulator', entry: 'bench/servers/simulator-server.ts', expectReceipts: true },
];

export async function run(): Promise<BenchResult> {
  const messages = envInt('BENCH_MESSAGES', 20_000);
  const rounds = envInt('BENCH_ROUNDS', 3);
  const profileDir = process.env['BENCH_CPU_PROF'] ? path.resolve(process.env['BENCH_CPU_PROF']) : undefined;
  // Generous, but bounded: 2 ms a message is ~25 times slower than either server on a small machine.
  const timeoutMs = 30_000 + messages * 2;
  const warmup = Math.min(2_000, messages);
  const samples = new Map<string, Sample[]>();
  const key = (side: Side, window: number) => `${side}:${window}`;

  console.log(`SMSC throughput: ${messages} messages a run, windows ${WINDOWS.join(' and ')}, ${rounds} rounds`);
  for (let round = 1; round <= rounds; round++) {
    const servers = await startServers(round, profileDir);
    try {
      for (const spec of sides) {
        await runWindowed({ ...connection(servers, spec), window: WINDOWS[0], messages: warmup, expectReceipts: spec.expectReceipts, timeoutMs });
      }
      for (const window of WINDOWS) {
        // Alternate who goes first, so none always runs on a warmer (or hotter) machine.
        const order = (round + window) % 2 === 1 ? sides : [...sides].reverse();
        for (const spec of order) {
          const server = servers.get(spec.side)!;
          const serverCpuBefore = server.cpuTimeMs();
          const result = await runWindowed({ ...connection(servers, spec), window, messages, expectReceipts: spec.expectReceipts, timeoutMs });
          const serverCpuAfter = server.cpuTimeMs();
          const sample: Sample = {
            rate: result.rate,
            clientUs: (result.clientCpuMs * 1000) / messages,
            serverUs: serverCpuBefore !== undefined && serverCpuAfter !== undefined ? ((serverCpuAfter - serverCpuBefore) * 1000) / messages : undefined,
            clientBusy: result.clientCpuMs / result.elapsedMs,
            serverBusy: serverCpuBefore !== undefined && serverCpuAfter !== undefined ? (serverCpuAfter - serverCpuBefore) / result.elapsedMs : undefined,
          };
          samples.set(key(spec.side, window), [...(samples.get(key(spec.side, window)) ?? []), sample]);
          console.log(
            `  round ${round}/${rounds}  window ${String(window).padStart(2)}  ${spec.label.padEnd(9)} ${Math.round(result.rate).toString().padStart(6)} msg/s` +
              `  cpu busy: client ${percent(sample.clientBusy)}, server ${sample.serverBusy === undefined ? '?' : percent(sample.serverBusy)}` +
              (spec.expectReceipts ? `  (${result.receipts} receipts)` : ''),
          );
        }
      }
    } finally {
      await Promise.all([...servers.values()].map((s) => s.stop()));
    }
  }

  const of = (side: Side, window: number, pick: (s: Sample) => number | undefined): number | undefined => {
    const values = (samples.get(key(side, window)) ?? []).map(pick).filter((v): v is number => v !== undefined);
    return values.length > 0 ? median(values) : undefined;
  };
  const rows = WINDOWS.map((window) => {
    const receipts = of('bare-receipts', window, (s) => s.rate) ?? NaN;
    const respOnly = of('bare-resp', window, (s) => s.rate) ?? NaN;
    const verigate = of('verigate', window, (s) => s.rate) ?? NaN;
    return ['submit_sm + delivery receipt', window, Math.round(receipts), Math.round(verigate), percent(verigate / receipts), Math.round(respOnly), percent(verigate / respOnly)];
  });
  const table = markdownTable(
    ['case', 'window', 'bare, same PDUs msg/s', 'verigate msg/s', 'ratio', 'bare, resp only msg/s', 'ratio to resp only'],
    rows,
  );
  const us = (value: number | undefined) => (value === undefined ? '?' : value.toFixed(1));
  const cpuRows = WINDOWS.flatMap((window) =>
    sides.map((spec) => [
      spec.side,
      window,
      us(of(spec.side, window, (s) => s.clientUs)),
      us(of(spec.side, window, (s) => s.serverUs)),
      percent(of(spec.side, window, (s) => s.clientBusy)),
      percent(of(spec.side, window, (s) => s.serverBusy)),
    ]),
  );
  const cpuTable = markdownTable(['side', 'window', 'client CPU µs/msg', 'server CPU µs/msg', 'client busy', 'server busy'], cpuRows);
  console.log(`\n${table}\n\n${cpuTable}\n`);
  const markdown = `${table}

- **Client**: one ESME on the \`smpp\` package, bound as a transceiver, keeping *window* submit_sm outstanding
  (registered_delivery=1) and answering every deliver_sm; ${messages} messages a run, after a warm-up.
- **Bare, same PDUs** (the reference of the goal): a bare \`smpp\` package server doing what the simulator does on
  the wire per message — submit_sm answered with a message id, then a delivery receipt (Appendix B text,
  receipted_message_id and message_state) sent as deliver_sm and its response read, at most 10 deliver_sm
  outstanding per session as the simulator's default window — with no storage, outcome or retries. Its run, like
  Verigate's, is done when every submit_sm is answered and every receipt has arrived.
- **Bare, resp only**: the same server answering submit_sm and nothing else (no receipts): the ceiling of the client.
- **Verigate**: the carrier simulator (SMSC, SQLite \`:memory:\` store, receipt delay 0).
- Each server in its own process; ${rounds} rounds, the three alternated, medians shown. Goal: at least 80% of the
  bare server doing the same PDUs.
- Measured on: ${machineLine()}.

Where the time goes (medians; CPU time of each process over a run, divided by its messages; "busy" is CPU
time over wall time, 100% = one core). The side near 100% is the one that sets the pace.

${cpuTable}`;
  return { title: 'SMSC throughput', markdown };
}

interface Sample {
  rate: number;
  clientUs: number;
  serverUs: number | undefined;
  clientBusy: number;
  serverBusy: number | undefined;
}

function percent(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '?' : `${Math.round(value * 100)}%`;
}

function connection(servers: Map<Side, ChildServer>, spec: SideSpec) {
  const server = servers.get(spec.side);
  if (!server) throw new Error(`${spec.label} is not running`);
  return { host: HOST, port: server.port, systemId: BENCH_SYSTEM_ID, password: BENCH_PASSWORD };
}

/** Starts both servers; if either fails, stops the other before rethrowing. */
async function startServers(round: number, profileDir: string | undefined): Promise<Map<Side, ChildServer>> {
  const started = await Promise.allSettled(
    sides.map((spec) =>
      startChildServer({
        entry: spec.entry,
        label: spec.label,
        // One folder per child: tsx's loader thread writes a profile of its own next to the main thread's.
        nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, `${spec.label}-round${round}`)}`] : [],
      }),
    ),
  );
  const servers = new Map<Side, ChildServer>();
  const failures: unknown[] = [];
  started.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') servers.set(sides[i]!.side, outcome.value);
    else failures.push(outcome.reason);
  });
  if (failures.length > 0) {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    throw failures[0];
  }
  return servers;
}
