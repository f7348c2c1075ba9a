import { describe, expect, it } from 'vitest';
import { newSid } from '../../verifier/ids';
import type { Service } from '../../verifier/store/service-repository';
import type { VerifierStorage } from '../../verifier/store/storage';
import type { Challenge, Entity, Factor } from '../../verifier/store/totp-repository';
import { ACCOUNT, freshStorage, storedService, type OpenStorage } from './surface-fixtures';

async function entityWithFactor(storage: VerifierStorage, service: Service, identity: string): Promise<{ entity: Entity; factor: Factor }> {
  const entity = await storage.totp.upsertEntity({ sid: newSid('YE'), serviceSid: service.sid, accountSid: ACCOUNT, identity, createdAt: 1_000, updatedAt: 1_000 });
  const factor: Factor = {
    sid: newSid('YF'), entitySid: entity.sid, serviceSid: service.sid, accountSid: ACCOUNT, identity, friendlyName: 'phone', status: 'unverified',
    factorType: 'totp', secretSealed: 'sealed-seed', config: { timeStep: 30, skew: 1, codeLength: 6, alg: 'sha1' }, metadata: { os: 'test' }, attempts: 0,
    createdAt: 1_000, updatedAt: 1_000,
  };
  await storage.totp.insertFactor(factor);
  return { entity, factor };
}

const challengeOf = (factor: Factor, createdAt: number, expiresAt: number): Challenge => ({
  sid: newSid('YC'), factorSid: factor.sid, entitySid: factor.entitySid, serviceSid: factor.serviceSid, accountSid: ACCOUNT, identity: factor.identity,
  status: 'pending', respondedReason: 'none', details: { message: 'Log in?', fields: [] }, hiddenDetails: { ip: '203.0.113.7' }, metadata: null,
  attempts: 0, expiresAt, respondedAt: null, createdAt, updatedAt: createdAt,
});

export function describeTotpContract(open: OpenStorage): void {
  describe('TOTP entities, factors and challenges', () => {
    const s = freshStorage(open);

    it('keeps one entity per identity, its factors with their JSON, and deletes an entity with everything under it', async () => {
      const { storage } = s;
      const service = await storedService(storage);
      const { entity, factor } = await entityWithFactor(storage, service, 'user-00000001');
      expect(await storage.totp.upsertEntity({ ...entity, sid: newSid('YE'), createdAt: 2_000 })).toEqual(entity);
      expect(await storage.totp.entity(service.sid, 'user-00000001')).toEqual(entity);
      expect(await storage.totp.entities(service.sid, 0, 10)).toEqual({ items: [entity], total: 1 });
      expect(await storage.totp.factor(entity.sid, factor.sid)).toEqual(factor);
      expect(await storage.totp.factors(entity.sid, 0, 10)).toEqual({ items: [factor], total: 1 });
      await storage.totp.renameFactor(factor.sid, 'laptop', 2_000);
      await storage.totp.verifyFactor(factor.sid, 3_000);
      expect(await storage.totp.factor(entity.sid, factor.sid)).toEqual({ ...factor, friendlyName: 'laptop', status: 'verified', updatedAt: 3_000 });
      const challenge = challengeOf(factor, 4_000, 10_000);
      await storage.totp.insertChallenge(challenge);

      expect(await storage.totp.deleteEntity(service.sid, 'user-00000001')).toBe(true);
      expect(await storage.totp.entity(service.sid, 'user-00000001')).toBeUndefined();
      expect(await storage.totp.factor(entity.sid, factor.sid)).toBeUndefined();
      expect(await storage.totp.challenge(entity.sid, challenge.sid, 5_000)).toBeUndefined();
    });

    it('counts at most max attempts on a factor and on a challenge, however many arrive at once, and approves a challenge once', async () => {
      const { storage } = s;
      const service = await storedService(storage);
      const { entity, factor } = await entityWithFactor(storage, service, 'user-00000002');
      const factorCounts = await Promise.all(Array.from({ length: 20 }, () => storage.totp.countFactorAttempt(factor.sid, 5, 2_000)));
      expect(factorCounts.filter(Boolean)).toHaveLength(5);
      expect((await storage.totp.factor(entity.sid, factor.sid))?.attempts).toBe(5);

      const challenge = challengeOf(factor, 2_000, 10_000);
      await storage.totp.insertChallenge(challenge);
      const challengeCounts = await Promise.all(Array.from({ length: 20 }, () => storage.totp.countChallengeAttempt(challenge.sid, 5, 3_000)));
      expect(challengeCounts.filter(Boolean)).toHaveLength(5);
      const approvals = await Promise.all([1, 2, 3].map(() => storage.totp.approveChallenge(challenge.sid, 4_000)));
      expect(approvals.filter(Boolean)).toHaveLength(1);
      expect(await storage.totp.challenge(entity.sid, challenge.sid, 4_000)).toMatchObject({ status: 'approved', respondedAt: 4_000, attempts: 5 });
    });

    it('shows (and stores) a pending challenge past its time as expired, and refuses attempts on it', async () => {
      const { storage } = s;
      const service = await storedService(storage);
      const { entity, factor } = await entityWithFactor(storage, service, 'user-00000003');
      const older = challengeOf(factor, 1_000, 5_000);
      const newer = challengeOf(factor, 2_000, 50_000);
      await storage.totp.insertChallenge(older);
      await storage.totp.insertChallenge(newer);
      expect(await storage.totp.countChallengeAttempt(older.sid, 5, 5_000)).toBe(false);
      expect(await storage.totp.challenge(entity.sid, older.sid, 6_000)).toEqual({ ...older, status: 'expired', updatedAt: 6_000 });
      expect(await storage.totp.challenges(entity.sid, {}, 0, 10, 6_000)).toEqual({ items: [newer, { ...older, status: 'expired', updatedAt: 6_000 }], total: 2 });
      expect(await storage.totp.challenges(entity.sid, { status: 'expired' }, 0, 10, 6_000)).toMatchObject({ items: [{ sid: older.sid }], total: 1 });
      expect(await storage.totp.challenges(entity.sid, { factorSid: newSid('YF') }, 0, 10, 6_000)).toEqual({ items: [], total: 0 });
    });
  });
}
