// The gateway against the simulator running as a separate process, using its per-number behaviours.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Gateway } from '../../gateway/gateway';
import { CommandStatus, parseSmppUrl } from '../../gateway/smpp';
import { openSqliteOutbox, type OutboxRepository } from '../../gateway/outbox';
import { startSimulatorProcess, type CliProcess } from '../support/cli-process';
import { waitFor } from '../support/wait-for';
import { compileWorker } from '../support/compile-worker';

const sid = 'AC' + 'ef'.repeat(16);
const token = 'gateway-e2e-token';
const env = { VERIGATE_ACCOUNT_SID: sid, VERIGATE_AUTH_TOKEN: token };
const auth = { authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}` };
const dir = mkdtempSync(join(tmpdir(), 'verigate-gw-'));
const cleanups: (() => Promise<unknown> | unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function simulatorProcess(extra: string[] = []): Promise<CliProcess & { smppPort: number; httpPort: number }> {
  const sim = await startSimulatorProcess(['--receipt-delay', '0', ...extra], env);
  cleanups.push(() => sim.kill('SIGKILL'));
  return sim;
}

/** An outbox of its own in `file`, closed after the test. */
function outbox(file = ':memory:'): OutboxRepository {
  const opened = openSqliteOutbox(file);
  cleanups.push(opened.close);
  return opened.outbox;
}

function gateway(store: OutboxRepository, smppPort: number, window = 10): Gateway {
  const gw = new Gateway({
    outbox: store,
    smpp: parseSmppUrl(`smpp://verigate:verigate@127.0.0.1:${smppPort}?window=${window}`),
    dispatcher: { pollMs: 50, backoff: { initialMs: 50, maxMs: 300, jitter: 0 } },
    smppClient: { reconnect: { initialMs: 50, maxMs: 300, jitter: 0 }, throttlePauseMs: 100 },
  });
  cleanups.push(() => gw.stop());
  return gw;
}

async function api(port: number, path: string, method = 'GET', body?: unknown): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.status === 204 ? undefined : response.json();
}

function enqueueSms(gw: Gateway, count: number, to: (i: number) => string, expiresAt = Date.now() + 600_000): Promise<string[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => gw.enqueue({ kind: 'sms', payload: { from: 'Verigate', to: to(i), text: `Your code is ${100000 + i}` }, expiresAt })));
}

