/**
 * Flat with size: what a start and a check cost the verifier (server CPU per operation) on a database that
 * holds BENCH_HISTORY finished verifications (default 1,000,000, each with its attempt), next to the same
 * verifier on an empty database, in the same run. Both run as shipped (`verigate verifier --data FILE`,
 * defaults: fraud guard on, info logging), side by side on one `verigate simulator`, measured in turns.
 *
 * The history is written through the storage repositories before the verifiers start: spread over the
 * last 20 days (inside the retention period, outside every limit's window) and over the very numbers the
 * measured starts use, so that whatever a start or a check reads per number, service or prefix has the
 * whole history to walk if it walks at all.
 *
 * Env: BENCH_HISTORY (default 1000000), BENCH_VERIFICATIONS (starts and checks per turn, default 2000),
 * BENCH_ROUNDS (default 2).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { newSid } from '../verifier/ids';
import { DEFAULT_SERVICE_SETTINGS } from '../verifier/service-settings';
import { openStorage } from '../verifier/store/open-storage';
import type { Verification } from '../verifier/store/verification-repository';
import { startCli, type CliChild } from './lib/cli-child';
import { machineLine, markdownTable, type BenchResult } from './lib/results';
import { envInt, median } from './lib/stats';
import { BENCH_ACCOUNT_SID, BENCH_AUTH_TOKEN } from './servers/bench-credentials';

const CONCURRENCY = 20;
const DAY = 86_400_000;
const authorization = `Basic ${Buffer.from(`${BENCH_ACCOUNT_SID}:${BENCH_AUTH_TOKEN}`).toString('base64')}`;
const credentialsEnv = { VERIGATE_ACCOUNT_SID: BENCH_ACCOUNT_SID, VERIGATE_AUTH_TOKEN: BENCH_AUTH_TOKEN };
const SERVICE = `VA${'be'.repeat(16)}`;
const agent = new Agent({ connections: CONCURRENCY * 2 });

/** 900 prefixes of 5 digits, so the fraud guard sees a few starts per prefix; `turn` keeps each turn's numbers fresh. */
const numberFor = (i: number, turn: number) => `+49${100 + (i % 900)}${turn}${String(i).padStart(6, '0')}`;

async function post(url: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await request(url, {
    method: 'POST', dispatcher: agent,
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

async function pool(count: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) await task(next++);
  }));
}

/** The service, and `history` finished verifications with their attempts over the numbers of every turn. */
async function seed(file: string, history: number, numbers: number, turns: number): Promise<void> {
  const storage = await openStorage({ dataFile: file });
  try {
    const now = Date.now();
    await storage.services.insert({
      sid: SERVICE, accountSid: BENCH_ACCOUNT_SID, friendlyName: 'Bench', codeLength: 6, psd2Enabled: false, doNotShareWarningEnabled: false,
      customCodeEnabled: false, verificationTtl: 600, statusCallback: null, settings: DEFAULT_SERVICE_SETTINGS, createdAt: now - 30 * DAY, updatedAt: now - 30 * DAY,
    });
    const statuses = ['approved', 'approved', 'approved', 'expired', 'canceled'] as const;
    for (let done = 0; done < history; done += 1_000) {
      await storage.transaction(async (tx) => {
        for (let k = done; k < Math.min(history, done + 1_000); k++) {
          const at = now - DAY - Math.floor((k / history) * 19 * DAY);
          const verification: Verification = {
            sid: newSid('VE'), serviceSid: SERVICE, accountSid: BENCH_ACCOUNT_SID, to: numberFor(k % numbers, k % turns), channel: 'sms',
            status: statuses[k % statuses.length]!, codeNonce: null, codeHash: 'history', customCode: false, locale: null, customFriendlyName: null,
            amount: null, payee: null, checks: 1, sends: 1, pageSession: null, codeLength: 6, expiresAt: at + 600_000, createdAt: at, updatedAt: at + 30_000,
          };
          await tx.verifications.insert(verification);
          await tx.attempts.insert({
            sid: newSid('VL'), verificationSid: verification.sid, serviceSid: SERVICE, to: verification.to, channel: 'sms', outboxId: null,
            deliveryStatus: 'delivered', callSid: null, tokenExpiresAt: null, error: null, createdAt: at, updatedAt: at + 5_000,
          }, null);
        }
      });
    }
  } finally {
    await storage.close();
  }
}

interface Sample {
  startRate: number;
  startUs: number;
  checkUs: number;
}

