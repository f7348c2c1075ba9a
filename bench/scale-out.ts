/**
 * Scale-out (issue 13): starts per second until the SMSC has accepted every SMS, with one verifier on
 * PostgreSQL, two verifiers on one PostgreSQL (requests alternated between them, as a load balancer
 * would), one verifier on SQLite and two on one SQLite file (`--workers 2`: one port, the workers share
 * its connections), measured side by side in one run. Each subject has its own
 * `verigate simulator` (receipts to any bind), so no receipt lands on another subject's bind. Server CPU
 * per start is the verifiers' and, for PostgreSQL, the server's (postmaster and backends) during the run.
 *
 * PostgreSQL is a throwaway cluster started here from Debian's binaries, with fsync and full-page writes
 * on and synchronous_commit off: a commit is not flushed before it returns, as SQLite's WAL with
 * synchronous=NORMAL (the verifier's setting) does not flush either.
 *
 * Env: BENCH_VERIFICATIONS (starts per run, default 2000), BENCH_ROUNDS (default 3).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { startPostgres, type ThrowawayPostgres } from '../test/support/postgres';
import { processTreeCpuTimeMs } from './lib/child-server';
import { startCli, type CliChild } from './lib/cli-child';
import { machineLine, markdownTable, type BenchResult } from './lib/results';
import { envInt, median } from './lib/stats';
import { BENCH_ACCOUNT_SID, BENCH_AUTH_TOKEN } from './servers/bench-credentials';

const CONCURRENCY = 20;
const WARM_UP = 200;
const authorization = `Basic ${Buffer.from(`${BENCH_ACCOUNT_SID}:${BENCH_AUTH_TOKEN}`).toString('base64')}`;
// One code key for every instance: those on one database must share it (docs/scaling.md).
const env = { VERIGATE_ACCOUNT_SID: BENCH_ACCOUNT_SID, VERIGATE_AUTH_TOKEN: BENCH_AUTH_TOKEN, VERIGATE_CODE_KEY: randomBytes(32).toString('base64') };

const agent = new Agent({ connections: CONCURRENCY * 2, pipelining: 1 });

async function http(method: 'GET' | 'POST' | 'DELETE', url: string, form?: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await request(url, {
    method, dispatcher: agent, headers: { authorization, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  return { status: response.statusCode, text: await response.body.text() };
}

interface Subject {
  name: string;
  simulator: CliChild;
  verifiers: CliChild[];
  service: string;
  /** CPU of the subject's servers so far, in ms. */
  cpuTimeMs(): { verifiers: number; database: number };
}

/** 900 prefixes, so no prefix sees more than a few starts in a run; a digit per subject and per round, so no number repeats. */
const numberFor = (i: number, subject: number, round: number) => `+49${100 + (i % 900)}${subject}${round % 10}${String(i).padStart(7, '0')}`;

async function pool(count: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) await task(next++);
  }));
}

/** The SMSC's count alone, not a list of every message per poll. */
async function smscAccepted(simulator: CliChild): Promise<number> {
  const { text } = await http('GET', `http://127.0.0.1:${simulator.ports['Control API']}/api/messages/count`);
  return (JSON.parse(text) as { count: number }).count;
}

