/**
 * The durable path as users run it: starts per second, with a file database and default settings, until
 * the SMSC has accepted every SMS, next to Kannel 1.4.5 doing the same job (HTTP sendsms → SMPP submit_sm,
 * delivery reports requested) into the same `verigate simulator`, and next to a bare fastify route (the
 * HTTP floor). Server CPU per operation is reported beside each rate: on a 2-core machine the rates are
 * partly client-bound, the CPU figures are not. Then VerificationCheck latency at a fixed 1,000 checks/s
 * (open loop) against the same bare route.
 *
 * Env: BENCH_VERIFICATIONS (starts per run, default 2000), BENCH_ROUNDS (default 3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { startChildServer, type ChildServer } from './lib/child-server';
import { startCli, type CliChild } from './lib/cli-child';
import { ensureKannel, startKannel, type Kannel } from './lib/kannel';
import { machineLine, markdownTable, type BenchResult } from './lib/results';
import { envInt, median } from './lib/stats';
import { BENCH_ACCOUNT_SID, BENCH_AUTH_TOKEN } from './servers/bench-credentials';

const CONCURRENCY = 20;
const CHECK_RATE = 1_000;
const authorization = `Basic ${Buffer.from(`${BENCH_ACCOUNT_SID}:${BENCH_AUTH_TOKEN}`).toString('base64')}`;
const credentialsEnv = { VERIGATE_ACCOUNT_SID: BENCH_ACCOUNT_SID, VERIGATE_AUTH_TOKEN: BENCH_AUTH_TOKEN };

interface Subject {
  name: string;
  /** Sends message `i` of round `round`; resolves when the subject accepted it (HTTP 2xx). */
  send(i: number, round: number): Promise<void>;
  /** Whether the rate is measured until the SMSC accepted every message. */
  viaSmsc: boolean;
  cpuTimeMs(): number;
}

const agent = new Agent({ connections: CONCURRENCY * 2, pipelining: 1 });

async function http(method: 'GET' | 'POST' | 'DELETE', url: string, form?: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await request(url, {
    method, dispatcher: agent, headers: { authorization, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  return { status: response.statusCode, text: await response.body.text() };
}

/** A German mobile-looking number; 900 prefixes, so no prefix sees more than a few starts in a run. */
const numberFor = (i: number, round: number) => `+49${100 + (i % 900)}${round % 10}${String(i).padStart(7, '0')}`;

async function pool(count: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) await task(next++);
  }));
}

/** The SMSC's count alone: listing the messages would cost the shared simulator a serialisation of every one per poll. */
async function smscAccepted(simPort: number): Promise<number> {
  const { text } = await http('GET', `http://127.0.0.1:${simPort}/api/messages/count`);
  return (JSON.parse(text) as { count: number }).count;
}

