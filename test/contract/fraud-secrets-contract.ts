import { describe, expect, it } from 'vitest';
import type { FraudKey } from '../../verifier/store/fraud-repository';
import { T0 } from './core-fixtures';
import { freshStorage, type OpenStorage } from './surface-fixtures';

const KEY: FraudKey = { serviceSid: 'VA' + '1'.repeat(32), origin: 'api', prefix: '+49151' };

export function describeFraudContract(open: OpenStorage): void {
  describe('fraud counters and blocks', () => {
    const s = freshStorage(open);

    it('adds every one of 100 concurrent starts and approvals to its bucket, and sums a window of buckets per key', async () => {
      const { fraud } = s.storage;
      await Promise.all(Array.from({ length: 100 }, (_, i) => fraud.count(KEY, 10 + (i % 2), i % 10 === 0 ? 'approvals' : 'starts')));
      await fraud.count({ ...KEY, origin: 'page' }, 11, 'starts');
      await fraud.count(KEY, 5, 'starts');
      expect(await fraud.standing(KEY, 10, T0)).toEqual({ starts: 90, approvals: 10, blocked: null });
      expect(await fraud.standing(KEY, 11, T0)).toEqual({ starts: 50, approvals: 0, blocked: null });
      expect(await fraud.standing({ ...KEY, prefix: '+49152' }, 0, T0)).toEqual({ starts: 0, approvals: 0, blocked: null });
      expect(await fraud.prune(10)).toBe(1);
      expect(await fraud.standing(KEY, 0, T0)).toEqual({ starts: 90, approvals: 10, blocked: null });
    });

    it('blocks a key until its time, per service and origin, a later block replacing an earlier one', async () => {
      const { fraud } = s.storage;
      await fraud.block(KEY, 'pumping', T0 + 100, T0);
      await fraud.count(KEY, 3, 'starts');
      expect(await fraud.standing(KEY, 0, T0 + 99)).toEqual({ starts: 1, approvals: 0, blocked: 'pumping' });
      // No counted bucket in the window: still one answer, with the block.
      expect(await fraud.standing(KEY, 4, T0 + 99)).toEqual({ starts: 0, approvals: 0, blocked: 'pumping' });
      expect((await fraud.standing(KEY, 0, T0 + 100)).blocked).toBeNull();
      expect(await fraud.standing({ ...KEY, origin: 'page' }, 0, T0)).toEqual({ starts: 0, approvals: 0, blocked: null });
      await fraud.block(KEY, 'again', T0 + 500, T0 + 200);
      expect((await fraud.standing(KEY, 0, T0 + 300)).blocked).toBe('again');
    });
  });
}

export function describeSecretContract(open: OpenStorage): void {
  describe('secrets', () => {
    const s = freshStorage(open);

    it('keeps the first value of a name for every concurrent caller, and erases it', async () => {
      const { secrets } = s.storage;
      expect(await secrets.get('hosted-service')).toBeUndefined();
      const values = await Promise.all(Array.from({ length: 20 }, (_, i) => secrets.getOrCreate('hosted-service', () => `value ${i}`, T0)));
      expect(new Set(values).size).toBe(1);
      expect(await secrets.get('hosted-service')).toBe(values[0]);
      await secrets.erase('hosted-service');
      expect(await secrets.get('hosted-service')).toBeUndefined();
      await secrets.erase('never-stored');
    });
  });
}
