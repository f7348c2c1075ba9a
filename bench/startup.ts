/**
 * How long `verigate simulator` takes from spawn to listening, next to a bare fastify server started the
 * same way (a plain JavaScript program that imports fastify and listens), and next to the CLI run from
 * source through tsx (how it started before it was compiled). Each round spawns the three one after
 * another; the figure is the median over rounds. "Listening" is the moment the process prints that its
 * HTTP port is open (the banner's `Try:` line, or the reference's `LISTENING`).
 */
import { spawn } from 'node:child_process';
import { repoRoot } from './lib/child-server';
import { machineLine, markdownTable, type BenchResult } from './lib/results';

const ROUNDS = Number(process.env['BENCH_STARTUP_ROUNDS'] ?? 9);
const READY = /^(Try:|LISTENING)/m;

const BARE_FASTIFY = `
import Fastify from 'fastify';
const app = Fastify({ logger: false });
app.get('/', async () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: 0 });
console.log('LISTENING');
`;

const simulatorArgs = ['simulator', '--sim-port', '0', '--smpp-port', '0', '--log-level', 'warn'];
const contenders = {
  'bare fastify server': ['--input-type=module', '-e', BARE_FASTIFY],
  'verigate simulator (compiled)': ['bin/verigate.js', ...simulatorArgs],
  'verigate simulator (tsx, from source)': ['--import', 'tsx', 'bin/cli.ts', ...simulatorArgs],
} as const;
type Contender = keyof typeof contenders;

function timeToListen(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!READY.test(out)) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      child.once('exit', () => resolve(ms));
      child.kill('SIGKILL');
    });
    child.once('exit', (code) => { if (!READY.test(out)) reject(new Error(`exited ${code} before listening:\n${out}\n${err}`)); });
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

export async function run(): Promise<BenchResult> {
  const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, [] as number[]])) as Record<Contender, number[]>;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, args] of Object.entries(contenders) as [Contender, readonly string[]][]) {
      samples[name].push(await timeToListen(args));
    }
  }
  const bare = median(samples['bare fastify server']);
  const rows = (Object.keys(contenders) as Contender[]).map((name) => {
    const ms = median(samples[name]);
    return [name, ms.toFixed(0), `${(ms / bare).toFixed(2)}×`];
  });
  const markdown = [
    `${machineLine()}; median of ${ROUNDS} rounds, the three spawned in turn in each round.`,
    '',
    markdownTable(['process', 'spawn → listening (ms)', 'vs bare fastify'], rows),
    '',
    'Target: the compiled CLI listens within 3× the bare fastify server. `npm install` compiles the CLI',
    '(`prepare` → bin/build.js, one esbuild bundle), so users and the test suite never pay for transpiling.',
  ].join('\n');
  return { title: 'Start-up: spawn to listening', markdown };
}