async function measureStarts(subject: Subject, count: number, round: number, simPort: number): Promise<{ rate: number; cpuUs: number }> {
  if (subject.viaSmsc) await http('DELETE', `http://127.0.0.1:${simPort}/api/messages`);
  const cpu0 = subject.cpuTimeMs();
  const started = performance.now();
  await pool(count, (i) => subject.send(i, round));
  const deadline = Date.now() + 120_000;
  while (subject.viaSmsc && (await smscAccepted(simPort)) < count) {
    if (Date.now() > deadline) throw new Error(`${subject.name}: the SMSC did not accept every message in time`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  return { rate: count / seconds, cpuUs: ((subject.cpuTimeMs() - cpu0) * 1000) / count };
}

/** Checks sent on a fixed schedule (open loop), so a slow answer cannot slow the arrivals. */
async function checkLatencies(check: (i: number) => Promise<void>, count: number): Promise<{ p50: number; p99: number }> {
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(Array.from({ length: count }, async (_, i) => {
    const due = start + (i * 1000) / CHECK_RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const t0 = performance.now();
    await check(i);
    latencies.push(performance.now() - t0);
  }));
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

export async function run(): Promise<BenchResult> {
  const count = envInt('BENCH_VERIFICATIONS', 2_000);
  const rounds = envInt('BENCH_ROUNDS', 3);
  const dir = mkdtempSync(join(tmpdir(), 'verigate-bench-durable-'));
  const haveKannel = ensureKannel();
  let simulator: CliChild | undefined;
  let verifier: CliChild | undefined;
  let workers: CliChild | undefined;
  let bare: ChildServer | undefined;
  let kannel: Kannel | undefined;
  try {
    simulator = await startCli(['simulator', '--sim-port', '0', '--smpp-port', '0', '--log-level', 'warn'], credentialsEnv);
    const simPort = simulator.ports['Control API']!;
    const smppPort = simulator.ports['SMPP (SMSC)']!;
    // The verifier exactly as shipped: a file database, default logging, window, fraud guard and limits.
    verifier = await startCli(['verifier', '--verify-port', '0', '--data', join(dir, 'verigate.db'), '--smpp', `smpp://verigate:verigate@127.0.0.1:${smppPort}`], credentialsEnv);
    const verifyBase = `http://127.0.0.1:${verifier.ports['Verify API']}`;
    const service = (JSON.parse((await http('POST', `${verifyBase}/v2/Services`, { FriendlyName: 'Bench' })).text) as { sid: string }).sid;
    // The same, as two processes on one file (`--workers 2`); on this machine `auto` is 2 as well.
    workers = await startCli(['verifier', '--workers', '2', '--verify-port', '0', '--data', join(dir, 'workers.db'), '--smpp', `smpp://verigate:verigate@127.0.0.1:${smppPort}`], credentialsEnv);
    const workersBase = `http://127.0.0.1:${workers.ports['Verify API']}`;
    const workersService = (JSON.parse((await http('POST', `${workersBase}/v2/Services`, { FriendlyName: 'Bench' })).text) as { sid: string }).sid;
    bare = await startChildServer({ entry: 'bench/servers/bare-fastify-server.ts', label: 'bare-fastify' });
    const bareBase = `http://127.0.0.1:${bare.port}`;
    if (haveKannel) kannel = await startKannel({ smppPort, systemId: 'verigate', password: 'verigate', window: 10 });

    const verigate: Subject = {
      name: 'verigate verifier (file database, defaults)', viaSmsc: true, cpuTimeMs: () => verifier!.cpuTimeMs(),
      async send(i, round) {
        const { status, text } = await http('POST', `${verifyBase}/v2/Services/${service}/Verifications`, { To: numberFor(i, round), Channel: 'sms' });
        if (status !== 201) throw new Error(`start answered ${status}: ${text}`);
      },
    };
    const reference: Subject = {
      name: 'bare fastify route (no storage, no SMS)', viaSmsc: false, cpuTimeMs: () => bare!.cpuTimeMs() ?? NaN,
      async send(i, round) {
        const { status } = await http('POST', `${bareBase}/v2/Services/VA${'0'.repeat(32)}/Verifications`, { To: numberFor(i, round), Channel: 'sms' });
        if (status !== 201) throw new Error(`bare route answered ${status}`);
      },
    };
    const twoWorkers: Subject = {
      name: 'verigate verifier --workers 2 (one file database, defaults)', viaSmsc: true, cpuTimeMs: () => workers!.cpuTimeMs(),
      async send(i, round) {
        const { status, text } = await http('POST', `${workersBase}/v2/Services/${workersService}/Verifications`, { To: numberFor(i, round), Channel: 'sms' });
        if (status !== 201) throw new Error(`start answered ${status}: ${text}`);
      },
    };
    const subjects: Subject[] = [reference, verigate, twoWorkers];
    if (kannel) {
      const sendsms = kannel.sendsms;
      subjects.push({
        name: 'Kannel 1.4.5 sendsms → SMPP (window 10)', viaSmsc: true, cpuTimeMs: () => kannel!.cpuTimeMs(),
        async send(i, round) {
          const url = `${sendsms}&from=Bench&to=${encodeURIComponent(numberFor(i, round))}&text=${encodeURIComponent(`Your Bench verification code is: ${String(100000 + i)}`)}&dlr-mask=3`;
          const response = await request(url, { dispatcher: agent });
          const text = await response.body.text();
          if (response.statusCode !== 202) throw new Error(`Kannel answered ${response.statusCode}: ${text}`);
        },
      });
    }

    const samples = new Map<string, { rate: number; cpuUs: number }[]>(subjects.map((s) => [s.name, []]));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? subjects : [...subjects].reverse();
      for (const subject of order) samples.get(subject.name)!.push(await measureStarts(subject, count, round + 1, simPort));
    }
    // Checks: wrong codes on fresh verifications (each answers 200 pending), as a brute-forcing app would not.
    const checks = Math.min(count, 2_000);
    const sids: string[] = [];
    await pool(checks, async (i) => {
      const { text } = await http('POST', `${verifyBase}/v2/Services/${service}/Verifications`, { To: numberFor(i, 7), Channel: 'sms' });
      sids[i] = (JSON.parse(text) as { sid: string }).sid;
    });
    // Warm both up (JIT, connections, statement caches) before the measured pass.
    const warm = Math.min(200, checks);
    await checkLatencies(async (i) => { await http('POST', `${bareBase}/v2/Services/VA${'0'.repeat(32)}/VerificationCheck`, { VerificationSid: `VE${i}`, Code: '000000' }); }, warm);
    await checkLatencies(async (i) => { await http('POST', `${verifyBase}/v2/Services/${service}/VerificationCheck`, { VerificationSid: sids[checks - 1 - i]!, Code: '000000' }); }, warm);
    const bareChecks = await checkLatencies(async (i) => { await http('POST', `${bareBase}/v2/Services/VA${'0'.repeat(32)}/VerificationCheck`, { VerificationSid: `VE${i}`, Code: '000000' }); }, checks);
    const verigateChecks = await checkLatencies(async (i) => {
      const { status } = await http('POST', `${verifyBase}/v2/Services/${service}/VerificationCheck`, { VerificationSid: sids[i]!, Code: '000000' });
      if (status !== 200) throw new Error(`check answered ${status}`);
    }, checks);

    const bareRate = median(samples.get(reference.name)!.map((s) => s.rate));
    const rows = subjects.map((s) => {
      const rate = median(samples.get(s.name)!.map((x) => x.rate));
      const cpu = median(samples.get(s.name)!.map((x) => x.cpuUs));
      return [s.name, Math.round(rate), `${(rate / bareRate).toFixed(2)}×`, Math.round(cpu)];
    });
    const checkRows = [
      ['bare fastify route', bareChecks.p50.toFixed(2), bareChecks.p99.toFixed(2), '1.0×'],
      ['verigate verifier (file database, defaults)', verigateChecks.p50.toFixed(2), verigateChecks.p99.toFixed(2), `${(verigateChecks.p99 / bareChecks.p99).toFixed(1)}×`],
    ];
    for (const row of rows) console.log(`durable path: ${row.join(' | ')}`);
    for (const row of checkRows) console.log(`checks at ${CHECK_RATE}/s: ${row.join(' | ')}`);
    return {
      title: 'Durable path: as users run it, next to Kannel',
      markdown: [
        `${count} starts per run from ${CONCURRENCY} concurrent HTTP clients, ${rounds} rounds alternated, medians. A run ends when the`,
        'SMSC (one `verigate simulator` process, shared by both gateways) has accepted every SMS. Server CPU is what the',
        'subject\'s processes used during the run, divided by the starts (Kannel: bearerbox + smsbox).',
        '',
        markdownTable(['subject', 'starts/s', 'vs bare route', 'server CPU per start (µs)'], rows),
        '',
        `VerificationCheck latency at ${CHECK_RATE} checks/s (open loop, ${checks} checks, wrong codes on pending verifications):`,
        '',
        markdownTable(['subject', 'p50 (ms)', 'p99 (ms)', 'p99 vs bare'], checkRows),
        '',
        '- **verigate verifier**: `verigate verifier --data FILE --smpp …` with every other setting at its default (info',
        '  logging, fraud guard on, default window and limits), the compiled CLI in its own process.',
        '- **--workers 2**: the same with two verifier processes on one port and one SQLite file, each with its own',
        '  binds; its CPU is that of all three processes (the primary and both workers).',
        kannel
          ? '- **Kannel**: Debian\'s 1.4.5 bearerbox + smsbox, `max-pending-submits 10`, `dlr-mask=3` on every sendsms.'
          : '- **Kannel**: not measured in this run (bearerbox could not be installed).',
        `- Measured on: ${machineLine()}.`,
      ].join('\n'),
    };
  } finally {
    await Promise.allSettled([kannel?.stop(), verifier?.stop(), workers?.stop(), simulator?.stop(), bare?.stop()]);
    await agent.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
