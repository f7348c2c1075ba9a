import { describe, expect, it } from 'vitest';
import { newSid } from '../../verifier/ids';
import { apiKeySecretHash, apiKeySecretMatches, type ApiKey } from '../../verifier/store/api-key-repository';
import { ACCOUNT, freshStorage, type OpenStorage } from './surface-fixtures';

const OTHER_ACCOUNT = 'AC00000000000000000000000000000002';
const key = (accountSid: string, createdAt: number): ApiKey => ({ sid: newSid('SK'), accountSid, friendlyName: `key ${createdAt}`, createdAt, updatedAt: createdAt });

export function describeApiKeyContract(open: OpenStorage): void {
  describe('API keys', () => {
    const s = freshStorage(open);

    it('stores a key with the hash of its secret, lists it oldest first, renames and deletes it, each within its account', async () => {
      const { apiKeys } = s.storage;
      const first = key(ACCOUNT, 1_000);
      const second = key(ACCOUNT, 2_000);
      const foreign = key(OTHER_ACCOUNT, 1_500);
      for (const k of [second, foreign, first]) await apiKeys.insert(k, apiKeySecretHash(`secret of ${k.sid}`));

      expect(await apiKeys.get(ACCOUNT, first.sid)).toEqual(first);
      expect(await apiKeys.get(OTHER_ACCOUNT, first.sid)).toBeUndefined();
      expect(await apiKeys.list(ACCOUNT, 0, 1)).toEqual({ items: [first], total: 2 });
      expect(await apiKeys.list(ACCOUNT, 1, 5)).toEqual({ items: [second], total: 2 });
      expect(await apiKeys.secretHash(ACCOUNT, first.sid)).toBe(apiKeySecretHash(`secret of ${first.sid}`));

      expect(await apiKeys.rename(ACCOUNT, first.sid, 'renamed', 3_000)).toEqual({ ...first, friendlyName: 'renamed', updatedAt: 3_000 });
      expect(await apiKeys.rename(OTHER_ACCOUNT, first.sid, 'stolen', 3_000)).toBeUndefined();
      expect(await apiKeys.delete(OTHER_ACCOUNT, first.sid)).toBe(false);
      expect(await apiKeys.delete(ACCOUNT, first.sid)).toBe(true);
      expect(await apiKeys.get(ACCOUNT, first.sid)).toBeUndefined();
      expect(await apiKeys.secretHash(ACCOUNT, first.sid)).toBeUndefined();
    });

    it('accepts a key\'s own secret only: not another key\'s, not after deletion, not from another account', async () => {
      const { apiKeys } = s.storage;
      const mine = key(ACCOUNT, 1_000);
      const other = key(ACCOUNT, 1_001);
      await apiKeys.insert(mine, apiKeySecretHash('mine-secret'));
      await apiKeys.insert(other, apiKeySecretHash('other-secret'));
      expect(await apiKeySecretMatches(apiKeys, ACCOUNT, mine.sid, 'mine-secret')).toBe(true);
      expect(await apiKeySecretMatches(apiKeys, ACCOUNT, mine.sid, 'other-secret')).toBe(false);
      expect(await apiKeySecretMatches(apiKeys, OTHER_ACCOUNT, mine.sid, 'mine-secret')).toBe(false);
      expect(await apiKeySecretMatches(apiKeys, ACCOUNT, newSid('SK'), 'mine-secret')).toBe(false);
      await apiKeys.delete(ACCOUNT, mine.sid);
      expect(await apiKeySecretMatches(apiKeys, ACCOUNT, mine.sid, 'mine-secret')).toBe(false);
    });
  });
}
