import { createHash } from 'node:crypto';
import type { Bucket } from './store/rate-limit-repository';
import type { VerifierStorage } from './store/storage';

/** A bucket that a start would overflow. */
export interface Overflow {
  uniqueName: string;
  bucket: Bucket;
}

/** Thrown inside takeRateLimits' transaction so that the counters it moved are rolled back. */
class BucketFull extends Error {
  override readonly name = 'BucketFull';
  constructor(readonly overflow: Overflow) {
    super(`bucket ${overflow.bucket.sid} of ${overflow.uniqueName} is full`);
  }
}

/**
 * Counts one start against every bucket of the named rate limits (`RateLimits` of the start), for the
 * given values, all or none: each counter moves by one conditional upsert (`count < max`), atomic on
 * every backend, and all of them in one transaction, so concurrent starts on any instance can never
 * push a bucket past its max. Returns the first bucket that is full (and counts nothing), or undefined
 * when the start may go on. Values are counted by their SHA-256, never stored.
 */
export async function takeRateLimits(storage: VerifierStorage, serviceSid: string, values: Record<string, string>, now: number): Promise<Overflow | undefined> {
  if (Object.keys(values).length === 0) return undefined;
  try {
    await storage.transaction(async (tx) => {
      for (const [uniqueName, value] of Object.entries(values)) {
        const limit = await tx.rateLimits.byName(serviceSid, uniqueName);
        if (!limit) continue;
        const valueHash = createHash('sha256').update(value).digest('hex');
        for (const bucket of await tx.rateLimits.buckets(limit.sid)) {
          const windowMs = bucket.interval * 1000;
          const counted = bucket.max >= 1 && await tx.rateLimits.countHit({ bucketSid: bucket.sid, valueHash, windowStart: Math.floor(now / windowMs) * windowMs, max: bucket.max });
          if (!counted) throw new BucketFull({ uniqueName, bucket });
        }
      }
    });
    return undefined;
  } catch (error) {
    if (error instanceof BucketFull) return error.overflow;
    throw error;
  }
}
