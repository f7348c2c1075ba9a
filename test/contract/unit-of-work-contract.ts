import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSmppUrl } from '../../gateway/smpp';
import { buildVerifier, VERIFY_ERRORS } from '../../verifier';
import type { VerifierStorage } from '../../verifier/store/storage';
import { credentials } from '../support/simulator-harness';
import { anAttempt, aService, aVerification, storedVerification, T0 } from './core-fixtures';
import { ACCOUNT, freshStorage, type OpenStorage } from './surface-fixtures';

/** The verifier's engine wired on `storage` as `verigate verifier` wires it; never started (nothing is sent). */
async function engineOn(storage: VerifierStorage) {
  // An SMPP route that is configured but never connected: starts may choose SMS, the dispatcher stays off.
  const verifier = await buildVerifier({
    host: '127.0.0.1', port: 0, credentials, dataFile: ':memory:', storage, codeKey: randomBytes(32),
    smpp: parseSmppUrl('smpp://verigate:verigate@127.0.0.1:9'), hostedPages: { enabled: false },
  });
  const service = aService({ accountSid: credentials.accountSid });
  await storage.services.insert(service);
  return { engine: verifier.engine, service };
}

const codeOf = (error: unknown) => (error as { code?: number }).code;

export function describeUnitOfWorkContract(open: OpenStorage): void {
  describe('unit of work', () => {
    const s = freshStorage(open);

    it('commits a verification, its attempt and its outbox row together', async () => {
      const service = aService();
      await s.storage.services.insert(service);
      const verification = aVerification(service);
      await s.storage.transaction(async (tx) => {
        await tx.verifications.insert(verification);
        const outboxId = await tx.outbox.enqueue({ kind: 'sms', payload: { verificationSid: verification.sid, attemptSid: 'VL1' }, expiresAt: T0 + 1 }, T0);
        await tx.attempts.insert(anAttempt(verification, { outboxId }), null);
      });
      const [attempt] = await s.storage.attempts.of(verification.sid);
      expect(await s.storage.verifications.bySid(verification.sid)).toEqual(verification);
      expect(await s.storage.outbox.get(attempt!.outboxId!)).toMatchObject({ status: 'pending', payload: { verificationSid: verification.sid } });
    });

    it('keeps none of them when the work throws, and hands the error back', async () => {
      const service = aService();
      await s.storage.services.insert(service);
      const verification = aVerification(service);
      const failure = new Error('refused after the writes');
      await expect(s.storage.transaction(async (tx) => {
        await tx.verifications.insert(verification);
        await tx.outbox.enqueue({ kind: 'sms', payload: { to: '+1', text: 'x' }, expiresAt: T0 + 1 }, T0);
        await tx.attempts.insert(anAttempt(verification), null);
        throw failure;
      })).rejects.toBe(failure);
      expect(await s.storage.verifications.bySid(verification.sid)).toBeUndefined();
      expect(await s.storage.outbox.counts()).toEqual({ pending: 0, sent: 0, failed: 0, expired: 0 });
    });

    it('never lets a call made outside a transaction join it: it sees what was committed, and survives a rollback', async () => {
      const { verification } = await storedVerification(s.storage);
      let inside!: () => void;
      const written = new Promise<void>((resolve) => { inside = resolve; });
      let release!: () => void;
      const held = new Promise<void>((resolve) => { release = resolve; });
      const transaction = s.storage.transaction(async (tx) => {
        await tx.verifications.countCheck(verification.sid, 5, T0 + 1);
        inside();
        await held;
        throw new Error('rolled back');
      }).catch((error: Error) => error.message);
      await written;
      // Made while the transaction is open: it must neither see its write nor be undone with it.
      const outside = s.storage.verifications.countSend(verification.sid, 5, { channel: 'call', now: T0 + 2 });
      release();
      expect(await transaction).toBe('rolled back');
      expect(await outside).toMatchObject({ checks: 0, sends: 2, channel: 'call' });
      expect(await s.storage.verifications.bySid(verification.sid)).toMatchObject({ checks: 0, sends: 2 });
    });

    it('runs a nested transaction inside the enclosing one', async () => {
      const service = aService();
      await expect(s.storage.transaction(async (tx) => {
        await tx.transaction(async (inner) => inner.services.insert(service));
        throw new Error('outer fails');
      })).rejects.toThrow('outer fails');
      expect(await s.storage.services.get(ACCOUNT, service.sid)).toBeUndefined();
    });
  });

  describe('concurrency through the engine', () => {
    const s = freshStorage(open);

    it('counts exactly 5 of 50 concurrent wrong checks; the other 45 are refused with 60202', async () => {
      const { engine, service } = await engineOn(s.storage);
      const { verification } = await engine.start(service, { to: '+4915112345678', channel: 'sms' });
      const results = await Promise.allSettled(Array.from({ length: 50 }, () => engine.check(service, { verificationSid: verification.sid, code: '0000000000' })));
      const answered = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ status: string }>).value.status);
      expect(answered.sort()).toEqual(['max_attempts_reached', 'pending', 'pending', 'pending', 'pending']);
      const refused = results.filter((r) => r.status === 'rejected').map((r) => codeOf((r as PromiseRejectedResult).reason));
      expect(refused).toEqual(Array(45).fill(VERIFY_ERRORS.MAX_CHECK_ATTEMPTS.code));
      expect(await s.storage.verifications.bySid(verification.sid)).toMatchObject({ checks: 5, status: 'max_attempts_reached' });
    });

    it('keeps concurrent starts for one number to one verification and its send limit: 5 sends of 20 starts, 15 refused with 60203', async () => {
      const { engine, service } = await engineOn(s.storage);
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => engine.start(service, { to: '+4915112345679', channel: 'sms' })));
      const started = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ verification: { sid: string } }>).value.verification.sid);
      expect(started).toHaveLength(5);
      expect(new Set(started).size).toBe(1);
      const refused = results.filter((r) => r.status === 'rejected').map((r) => codeOf((r as PromiseRejectedResult).reason));
      expect(refused).toEqual(Array(15).fill(VERIFY_ERRORS.MAX_SEND_ATTEMPTS.code));
      const attempts = await s.storage.attempts.of(started[0]!);
      expect(attempts).toHaveLength(5);
      expect(await s.storage.verifications.bySid(started[0]!)).toMatchObject({ sends: 5, status: 'pending' });
      // Every send has its outbox row, and nothing else was written.
      expect(await s.storage.outbox.counts()).toEqual({ pending: 5, sent: 0, failed: 0, expired: 0 });
      for (const attempt of attempts) expect(await s.storage.outbox.get(attempt.outboxId!)).toMatchObject({ kind: 'sms', status: 'pending' });
    });
  });
}
