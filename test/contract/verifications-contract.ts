import { describe, expect, it } from 'vitest';
import { newSid } from '../../verifier/ids';
import { anAttempt, aVerification, storedVerification, T0 } from './core-fixtures';
import { freshStorage, type OpenStorage } from './surface-fixtures';

export function describeVerificationContract(open: OpenStorage): void {
  describe('verifications', () => {
    const s = freshStorage(open);

    it('reads a verification by its service and SID, alone or with its service in one read', async () => {
      const { service, verification } = await storedVerification(s.storage, { customCode: true, locale: 'de', amount: '€1', payee: 'Shop' });
      const { verifications } = s.storage;
      expect(await verifications.get(service.sid, verification.sid)).toEqual(verification);
      expect(await verifications.get('VA' + '0'.repeat(32), verification.sid)).toBeUndefined();
      expect(await verifications.bySid(verification.sid)).toEqual(verification);
      expect(await verifications.withService(verification.sid)).toEqual({ verification, service });
      expect(await verifications.withService('VE' + '0'.repeat(32))).toBeUndefined();
    });

    it('finds the newest pending verification of a number, from the API or from one page session only', async () => {
      const { service, verification: older } = await storedVerification(s.storage);
      const { verifications } = s.storage;
      const newer = aVerification(service, { createdAt: T0 + 10 });
      const page = aVerification(service, { createdAt: T0 + 20, pageSession: 'session-a' });
      const approved = aVerification(service, { createdAt: T0 + 30, status: 'approved' });
      for (const v of [newer, page, approved]) await verifications.insert(v);
      expect((await verifications.pendingFor(service.sid, older.to, null))?.sid).toBe(newer.sid);
      expect((await verifications.pendingFor(service.sid, older.to, 'session-a'))?.sid).toBe(page.sid);
      expect(await verifications.pendingFor(service.sid, older.to, 'session-b')).toBeUndefined();
      expect(await verifications.pendingFor(service.sid, '+4915100000000', null)).toBeUndefined();
      expect((await verifications.latestFor(service.sid, older.to, null))?.sid).toBe(approved.sid);
      expect((await verifications.latestFor(service.sid, older.to, 'session-a'))?.sid).toBe(page.sid);
    });

    it('counts sends up to the limit, changing the channel and a new custom code with the count', async () => {
      const { verification } = await storedVerification(s.storage);
      const { verifications } = s.storage;
      const resent = await verifications.countSend(verification.sid, 3, { channel: 'call', now: T0 + 1, code: { hash: 'new-hash', length: 8 } });
      expect(resent).toEqual({ ...verification, sends: 2, channel: 'call', codeHash: 'new-hash', codeLength: 8, updatedAt: T0 + 1 });
      expect(await verifications.countSend(verification.sid, 3, { channel: 'sms', now: T0 + 2 })).toMatchObject({ sends: 3, channel: 'sms', codeHash: 'new-hash' });
      expect(await verifications.countSend(verification.sid, 3, { channel: 'sms', now: T0 + 3 })).toBeUndefined();
      await verifications.settle(verification.sid, 'canceled', T0 + 4);
      expect(await verifications.countSend(verification.sid, 10, { channel: 'sms', now: T0 + 5 })).toBeUndefined();
    });

    it('counts checks only while pending, unexpired and under the limit, and answers the row as counted', async () => {
      const { verification } = await storedVerification(s.storage);
      const { verifications } = s.storage;
      expect(await verifications.countCheck(verification.sid, 2, T0 + 1)).toEqual({ ...verification, checks: 1, updatedAt: T0 + 1 });
      expect((await verifications.countCheck(verification.sid, 2, T0 + 2))?.checks).toBe(2);
      expect(await verifications.countCheck(verification.sid, 2, T0 + 3)).toBeUndefined();
      const { verification: expiring } = await storedVerification(s.storage, { expiresAt: T0 + 100 });
      expect(await verifications.countCheck(expiring.sid, 5, T0 + 100)).toBeUndefined();
      expect((await verifications.bySid(expiring.sid))?.checks).toBe(0);
    });

    it('counts exactly the limit of 50 concurrent checks', async () => {
      const { verification } = await storedVerification(s.storage);
      const counted = await Promise.all(Array.from({ length: 50 }, (_, i) => s.storage.verifications.countCheck(verification.sid, 5, T0 + i)));
      expect(counted.filter(Boolean).map((v) => v!.checks).sort()).toEqual([1, 2, 3, 4, 5]);
      expect((await s.storage.verifications.bySid(verification.sid))?.checks).toBe(5);
    });

    it('settles a pending verification once: of concurrent settles exactly one wins', async () => {
      const { verification } = await storedVerification(s.storage);
      const results = await Promise.all(['approved', 'canceled', 'expired', 'approved'].map((status, i) =>
        s.storage.verifications.settle(verification.sid, status as 'approved', T0 + i)));
      const winners = results.filter(Boolean);
      expect(winners).toHaveLength(1);
      expect(await s.storage.verifications.bySid(verification.sid)).toEqual(winners[0]);
    });

    it('expires what is past its time and returns it; prunes finished rows with their attempts, never pending ones', async () => {
      const { service, verification: due } = await storedVerification(s.storage, { expiresAt: T0 + 50 });
      const { verifications, attempts } = s.storage;
      const later = aVerification(service, { expiresAt: T0 + 5_000 });
      await verifications.insert(later);
      await attempts.insert(anAttempt(due), null);
      expect((await verifications.expireDue(T0 + 100)).map((v) => [v.sid, v.status])).toEqual([[due.sid, 'expired']]);
      expect(await verifications.expireDue(T0 + 100)).toEqual([]);
      expect(await verifications.pruneFinished(T0 + 99, 10)).toBe(0);
      expect(await verifications.pruneFinished(T0 + 101, 10)).toBe(1);
      expect(await attempts.of(due.sid)).toEqual([]);
      expect(await verifications.bySid(later.sid)).toEqual(later);
    });
  });

  describe('attempts', () => {
    const s = freshStorage(open);

    it('stores the attempts of a verification in order, finds one by its call token until it expires, and counts windows', async () => {
      const { service, verification } = await storedVerification(s.storage);
      const { attempts } = s.storage;
      const sms = anAttempt(verification, { outboxId: 'OB1' });
      const call = anAttempt(verification, { channel: 'call', createdAt: T0 + 10, tokenExpiresAt: T0 + 600 });
      await attempts.insert(sms, null);
      await attempts.insert(call, 'token-hash');
      expect(await attempts.of(verification.sid)).toEqual([sms, call]);
      expect(await attempts.get(call.sid)).toEqual(call);
      expect(await attempts.byToken('token-hash', T0 + 599)).toEqual(call);
      expect(await attempts.byToken('token-hash', T0 + 600)).toBeUndefined();
      expect(await attempts.byToken('other-hash', T0)).toBeUndefined();
      expect(await attempts.countSince(verification.sid, T0 - 1)).toBe(2);
      expect(await attempts.countSince(verification.sid, T0)).toBe(1);
      expect(await attempts.countInService(service.sid, T0 - 1)).toBe(2);
      expect(await attempts.countInService('VA' + '0'.repeat(32), T0 - 1)).toBe(0);
    });

    it('changes the delivery of an attempt, by its SID or by its outbox row, keeping what a change leaves out', async () => {
      const { verification } = await storedVerification(s.storage);
      const { attempts } = s.storage;
      const attempt = anAttempt(verification, { outboxId: 'OB2', channel: 'call' });
      await attempts.insert(attempt, null);
      expect(await attempts.updateByOutbox('OB2', { deliveryStatus: 'initiated', callSid: 'CA1' }, T0 + 1))
        .toEqual({ ...attempt, deliveryStatus: 'initiated', callSid: 'CA1', updatedAt: T0 + 1, serviceListens: false });
      expect(await attempts.update(attempt.sid, { deliveryStatus: 'failed', error: 'busy' }, T0 + 2))
        .toEqual({ ...attempt, deliveryStatus: 'failed', callSid: 'CA1', error: 'busy', updatedAt: T0 + 2, serviceListens: false });
      expect(await attempts.updateByOutbox('OB-none', { deliveryStatus: 'sent' }, T0)).toBeUndefined();
      expect(await attempts.update('VL' + '0'.repeat(32), { deliveryStatus: 'sent' }, T0)).toBeUndefined();
    });

    it('says with a changed attempt and with a service whether anyone listens: a StatusCallback or a Webhook', async () => {
      const { storage } = s;
      const quiet = await storedVerification(storage);
      const called = await storedVerification(storage);
      await storage.services.update(called.service.accountSid, called.service.sid, { statusCallback: 'https://example.test/events' }, T0 + 1);
      const hooked = await storedVerification(storage);
      await storage.webhooks.insert({
        sid: newSid('YW'), serviceSid: hooked.service.sid, accountSid: hooked.service.accountSid, friendlyName: 'hook', eventTypes: ['*'],
        status: 'enabled', version: 'v2', webhookUrl: 'https://hooks.example.test/', webhookMethod: 'POST', createdAt: T0, updatedAt: T0,
      });
      const listens: boolean[] = [];
      for (const [i, { verification }] of [quiet, called, hooked].entries()) {
        await storage.attempts.insert(anAttempt(verification, { outboxId: `OB-listen-${i}` }), null);
        listens.push((await storage.attempts.updateByOutbox(`OB-listen-${i}`, { deliveryStatus: 'sent' }, T0 + 2))!.serviceListens);
      }
      expect(listens).toEqual([false, true, true]);
      expect((await storage.services.get(hooked.service.accountSid, hooked.service.sid))!.hasWebhooks).toBe(true);
      expect((await storage.verifications.withService(hooked.verification.sid))!.service.hasWebhooks).toBe(true);
      expect((await storage.verifications.withService(called.verification.sid))!.service.hasWebhooks).toBe(false);
    });

    it("never turns a delivered attempt back into 'sent' when the send's record lands after its receipt", async () => {
      const { verification } = await storedVerification(s.storage);
      const { attempts } = s.storage;
      await attempts.insert(anAttempt(verification, { outboxId: 'OB-late' }), null);
      await attempts.insert(anAttempt(verification, { outboxId: 'OB-order' }), null);
      expect((await attempts.updateByOutbox('OB-late', { deliveryStatus: 'delivered' }, T0 + 2))!.deliveryStatus).toBe('delivered');
      expect((await attempts.updateByOutbox('OB-late', { deliveryStatus: 'sent' }, T0 + 3))!.deliveryStatus).toBe('delivered');
      // In order, the send moves a queued attempt on, and the receipt after it.
      expect((await attempts.updateByOutbox('OB-order', { deliveryStatus: 'sent' }, T0 + 2))!.deliveryStatus).toBe('sent');
      expect((await attempts.updateByOutbox('OB-order', { deliveryStatus: 'delivered' }, T0 + 3))!.deliveryStatus).toBe('delivered');
    });
  });
}
