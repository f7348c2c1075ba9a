import { describe, expect, it } from 'vitest';
import type { OutboxRepository } from '../../gateway/outbox';
import { T0 } from './core-fixtures';
import { freshStorage, type OpenStorage } from './surface-fixtures';

const sms = (to: string, expiresAt = T0 + 600_000) => ({ kind: 'sms' as const, payload: { to, text: `to ${to}` }, expiresAt });

async function enqueued(outbox: OutboxRepository, count: number, now = T0): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await outbox.enqueue(sms(`+4915100${String(i).padStart(5, '0')}`), now));
  return ids;
}

export function describeOutboxContract(open: OpenStorage): void {
  describe('outbox', () => {
    const s = freshStorage(open);

    it('stores a row as enqueued, with a given id or a fresh one, pending and due at once', async () => {
      const { outbox } = s.storage;
      const id = await outbox.enqueue({ ...sms('+4915100000001'), id: 'OB-given' }, T0);
      expect(id).toBe('OB-given');
      const fresh = await outbox.enqueue({ kind: 'call', payload: { from: '+1', to: '+2', url: 'https://example.test/rcml' }, expiresAt: T0 + 60_000 }, T0);
      expect(fresh).toMatch(/^OB[0-9a-f]{32}$/);
      expect(await outbox.get(id)).toEqual({
        id, kind: 'sms', payload: { to: '+4915100000001', text: 'to +4915100000001' }, status: 'pending', attempts: 0, nextAttemptAt: T0,
        expiresAt: T0 + 600_000, route: null, result: null, lastError: null, smppStatus: null, createdAt: T0, finishedAt: null,
      });
      expect(await outbox.counts()).toEqual({ pending: 2, sent: 0, failed: 0, expired: 0 });
      expect(await outbox.nextDueAt()).toBe(T0);
      expect(await outbox.get('OB-none')).toBeUndefined();
    });

    it('gives fresh ids in the order of their enqueue time, distinct within one millisecond', async () => {
      const { outbox } = s.storage;
      const sameTime = await Promise.all(Array.from({ length: 50 }, (_, i) => outbox.enqueue(sms(`+49151000001${String(i).padStart(2, '0')}`), T0 + 1)));
      const earlier = await outbox.enqueue(sms('+4915100000200'), T0);
      const later = await outbox.enqueue(sms('+4915100000201'), T0 + 2);
      expect(new Set(sameTime).size).toBe(50);
      for (const id of sameTime) expect(earlier < id && id < later).toBe(true);
    });

    it('never leases one row to two claimers: 200 rows claimed concurrently by two owners are split, each once', async () => {
      const { outbox } = s.storage;
      const ids = await enqueued(outbox, 200);
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => outbox.claimDue(i % 2 === 0 ? 'owner-a' : 'owner-b', T0, 5_000, 15)));
      const claimed = claims.flat().map((row) => row.id);
      expect(claimed).toHaveLength(200);
      expect(new Set(claimed).size).toBe(200);
      expect(new Set(claimed)).toEqual(new Set(ids));
      expect(claims.flat().every((row) => row.attempts === 1)).toBe(true);
      expect(await outbox.claimDue('owner-c', T0 + 4_999, 5_000, 10)).toEqual([]);
      expect((await outbox.leaseOwners(T0)).sort()).toEqual(['owner-a', 'owner-b']);
      // Leases end: the rows are due again, for anyone.
      expect(await outbox.nextDueAt()).toBe(T0 + 5_000);
      expect(await outbox.claimDue('owner-c', T0 + 5_000, 5_000, 500)).toHaveLength(200);
    });

    it('lets only the lease owner mark a row; renewing keeps it, releasing frees it', async () => {
      const { outbox } = s.storage;
      const [a, b, c] = await enqueued(outbox, 3);
      await outbox.claimDue('owner-a', T0, 1_000, 3);
      await outbox.markSent(a!, 'owner-b', 'smpp', { by: 'b' }, T0 + 1);
      expect(await outbox.get(a!)).toMatchObject({ status: 'pending' });
      expect(await outbox.renewLeases('owner-a', T0 + 10_000)).toBe(3);
      expect(await outbox.claimDue('owner-b', T0 + 5_000, 1_000, 3)).toEqual([]);
      await outbox.markSent(a!, 'owner-a', 'smpp', { messageIds: ['1'] }, T0 + 2);
      await outbox.markRetry(b!, 'owner-a', 'throttled', 0x58, T0 + 3_000);
      await outbox.markFinal(c!, 'owner-a', 'failed', 'bad destination', 0x0b, T0 + 3);
      expect(await outbox.get(a!)).toMatchObject({ status: 'sent', route: 'smpp', result: { messageIds: ['1'] }, finishedAt: T0 + 2 });
      expect(await outbox.get(b!)).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 3_000, lastError: 'throttled', smppStatus: 0x58 });
      expect(await outbox.get(c!)).toMatchObject({ status: 'failed', lastError: 'bad destination', smppStatus: 0x0b, finishedAt: T0 + 3 });
      expect(await outbox.counts()).toEqual({ pending: 1, sent: 1, failed: 1, expired: 0 });
      // A waiting retry is due at once when its link is back; a leased row is left alone.
      expect(await outbox.wakeWaiting('sms', T0 + 10)).toBe(1);
      expect((await outbox.claimDue('owner-b', T0 + 10, 1_000, 5)).map((row) => row.id)).toEqual([b]);
      expect(await outbox.releaseLeases('owner-b')).toBe(1);
      expect((await outbox.claimDue('owner-c', T0 + 11, 1_000, 5)).map((row) => [row.id, row.attempts])).toEqual([[b, 3]]);
    });

    it('matches a receipt to the part it names; keeps one that came first and applies it when the send is recorded', async () => {
      const { outbox } = s.storage;
      const [id] = await enqueued(outbox, 1);
      await outbox.claimDue('me', T0, 1_000, 1);
      expect(await outbox.recordDelivery('m2', 'delivered', 'DELIVRD', '000', T0)).toBeUndefined();
      expect(await outbox.recordDelivery('m-other', 'delivered', 'DELIVRD', '000', T0)).toBeUndefined();
      expect(await outbox.earlyReceiptCount()).toBe(2);
      const early = await outbox.markSent(id!, 'me', 'smpp', {}, T0 + 1, ['m1', 'm2']);
      expect(early).toEqual([{ outboxId: id, messageId: 'm2', part: 2, delivery: 'delivered', stat: 'DELIVRD', parts: [{ delivery: 'pending' }, { delivery: 'delivered' }] }]);
      expect(await outbox.earlyReceiptCount()).toBe(1);
      expect(await outbox.recordDelivery('m1', 'undelivered', 'UNDELIV', '001', T0 + 2))
        .toEqual({ outboxId: id, messageId: 'm1', part: 1, delivery: 'undelivered', stat: 'UNDELIV', parts: [{ delivery: 'undelivered' }, { delivery: 'delivered' }] });
      expect(await outbox.pruneEarlyReceipts(T0 + 1, 10)).toBe(1);
      expect(await outbox.earlyReceiptCount()).toBe(0);
    });

    it('prunes finished rows older than a time in batches, never pending ones', async () => {
      const { outbox } = s.storage;
      const ids = await enqueued(outbox, 4);
      await outbox.claimDue('me', T0, 1_000, 3);
      for (const id of ids.slice(0, 3)) await outbox.markSent(id, 'me', 'smpp', {}, T0 + 1, [`part-${id}`]);
      expect(await outbox.pruneFinished(T0 + 1, 10)).toBe(0);
      expect(await outbox.pruneFinished(T0 + 2, 2)).toBe(2);
      expect(await outbox.pruneFinished(T0 + 2, 2)).toBe(1);
      expect(await outbox.counts()).toEqual({ pending: 1, sent: 0, failed: 0, expired: 0 });
    });

    it('records opt-outs and opt-ins by number', async () => {
      const { outbox } = s.storage;
      expect(await outbox.isOptedOut('+4915100000001')).toBe(false);
      await outbox.recordOptOut('+4915100000001', 'STOP', T0);
      await outbox.recordOptOut('+4915100000001', 'UNSUBSCRIBE', T0 + 1);
      expect(await outbox.isOptedOut('+4915100000001')).toBe(true);
      expect(await outbox.isOptedOut('+4915100000002')).toBe(false);
      await outbox.clearOptOut('+4915100000001');
      expect(await outbox.isOptedOut('+4915100000001')).toBe(false);
    });
  });
}
