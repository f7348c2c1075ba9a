import { describe, expect, it } from 'vitest';
import { newSid } from '../../verifier/ids';
import type { Attempt } from '../../verifier/store/attempt-repository';
import type { Service } from '../../verifier/store/service-repository';
import type { VerifierStorage } from '../../verifier/store/storage';
import type { Channel, Verification } from '../../verifier/store/verification-repository';
import { ACCOUNT, freshStorage, storedService, type OpenStorage } from './surface-fixtures';

async function sent(storage: VerifierStorage, service: Service, to: string, channel: Channel, at: number, attempts = 1): Promise<{ verification: Verification; attempts: Attempt[] }> {
  const verification: Verification = {
    sid: newSid('VE'), serviceSid: service.sid, accountSid: ACCOUNT, to, channel, status: 'pending', codeNonce: null, codeHash: 'hash', customCode: false,
    locale: null, customFriendlyName: null, amount: null, payee: null, checks: 0, sends: attempts, pageSession: null, codeLength: 6,
    expiresAt: at + 600_000, createdAt: at, updatedAt: at,
  };
  await storage.verifications.insert(verification);
  const made: Attempt[] = [];
  for (let i = 0; i < attempts; i++) {
    const attempt: Attempt = {
      sid: newSid('VL'), verificationSid: verification.sid, serviceSid: service.sid, to, channel, outboxId: null, deliveryStatus: 'delivered',
      callSid: null, tokenExpiresAt: null, error: null, createdAt: at + i, updatedAt: at + i,
    };
    await storage.attempts.insert(attempt, null);
    made.push(attempt);
  }
  return { verification, attempts: made };
}

export function describeAttemptReportContract(open: OpenStorage): void {
  describe('attempt reports', () => {
    const s = freshStorage(open);

    it('reports attempts with their verification\'s status, newest first, filtered by every field', async () => {
      const { storage } = s;
      const service = await storedService(storage);
      const other = await storedService(storage);
      const de = await sent(storage, service, '+4915112345678', 'sms', 1_000, 2);
      const fr = await sent(storage, other, '+33612345678', 'call', 2_000);
      await storage.verifications.settle(de.verification.sid, 'approved', 3_000);

      const all = await storage.attemptReports.find({ accountSid: ACCOUNT });
      expect(all.map((a) => a.sid)).toEqual([fr.attempts[0]!.sid, de.attempts[1]!.sid, de.attempts[0]!.sid]);
      expect(all[1]).toEqual({
        sid: de.attempts[1]!.sid, accountSid: ACCOUNT, serviceSid: service.sid, verificationSid: de.verification.sid, to: '+4915112345678', channel: 'sms',
        deliveryStatus: 'delivered', verificationStatus: 'approved', createdAt: 1_001, updatedAt: 1_001,
      });
      const sids = async (filter: Omit<Parameters<VerifierStorage['attemptReports']['find']>[0], 'accountSid'>) =>
        (await storage.attemptReports.find({ accountSid: ACCOUNT, ...filter })).map((a) => a.sid);
      expect(await sids({ sid: fr.attempts[0]!.sid })).toEqual([fr.attempts[0]!.sid]);
      expect(await sids({ serviceSid: other.sid })).toEqual([fr.attempts[0]!.sid]);
      expect(await sids({ verificationSid: de.verification.sid })).toHaveLength(2);
      expect(await sids({ to: '+33612345678' })).toEqual([fr.attempts[0]!.sid]);
      expect(await sids({ channel: 'sms' })).toHaveLength(2);
      expect(await sids({ createdAfter: 1_001, createdBefore: 2_000 })).toEqual([de.attempts[1]!.sid]);
      expect(await sids({ converted: true })).toHaveLength(2);
      expect(await sids({ converted: false })).toEqual([fr.attempts[0]!.sid]);
      expect(await storage.attemptReports.find({ accountSid: 'AC00000000000000000000000000000009' })).toEqual([]);
    });
  });
}