describe('gateway against the simulator process', () => {
  it('delivers 1,000 messages through a window of 10 and matches every receipt', { timeout: 90_000 }, async () => {
    const sim = await simulatorProcess();
    const store = outbox();
    const gw = gateway(store, sim.smppPort, 10);
    const delivered = new Set<string>();
    gw.on('delivery', (report) => { if (report.outcome === 'delivered') delivered.add(report.outboxId); });
    gw.start();
    const ids = await enqueueSms(gw, 1_000, (i) => `+4916${String(i).padStart(9, '0')}`);
    await waitFor('1,000 receipts', () => delivered.size === 1_000, 60_000);
    expect((await gw.outbox.counts())).toMatchObject({ sent: 1_000, pending: 0, failed: 0 });
    expect([...delivered].sort()).toEqual([...ids].sort());
    const messages = (await api(sim.httpPort, '/api/messages?limit=2000')) as { messages: unknown[] };
    expect(messages.messages).toHaveLength(1_000);
  });

  it('retries throttled and queue-full answers until delivered, and fails a rejected destination with its status', { timeout: 40_000 }, async () => {
    const sim = await simulatorProcess();
    await api(sim.httpPort, '/api/behaviours/4916100000001', 'PUT', { sms: 'throttled' });
    await api(sim.httpPort, '/api/behaviours/4916100000002', 'PUT', { sms: 'queue-full' });
    await api(sim.httpPort, '/api/behaviours/4916100000003', 'PUT', { sms: 'rejected' });
    const store = outbox();
    const gw = gateway(store, sim.smppPort);
    let retries = 0;
    gw.dispatcher.on('retry', () => retries++);
    gw.start();
    const [throttled, queueFull, rejected] = await enqueueSms(gw, 3, (i) => `+491610000000${i + 1}`);
    // A throttled submit is first resubmitted by the link itself, at its slowed pace, then handed back.
    await waitFor('the throttled one back in the outbox', async () => (await gw.outbox.get(throttled!))?.smppStatus === CommandStatus.ESME_RTHROTTLED, 15_000);
    expect(retries).toBeGreaterThanOrEqual(2);
    await waitFor('the rejected one to fail', async () => (await gw.outbox.get(rejected!))?.status === 'failed');
    expect((await gw.outbox.get(rejected!))).toMatchObject({ status: 'failed', smppStatus: CommandStatus.ESME_RINVDSTADR });
    expect((await gw.outbox.get(throttled!))).toMatchObject({ status: 'pending', smppStatus: CommandStatus.ESME_RTHROTTLED });
    await api(sim.httpPort, '/api/behaviours', 'DELETE');
    await waitFor('both retried to success', async () => (await gw.outbox.get(throttled!))?.status === 'sent' && (await gw.outbox.get(queueFull!))?.status === 'sent', 10_000);
    expect((await gw.outbox.get(throttled!))!.attempts).toBeGreaterThan(1);
  });

  it('never sends a message past its expiry', async () => {
    const sim = await simulatorProcess();
    const store = outbox();
    const gw = gateway(store, sim.smppPort);
    gw.start();
    await gw.smppClient!.waitUntilBound();
    const [late] = await enqueueSms(gw, 1, () => '+4916200000001', Date.now() - 1);
    await waitFor('expiry', async () => (await gw.outbox.get(late!))?.status === 'expired');
    expect(((await api(sim.httpPort, '/api/messages')) as { messages: unknown[] }).messages).toHaveLength(0);
  });

  it('rebinds after the simulator is killed and restarted mid-run: every accepted message reaches the SMSC, at most a window of them twice', { timeout: 60_000 }, async () => {
    const data = join(dir, 'sim-restart.db');
    let sim = await simulatorProcess(['--data', data]);
    const port = sim.smppPort;
    const store = outbox();
    const window = 10;
    const gw = gateway(store, port, window);
    gw.start();
    const ids = await enqueueSms(gw, 300, (i) => `+4916300${String(i).padStart(6, '0')}`);
    await waitFor('some sent', async () => (await gw.outbox.counts()).sent >= 50, 15_000);
    await sim.kill('SIGKILL');
    sim = await simulatorProcess(['--data', data, '--smpp-port', String(port)]);
    await waitFor('everything sent', async () => (await gw.outbox.counts()).sent === ids.length, 25_000);
    const { messages } = (await api(sim.httpPort, '/api/messages?limit=5000')) as { messages: { text: string }[] };
    const texts = messages.map((m) => m.text);
    const distinct = new Set(texts);
    for (let i = 0; i < ids.length; i++) expect(distinct.has(`Your code is ${100000 + i}`)).toBe(true);
    const duplicates = texts.length - distinct.size;
    process.stdout.write(`simulator restart: ${ids.length} messages, ${duplicates} duplicates at the SMSC\n`);
    // Only the submits in flight when the SMSC died (at most one window) can have been stored without
    // their answer reaching the gateway, and so be sent again after the rebind.
    expect(duplicates).toBeLessThanOrEqual(window);
  });

  it('after a SIGKILL mid-burst, resends under 1 % twice and resumes at once on restart, not after the dead lease', async () => {
    const rows = 1_200;
    const window = 10;
    const sim = await simulatorProcess();
    const file = join(dir, 'gateway.db');
    const store = outbox(file);
    const ids = await Promise.all(Array.from({ length: rows }, (_, i) =>
      store.enqueue({ kind: 'sms', payload: { from: 'Verigate', to: `+4916400${String(i).padStart(6, '0')}`, text: `row ${i}` }, expiresAt: Date.now() + 600_000 }, Date.now())));
    const worker = await compileWorker();
    const url = `smpp://verigate:verigate@127.0.0.1:${sim.smppPort}?window=${window}&tps=400`;
    // A lease far longer than the test: only reclaiming the dead owner's leases at start lets the restart finish.
    const leaseMs = 120_000;
    const run = () => {
      const child = spawn(process.execPath, [worker, file, url, String(leaseMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const seen = { sent: 0, ready: 0, firstSent: 0, reclaimed: 0 };
      child.stdout.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        if (!seen.ready && /^ready$/m.test(text)) seen.ready = Date.now();
        for (const match of text.matchAll(/^reclaimed (\d+) /gm)) seen.reclaimed += Number(match[1]);
        seen.sent += (text.match(/^sent /gm) ?? []).length;
        if (seen.sent > 0 && !seen.firstSent) seen.firstSent = Date.now();
      });
      cleanups.push(() => child.kill('SIGKILL'));
      return { child, seen };
    };
    const first = run();
    await waitFor('the first worker to send some', () => first.seen.sent >= 300, 20_000);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const atKill = await store.counts();
    expect(atKill.sent).toBeLessThan(rows);
    // The dead worker still holds leases (for two minutes): only reclaiming them lets the restart finish in time.
    expect(await store.leaseOwners(Date.now())).toHaveLength(1);
    const second = run();
    await waitFor('every row sent', async () => (await store.counts()).sent === rows, 15_000);
    expect(second.seen.reclaimed).toBeGreaterThan(0);
    expect(second.seen.reclaimed).toBeLessThanOrEqual(atKill.pending);
    const { messages } = (await api(sim.httpPort, `/api/messages?limit=${rows * 2}`)) as { messages: { text: string }[] };
    const distinct = new Set(messages.map((m) => m.text));
    expect(distinct.size).toBe(ids.length);
    const duplicates = messages.length - distinct.size;
    process.stdout.write(`gateway SIGKILL: ${rows} rows, ${duplicates} sent twice (${((100 * duplicates) / rows).toFixed(2)} %), ` +
      `first send ${second.seen.firstSent - second.seen.ready} ms after restart, ${second.seen.reclaimed} leased rows reclaimed\n`);
    // Only the submits outstanding at the SMSC when the process died can go out twice: at most one window.
    expect(duplicates).toBeLessThanOrEqual(window);
    expect(duplicates / rows).toBeLessThan(0.01);
  }, 60_000);
});
