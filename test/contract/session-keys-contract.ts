import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CodeBook } from '../../verifier/codes';
import { createSessionTokens } from '../../verifier/session';
import type { SessionKeyRow } from '../../verifier/store/session-key-repository';
import { ManualClock } from '../support/manual-clock';
import { freshStorage, type OpenStorage } from './surface-fixtures';

const row = (kid: string, createdAt: number): Omit<SessionKeyRow, 'retiredAt'> => ({ kid, privateJwk: `sealed ${kid}`, publicJwk: `{"kid":"${kid}"}`, createdAt });

export function describeSessionKeyContract(open: OpenStorage): void {
  describe('session signing keys', () => {
    const s = freshStorage(open);

    it('keeps keys oldest first, retires the active ones, replaces private parts and drops keys retired long enough ago', async () => {
      const { storage } = s;
      await storage.transaction(async (tx) => {
        await tx.sessionKeys.retireActive(1_000);
        await tx.sessionKeys.insert(row('first', 1_000));
      });
      await storage.transaction(async (tx) => {
        await tx.sessionKeys.retireActive(2_000);
        await tx.sessionKeys.insert(row('second', 2_000));
      });
      expect(await storage.sessionKeys.all()).toEqual([{ ...row('first', 1_000), retiredAt: 2_000 }, { ...row('second', 2_000), retiredAt: null }]);
      await storage.sessionKeys.replacePrivateKeys([{ kid: 'first', privateJwk: 'resealed' }]);
      expect((await storage.sessionKeys.all())[0]!.privateJwk).toBe('resealed');
      expect(await storage.sessionKeys.dropRetiredBefore(1_999)).toBe(0);
      expect(await storage.sessionKeys.dropRetiredBefore(2_000)).toBe(1);
      expect((await storage.sessionKeys.all()).map((k) => k.kid)).toEqual(['second']);
    });

    it('are shared by instances: a key one rotates in signs tokens the other validates at once, and both publish it within seconds', async () => {
      const clock = new ManualClock();
      const codes = new CodeBook(randomBytes(32));
      const settings = { ttlSeconds: 600, rotateAfterSeconds: 0 };
      const one = createSessionTokens(s.storage, clock, () => 'https://verify.example.test', settings, codes);
      const two = createSessionTokens(s.storage, clock, () => 'https://verify.example.test', settings, codes);
      const first = await one.issue('+4915112367001', 'sms');
      expect(await two.validate(first.token)).toMatchObject({ valid: true, kid: first.kid });
      // Two signs with the active key that one made, opened with the code key both are given.
      expect((await two.issue('+4915112367001', 'sms')).kid).toBe(first.kid);

      clock.advance(1_000);
      const rotated = await one.rotate();
      const second = await one.issue('+4915112367002', 'sms');
      expect(second.kid).toBe(rotated);
      expect(await two.validate(second.token)).toMatchObject({ valid: true, kid: rotated });
      clock.advance(5_000);
      // Published oldest first.
      expect((await two.jwks()).keys.map((k) => k.kid)).toEqual([first.kid, rotated]);
      // The private parts are stored sealed.
      expect((await s.storage.sessionKeys.all()).every((k) => !k.privateJwk.startsWith('{'))).toBe(true);
    });
  });
}
