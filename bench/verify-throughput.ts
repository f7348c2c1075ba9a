/**
 * The Verify API under load: verifications per second (POST …/Verifications
 * until the SMSC has accepted every SMS) and check latency p50/p99, next to a
 * bare fastify route that parses the same request and answers the same shape,
 * each server in its own process, in the same run.
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { startChildServer, type ChildServer } from './lib/child-server';
import { machineLine, markdownTable, type BenchResult } from './lib/results';
import { envInt, median } from './lib/stats';
import { BENCH_ACCOUNT_SID, BENCH_AUTH_TOKEN } from './servers/bench-credentials';

const CONCURRENCY = 20;
const authorization = `Basic ${Buffer.from(`${BENCH_ACCOUNT_SID}:${BENCH_AUTH_TOKEN}`).toString('base64')}`;

interface Client {
  post(path: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>;
  get(path: string): Promise<string>;
  close(): Promise<void>;
}

function client(port: number): Client {
  const agent = new Agent({ connections: CONCURRENCY, pipelining: 1 });
  const base = `http://127.0.0.1:${port}`;
  return {
    async post(path, form) {
      const response = await request(`${base}${path}`, {
        method: 'POST', dispatcher: agent, body: new URLSearchParams(form).toString(),
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      });
      return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
    },
    async get(path) {
      const response = await request(`${base}${path}`, { dispatcher: agent, headers: { authorization } });
      return response.body.text();
    },
    close: () => agent.close(),
  };
}

/** Runs `task(i)` for i in 0..count-1, `CONCURRENCY` at a time. */
async function pool(count: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) await task(next++);
  }));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function acceptedBySmsc(api: Client): Promise<number> {
  const metrics = await api.get('/metrics');
  return Number(/verigate_gateway_acknowledged_total\{route="smpp"\} (\d+)/.exec(metrics)?.[1] ?? 0);
}

/** Starts `count` verifications, waits until the SMSC accepted them all; then checks each once, timing it. */
async function measure(server: ChildServer, count: number, subject: boolean, round: number): Promise<{ rate: number; p50: number; p99: number }> {
  const api = client(server.port);
  try {
    let service = 'VA' + '0'.repeat(32);
    if (subject) service = String((await api.post('/v2/Services', { FriendlyName: 'Bench' })).body['sid']);
    const before = subject ? await acceptedBySmsc(api) : 0;
    const sids: string[] = [];
    const started = performance.now();
    await pool(count, async (i) => {
      const to = `+491${String(round).padStart(2, '0')}${String(i).padStart(8, '0')}`;
      const { status, body } = await api.post(`/v2/Services/${service}/Verifications`, { To: to, Channel: 'sms' });
      if (status !== 201) throw new Error(`start answered ${status}: ${JSON.stringify(body)}`);
      sids[i] = String(body['sid']);
    });
    const deadline = Date.now() + 120_000;
    while (subject && (await acceptedBySmsc(api)) - before < count) {
      if (Date.now() > deadline) throw new Error('the SMSC did not accept every message in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const rate = (count / (performance.now() - started)) * 1000;
    const latencies: number[] = [];
    for (let i = 0; i < Math.min(count, 1_000); i++) {
      const t0 = performance.now();
      await api.post(`/v2/Services/${service}/VerificationCheck`, { VerificationSid: sids[i]!, Code: '000000' });
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    return { rate, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    await api.close();
  }
}

export async function run(): Promise<BenchResult> {
  const count = envInt('BENCH_VERIFICATIONS', Math.max(500, Math.floor(envInt('BENCH_MESSAGES', 20_000) / 10)));
  const rounds = envInt('BENCH_ROUNDS', 3);
  const stack = await startChildServer({ entry: 'bench/servers/stack-server.ts', label: 'verifier' });
  const bare = await startChildServer({ entry: 'bench/servers/bare-fastify-server.ts', label: 'bare-fastify' });
  const results: { subject: Awaited<ReturnType<typeof measure>>[]; reference: Awaited<ReturnType<typeof measure>>[] } = { subject: [], reference: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      results.reference.push(await measure(bare, count, false, round));
      results.subject.push(await measure(stack, count, true, round));
    }
  } finally {
    await Promise.all([stack.stop(), bare.stop()]);
  }
  const med = (side: 'subject' | 'reference', key: 'rate' | 'p50' | 'p99') => median(results[side].map((r) => r[key]));
  const rows = [
    ['starts per second (SMS accepted by the SMSC)', Math.round(med('reference', 'rate')), Math.round(med('subject', 'rate')), `${Math.round((med('subject', 'rate') / med('reference', 'rate')) * 100)}%`],
    ['check latency p50 (ms)', med('reference', 'p50').toFixed(2), med('subject', 'p50').toFixed(2), `${(med('subject', 'p50') / med('reference', 'p50')).toFixed(1)}×`],
    ['check latency p99 (ms)', med('reference', 'p99').toFixed(2), med('subject', 'p99').toFixed(2), `${(med('subject', 'p99') / med('reference', 'p99')).toFixed(1)}×`],
  ];
  for (const row of rows) console.log(`verify: ${row.join(' | ')}`);
  return {
    title: 'Verify API',
    markdown: [
      markdownTable(['measure', 'bare fastify route', 'verigate', 'verigate vs bare'], rows),
      '',
      `- **Verigate**: simulator and verifier in one child process (as \`verigate start\`), SQLite \`:memory:\`, fraud guard off.`,
      `  ${count} verifications started by ${CONCURRENCY} concurrent HTTP clients; the clock stops when the SMSC has`,
      '  accepted every SMS (the verifier\'s `verigate_gateway_acknowledged_total`). Then up to 1,000 checks, one at a time.',
      '- **Reference**: a bare fastify route in its own process that parses the same form, checks the same Basic auth',
      '  and answers the same JSON shape, with no storage and no carrier.',
      `- ${rounds} rounds alternated, medians shown. Measured on: ${machineLine()}.`,
    ].join('\n'),
  };
}