/** `count` starts from CONCURRENCY clients, each start to the next instance in turn; timed until the SMSC accepted them all. */
async function starts(subject: Subject, index: number, count: number, round: number): Promise<number> {
  await http('DELETE', `http://127.0.0.1:${subject.simulator.ports['Control API']}/api/messages`);
  const started = performance.now();
  await pool(count, async (i) => {
    const verifier = subject.verifiers[i % subject.verifiers.length]!;
    const { status, text } = await http('POST', `http://127.0.0.1:${verifier.ports['Verify API']}/v2/Services/${subject.service}/Verifications`, { To: numberFor(i, index, round), Channel: 'sms' });
    if (status !== 201) throw new Error(`${subject.name}: start answered ${status}: ${text}`);
  });
  const deadline = Date.now() + 120_000;
  while ((await smscAccepted(subject.simulator)) < count) {
    if (Date.now() > deadline) throw new Error(`${subject.name}: the SMSC did not accept every message in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return (performance.now() - started) / 1000;
}

async function subject(name: string, verifierArgs: string[][], databasePid?: number): Promise<Subject> {
  const simulator = await startCli(['simulator', '--sim-port', '0', '--smpp-port', '0', '--log-level', 'warn', '--receipt-routing', 'any'], env);
  const smpp = `smpp://verigate:verigate@127.0.0.1:${simulator.ports['SMPP (SMSC)']}`;
  const verifiers: CliChild[] = [];
  try {
    // One after the other: the first applies the migrations, the others find them done.
    for (const args of verifierArgs) verifiers.push(await startCli(['verifier', '--verify-port', '0', '--smpp', smpp, ...args], env));
    const created = await http('POST', `http://127.0.0.1:${verifiers[0]!.ports['Verify API']}/v2/Services`, { FriendlyName: 'Bench' });
    return {
      name, simulator, verifiers, service: (JSON.parse(created.text) as { sid: string }).sid,
      cpuTimeMs: () => ({
        verifiers: verifiers.reduce((sum, v) => sum + v.cpuTimeMs(), 0),
        database: databasePid === undefined ? 0 : (processTreeCpuTimeMs(databasePid) ?? NaN),
      }),
    };
  } catch (error) {
    await Promise.allSettled([...verifiers.map((v) => v.stop()), simulator.stop()]);
    throw error;
  }
}

export async function run(): Promise<BenchResult> {
  const count = envInt('BENCH_VERIFICATIONS', 2_000);
  const rounds = envInt('BENCH_ROUNDS', 3);
  const dir = mkdtempSync(join(tmpdir(), 'verigate-bench-scale-'));
  // Other work on the machine shows in the absolute rates (not in the ratios): the document says how much there was.
  const loadAtStart = loadavg()[0]!;
  const subjects: Subject[] = [];
  let database: ThrowawayPostgres | undefined;
  try {
    database = await startPostgres(undefined, { fsync: 'on', full_page_writes: 'on', synchronous_commit: 'off' });
    const one = await database.createDatabase('bench_one');
    const two = await database.createDatabase('bench_two');
    subjects.push(await subject('1 verifier, SQLite file', [['--data', join(dir, 'verigate.db')]]));
    subjects.push(await subject('2 verifiers, one SQLite file (--workers 2)', [['--data', join(dir, 'workers.db'), '--workers', '2']]));
    subjects.push(await subject('1 verifier, PostgreSQL', [['--database', one]], database.pid));
    subjects.push(await subject('2 verifiers, one PostgreSQL', [['--database', two], ['--database', two]], database.pid));

    // Warm-up (JIT, pools, prepared statements), not measured; round 0's numbers.
    for (const [index, s] of subjects.entries()) await starts(s, index, WARM_UP, 0);
    const samples = new Map<string, { rate: number; verifierUs: number; databaseUs: number }[]>(subjects.map((s) => [s.name, []]));
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 === 1 ? subjects : [...subjects].reverse();
      for (const s of order) {
        const cpu0 = s.cpuTimeMs();
        const seconds = await starts(s, subjects.indexOf(s), count, round);
        const cpu1 = s.cpuTimeMs();
        const sample = { rate: count / seconds, verifierUs: ((cpu1.verifiers - cpu0.verifiers) * 1000) / count, databaseUs: ((cpu1.database - cpu0.database) * 1000) / count };
        console.log(`scale-out round ${round}: ${s.name}: ${Math.round(sample.rate)} starts/s, CPU per start ${Math.round(sample.verifierUs)} µs verifier + ${Math.round(sample.databaseUs)} µs database`);
        samples.get(s.name)!.push(sample);
      }
    }

    const sqliteRate = median(samples.get(subjects[0]!.name)!.map((s) => s.rate));
    const rows = subjects.map((s) => {
      const list = samples.get(s.name)!;
      const rate = median(list.map((x) => x.rate));
      const verifierUs = median(list.map((x) => x.verifierUs));
      const databaseUs = median(list.map((x) => x.databaseUs));
      return [s.name, Math.round(rate), `${(rate / sqliteRate).toFixed(2)}×`, Math.round(verifierUs), s.name.includes('SQLite') ? 'in the verifier' : Math.round(databaseUs), Math.round(verifierUs + databaseUs)];
    });
    for (const row of rows) console.log(`scale-out: ${row.join(' | ')}`);
    return {
      title: 'Scale-out: one and two verifiers on PostgreSQL, next to SQLite',
      markdown: [
        `${count} starts per run from ${CONCURRENCY} concurrent HTTP clients (to the two instances in turn where there are two),`,
        `${rounds} rounds alternated after a warm-up of ${WARM_UP}, medians. A run ends when the SMSC (a \`verigate simulator\``,
        'of the subject\'s own, receipts to any bind) has accepted every SMS. Server CPU per start: the verifier processes\',',
        'and PostgreSQL\'s (postmaster and backends) during the run.',
        '',
        markdownTable(['subject', 'starts/s', 'vs SQLite', 'verifier CPU per start (µs)', 'PostgreSQL CPU per start (µs)', 'total CPU per start (µs)'], rows),
        '',
        '- Every verifier is `verigate verifier --smpp …` with `--data FILE` or `--database URL` and every other setting at',
        '  its default (info logging, fraud guard on, window 10), the compiled CLI in its own process; `--workers 2` is',
        '  three processes (a primary and two verifiers), all counted.',
        '- PostgreSQL: a local cluster of Debian\'s server, fsync and full-page writes on, `synchronous_commit=off` (like',
        '  SQLite\'s WAL with `synchronous=NORMAL`: a commit is not flushed before it returns); over loopback TCP.',
        '- The client, the simulators, the verifiers and PostgreSQL share the machine\'s cores: where they are few, a second',
        '  instance adds work for the same cores rather than capacity, and the CPU per start is the figure that carries',
        '  over to bigger machines (docs/scaling.md).',
        `- Measured on: ${machineLine()}; load average (1 min) ${loadAtStart.toFixed(1)} at the start of the run, ${loadavg()[0]!.toFixed(1)} at its end.`,
      ].join('\n'),
    };
  } finally {
    await Promise.allSettled(subjects.flatMap((s) => [...s.verifiers.map((v) => v.stop()), s.simulator.stop()]));
    await database?.stop();
    await agent.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
