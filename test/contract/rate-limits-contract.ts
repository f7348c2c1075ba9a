import { describe, expect, it } from 'vitest';
import { newSid } from '../../verifier/ids';
import { takeRateLimits } from '../../verifier/rate-limit-buckets';
import type { Bucket, RateLimit } from '../../verifier/store/rate-limit-repository';
import type { Service } from '../../verifier/store/service-repository';
import type { VerifierStorage } from '../../verifier/store/storage';
import { freshStorage, storedService, type OpenStorage } from './surface-fixtures';

const NOW = 1_700_000_000_000;

async function limitWithBuckets(storage: VerifierStorage, service: Service, uniqueName: string, buckets: { max: number; interval: number }[]) {
  const limit: RateLimit = { sid: newSid('RK'), serviceSid: service.sid, accountSid: service.accountSid, uniqueName, description: null, createdAt: NOW, updatedAt: NOW };
  await storage.rateLimits.insert(limit);
  const stored: Bucket[] = [];
  for (const [i, b] of buckets.entries()) {
    const bucket: Bucket = { sid: newSid('BL'), rateLimitSid: limit.sid, serviceSid: service.sid, accountSid: service.accountSid, ...b, createdAt: NOW + i, updatedAt: NOW + i };
    await storage.rateLimits.insertBucket(bucket);
    stored.push(bucket);
  }
  return { limit, buckets: stored };
}

export function describeRateLimitContract(open: OpenStorage): void {
  describe('rate limits and buckets', () => {
    const s = freshStorage(open);

    it('stores rate limits per service by unique name, with their buckets, and deletes a limit with its buckets', async () => {
      const { storage } = s;
      const service = await storedService(storage);
      const { limit, buckets: [minute, hour] } = await limitWithBuckets(storage, service, 'end_user_ip_address', [{ max: 3, interval: 60 }, { max: 10, interval: 3_600 }]);
      expect(await storage.rateLimits.get(service.sid, limit.sid)).toEqual(limit);
      expect(await storage.rateLimits.byName(service.sid, 'end_user_ip_address')).toEqual(limit);
      expect(await storage.rateLimits.byName(service.sid, 'other')).toBeUndefined();
      expect(await storage.rateLimits.count(service.sid)).toBe(1);
      expect(await storage.rateLimits.list(service.sid, 0, 10)).toEqual({ items: [limit], total: 1 });
      expect(await storage.rateLimits.describe(service.sid, limit.sid, 'per IP', NOW + 5)).toEqual({ ...limit, description: 'per IP', updatedAt: NOW + 5 });

      expect(await storage.rateLimits.buckets(limit.sid)).toEqual([minute, hour]);
      expect(await storage.rateLimits.bucket(limit.sid, hour!.sid)).toEqual(hour);
      expect(await storage.rateLimits.bucketWithInterval(limit.sid, 60)).toEqual(minute);
      expect(await storage.rateLimits.updateBucket(limit.sid, minute!.sid, { max: 4 }, NOW + 6)).toEqual({ ...minute, max: 4, updatedAt: NOW + 6 });
      expect(await storage.rateLimits.deleteBucket(limit.sid, hour!.sid)).toBe(true);
      expect(await storage.rateLimits.deleteBucket(limit.sid, hour!.sid)).toBe(false);

      expect(await storage.rateLimits.delete(service.sid, limit.sid)).toBe(true);
      expect(await storage.rateLimits.get(service.sid, limit.sid)).toBeUndefined();
      expect(await storage.rateLimits.buckets(limit.sid)).toEqual([]);
    });

    it('counts a bucket up to its max per value and window, and starts again in the next window', async () => {
      const { storage } = s;
      const service = await storedService(storage);
      const { buckets: [bucket] } = await limitWithBuckets(storage, service, 'ip', [{ max: 2, interval: 60 }]);
      const hit = (valueHash: string, windowStart: number) => storage.rateLimits.countHit({ bucketSid: bucket!.sid, valueHash, windowStart, max: 2 });
      expect([await hit('a', 0), await hit('a', 0), await hit('a', 0)]).toEqual([true, true, false]);
      expect(await hit('b', 0)).toBe(true);
      expect(await hit('a', 60_000)).toBe(true);
      // Windows that ended before 120 s go; the one from 60 s to 120 s is kept until then.
      expect(await storage.rateLimits.prune(120_000)).toBe(2);
      expect(await hit('a', 60_000)).toBe(true);
      expect(await hit('a', 60_000)).toBe(false);
    });

    it('lets exactly max of 50 concurrent starts through a bucket of max 5, and counts nothing for a start another bucket refuses', async () => {
      const { storage } = s;
      const service = await storedService(storage);
      const { buckets: [small] } = await limitWithBuckets(storage, service, 'end_user_ip_address', [{ max: 5, interval: 600 }]);
      const results = await Promise.all(Array.from({ length: 50 }, () => takeRateLimits(storage, service.sid, { end_user_ip_address: '203.0.113.7' }, NOW)));
      expect(results.filter((r) => r === undefined)).toHaveLength(5);
      expect(results.filter((r) => r !== undefined).every((r) => r!.bucket.sid === small!.sid && r!.uniqueName === 'end_user_ip_address')).toBe(true);
      // Another value has its own count.
      expect(await takeRateLimits(storage, service.sid, { end_user_ip_address: '198.51.100.1' }, NOW)).toBeUndefined();

      // All or none: the phone bucket has room, but the IP bucket is full, so the phone's counter does not move.
      const { buckets: [phone] } = await limitWithBuckets(storage, service, 'phone', [{ max: 1, interval: 600 }]);
      const refused = await takeRateLimits(storage, service.sid, { phone: '+4915112345678', end_user_ip_address: '203.0.113.7' }, NOW);
      expect(refused?.bucket.sid).toBe(small!.sid);
      expect(await takeRateLimits(storage, service.sid, { phone: '+4915112345678' }, NOW)).toBeUndefined();
      expect((await takeRateLimits(storage, service.sid, { phone: '+4915112345678' }, NOW))?.bucket.sid).toBe(phone!.sid);
    });

    it('refuses every start through a bucket of max 0, and ignores unknown unique names', async () => {
      const { storage } = s;
      const service = await storedService(storage);
      const { buckets: [closed] } = await limitWithBuckets(storage, service, 'closed', [{ max: 0, interval: 60 }]);
      expect((await takeRateLimits(storage, service.sid, { closed: 'x' }, NOW))?.bucket.sid).toBe(closed!.sid);
      expect(await takeRateLimits(storage, service.sid, { nobody: 'x' }, NOW)).toBeUndefined();
    });
  });
}