/** `count` starts, then a wrong-code check on each, on numbers of `turn`; CPU of the verifier per operation. */
async function measure(verifier: CliChild, count: number, turn: number): Promise<Sample> {
  const base = `http://127.0.0.1:${verifier.ports['Verify API']}/v2/Services/${SERVICE}`;
  const sids: string[] = [];
  let cpu = verifier.cpuTimeMs();
  const started = performance.now();
  await pool(count, async (i) => {
    const { status, body } = await post(`${base}/Verifications`, { To: numberFor(i, turn), Channel: 'sms' });
    if (status !== 201) throw new Error(`start answered ${status}: ${JSON.stringify(body)}`);
    sids[i] = String(body['sid']);
  });
  const startRate = (count * 1000) / (performance.now() - started);
  const startUs = ((verifier.cpuTimeMs() - cpu) * 1000) / count;
  cpu = verifier.cpuTimeMs();
  await pool(count, async (i) => {
    const { status } = await post(`${base}/VerificationCheck`, { VerificationSid: sids[i]!, Code: '000000' });
    if (status !== 200) throw new Error(`check answered ${status}`);
  });
  const checkUs = ((verifier.cpuTimeMs() - cpu) * 1000) / count;
  return { startRate, startUs, checkUs };
}

export async function run(): Promise<BenchResult> {
  const history = envInt('BENCH_HISTORY', 1_000_000);
  const count = envInt('BENCH_VERIFICATIONS', 2_000);
  const rounds = envInt('BENCH_ROUNDS', 2);
  const turns = rounds + 1; // a warm-up turn, then the measured ones
  const dir = mkdtempSync(join(tmpdir(), 'verigate-bench-history-'));
  const files = { empty: join(dir, 'empty.db'), full: join(dir, 'history.db') };
  let simulator: CliChild | undefined;
  const verifiers: Partial<Record<keyof typeof files, CliChild>> = {};
  try {
    const seeding = performance.now();
    await seed(files.empty, 0, count, turns);
    await seed(files.full, history, count, turns);
    console.log(`history: ${history} verifications written in ${Math.round((performance.now() - seeding) / 1000)} s`);
    simulator = await startCli(['simulator', '--sim-port', '0', '--smpp-port', '0', '--log-level', 'warn'], credentialsEnv);
    const smpp = `smpp://verigate:verigate@127.0.0.1:${simulator.ports['SMPP (SMSC)']}`;
    for (const size of ['empty', 'full'] as const) {
      verifiers[size] = await startCli(['verifier', '--verify-port', '0', '--data', files[size], '--smpp', smpp], credentialsEnv);
    }
    const samples: Record<'empty' | 'full', Sample[]> = { empty: [], full: [] };
    for (let turn = 0; turn < turns; turn++) {
      const order = turn % 2 === 0 ? (['empty', 'full'] as const) : (['full', 'empty'] as const);
      for (const size of order) {
        const sample = await measure(verifiers[size]!, count, turn);
        if (turn > 0) samples[size].push(sample);
        console.log(`  turn ${turn}${turn === 0 ? ' (warm-up)' : ''}  ${size.padEnd(5)}  ${Math.round(sample.startRate)} starts/s  start ${Math.round(sample.startUs)} µs  check ${Math.round(sample.checkUs)} µs (server CPU)`);
      }
    }
    const of = (size: 'empty' | 'full', pick: (s: Sample) => number) => median(samples[size].map(pick));
    const row = (label: string, pick: (s: Sample) => number, digits = 0) => {
      const empty = of('empty', pick);
      const full = of('full', pick);
      return [label, empty.toFixed(digits), full.toFixed(digits), `${((full / empty - 1) * 100).toFixed(0)} %`];
    };
    const table = markdownTable(['measure', 'empty database', `${history.toLocaleString('en')} stored`, 'difference'], [
      row('server CPU per start (µs)', (s) => s.startUs),
      row('server CPU per check (µs)', (s) => s.checkUs),
      row('starts per second', (s) => s.startRate),
    ]);
    console.log(`\n${table}\n`);
    return {
      title: 'Flat with size: a million stored verifications',
      markdown: [
        table,
        '',
        `- Two \`verigate verifier --data FILE\` processes as shipped (fraud guard on, info logging), one on an empty database and`,
        `  one on a database holding ${history.toLocaleString('en')} finished verifications with their attempts, on one \`verigate simulator\`;`,
        `  measured in turns (${rounds} after a warm-up, medians): ${count} starts from ${CONCURRENCY} concurrent clients, then a wrong-code`,
        '  check on each. Server CPU is the verifier process\'s, divided by the operations. Goal: within 10 % of the empty database.',
        '- The history is spread over the last 20 days and over the numbers (and so the prefixes) the measured starts use.',
        `- Measured on: ${machineLine()}.`,
      ].join('\n'),
    };
  } finally {
    await Promise.allSettled([...Object.values(verifiers).map((v) => v.stop()), simulator?.stop()]);
    await agent.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
