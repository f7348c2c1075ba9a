import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher, openSqliteOutbox, type OutboxRepository, type OutboxRow } from '../../../../gateway/outbox';
import { waitFor } from '../../../support/wait-for';

const dirs: string[] = [];
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dbFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'verigate-outbox-'));
  dirs.push(dir);
  return join(dir, 'outbox.db');
}

/** An outbox in `file` (a connection of its own), closed after the test. */
function outbox(file = ':memory:'): OutboxRepository {
  const opened = openSqliteOutbox(file);
  stops.push(opened.close);
  return opened.outbox;
}

function dispatcher(store: OutboxRepository, send: (row: OutboxRow) => Promise<unknown>, leaseMs = 5_000): Dispatcher {
  const d = new Dispatcher({
    store,
    sender: { send: async (row) => ({ route: 'test', result: { by: await send(row) } }) },
    pollMs: 10,
    leaseMs,
    concurrency: 5,
    backoff: { initialMs: 10, maxMs: 20, jitter: 0 },
  });
  stops.push(() => d.stop());
  return d;
}

describe('outbox dispatcher', () => {
  it('never lets two dispatchers on one database send the same row', async () => {
    const file = dbFile();
    const a = outbox(file);
    const b = outbox(file);
    const sends = new Map<string, number>();
    const send = async (row: OutboxRow) => {
      sends.set(row.id, (sends.get(row.id) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 2));
    };
    const ids = await Promise.all(Array.from({ length: 200 }, (_, i) => a.enqueue({ kind: 'sms', payload: { to: `+1${i}`, text: 'x' }, expiresAt: Date.now() + 60_000 }, Date.now())));
    dispatcher(a, send).start();
    dispatcher(b, send).start();
    await waitFor('all sent', async () => (await a.counts()).sent === ids.length, 10_000);
    expect([...sends.values()].every((n) => n === 1)).toBe(true);
    expect(sends.size).toBe(ids.length);
  });

  it("picks up a dead dispatcher's leased rows once the lease runs out", async () => {
    const store = outbox();
    const id = await store.enqueue({ kind: 'sms', payload: { to: '+1', text: 'x' }, expiresAt: Date.now() + 60_000 }, Date.now());
    expect((await store.claimDue('dead-instance', Date.now(), 100, 10)).map((r) => r.id)).toEqual([id]);
    const survivor = dispatcher(store, async () => 'survivor');
    survivor.start();
    await waitFor('the row sent by the survivor', async () => (await store.get(id))?.status === 'sent', 3_000);
    expect(await store.get(id)).toMatchObject({ attempts: 2, result: { by: 'survivor' } });
  });

  it('retries temporary failures, fails permanent ones with their status, and expires what cannot be sent in time', async () => {
    const store = outbox();
    const now = Date.now();
    const flaky = await store.enqueue({ kind: 'sms', payload: { to: '+1', text: 'flaky' }, expiresAt: now + 60_000 }, now);
    const doomed = await store.enqueue({ kind: 'sms', payload: { to: '+2', text: 'doomed' }, expiresAt: now + 60_000 }, now);
    const hopeless = await store.enqueue({ kind: 'sms', payload: { to: '+3', text: 'hopeless' }, expiresAt: now + 200 }, now);
    let flakyTries = 0;
    const d = dispatcher(store, async (row) => {
      const text = (row.payload as { text: string }).text;
      if (text === 'flaky' && ++flakyTries < 3) throw Object.assign(new Error('throttled'), { temporary: true, smppStatus: 0x58 });
      if (text === 'doomed') throw Object.assign(new Error('bad destination'), { temporary: false, smppStatus: 0x0b });
      if (text === 'hopeless') throw new Error('link down');
      return 'ok';
    });
    d.start();
    const statuses = async () => Promise.all([flaky, doomed, hopeless].map(async (id) => (await store.get(id))?.status));
    await waitFor('all three settled', async () => !(await statuses()).includes('pending'), 5_000);
    expect(await store.get(flaky)).toMatchObject({ status: 'sent', attempts: 3 });
    expect(await store.get(doomed)).toMatchObject({ status: 'failed', smppStatus: 0x0b, lastError: 'bad destination' });
    expect(await store.get(hopeless)).toMatchObject({ status: 'expired' });
  });

  it('applies a receipt that arrived before its send was recorded to that message only, under the very same key', async () => {
    const store = outbox();
    const id = await store.enqueue({ kind: 'sms', payload: { to: '+1', text: 'x' }, expiresAt: Date.now() + 1_000 }, Date.now());
    await store.claimDue('me', Date.now(), 1_000, 1);
    expect(await store.recordDelivery('10', 'delivered', 'DELIVRD', '000', Date.now())).toBeUndefined();
    expect(await store.recordDelivery('4660', 'undelivered', 'UNDELIV', '001', Date.now())).toBeUndefined();
    const early = await store.markSent(id, 'me', 'smpp', {}, Date.now(), ['10', '255']);
    expect(early).toMatchObject([{ outboxId: id, messageId: '10', part: 1, delivery: 'delivered', parts: [{ delivery: 'delivered' }, { delivery: 'pending' }] }]);
    // 4660 is still waiting for its own message; 'ff' is another id, not 255 read in hex.
    expect(await store.earlyReceiptCount()).toBe(1);
    expect(await store.recordDelivery('ff', 'undelivered', 'UNDELIV', '001', Date.now())).toBeUndefined();
    expect(await store.recordDelivery('255', 'undelivered', 'UNDELIV', '001', Date.now())).toMatchObject({ part: 2, delivery: 'undelivered' });
  });

  it('expires receipts that never meet their message, in batches', async () => {
    const store = outbox();
    for (let i = 0; i < 5; i++) await store.recordDelivery(`orphan-${i}`, 'delivered', 'DELIVRD', '000', 1_000 + i);
    await store.recordDelivery('recent', 'delivered', 'DELIVRD', '000', 9_000);
    expect(await store.pruneEarlyReceipts(5_000, 3)).toBe(3);
    expect(await store.pruneEarlyReceipts(5_000, 3)).toBe(2);
    expect(await store.pruneEarlyReceipts(5_000, 3)).toBe(0);
    expect(await store.earlyReceiptCount()).toBe(1);
  });
});
