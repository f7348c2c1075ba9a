export interface RateLimit {
  sid: string;
  serviceSid: string;
  accountSid: string;
  uniqueName: string;
  description: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface Bucket {
  sid: string;
  rateLimitSid: string;
  serviceSid: string;
  accountSid: string;
  max: number;
  /** Seconds. */
  interval: number;
  createdAt: number;
  updatedAt: number;
}

/** One counter of a bucket: the hits of one value (by hash) in one fixed window. */
export interface BucketHit {
  bucketSid: string;
  /** SHA-256 (hex) of the value counted (a phone number, an IP…), never the value itself. */
  valueHash: string;
  /** Epoch ms at which the window began: a multiple of the bucket's interval. */
  windowStart: number;
  max: number;
}

/** Programmable rate limits (Services/{VA}/RateLimits and their Buckets) and their counters. */
export interface RateLimitRepository {
  insert(limit: RateLimit): Promise<void>;
  get(serviceSid: string, sid: string): Promise<RateLimit | undefined>;
  byName(serviceSid: string, uniqueName: string): Promise<RateLimit | undefined>;
  count(serviceSid: string): Promise<number>;
  list(serviceSid: string, offset: number, limit: number): Promise<{ items: RateLimit[]; total: number }>;
  describe(serviceSid: string, sid: string, description: string | null, now: number): Promise<RateLimit | undefined>;
  /** Deletes the rate limit with its buckets and their counters. */
  delete(serviceSid: string, sid: string): Promise<boolean>;

  insertBucket(bucket: Bucket): Promise<void>;
  bucket(rateLimitSid: string, sid: string): Promise<Bucket | undefined>;
  bucketWithInterval(rateLimitSid: string, interval: number): Promise<Bucket | undefined>;
  /** The buckets of a rate limit, oldest first. */
  buckets(rateLimitSid: string): Promise<Bucket[]>;
  updateBucket(rateLimitSid: string, sid: string, changes: { max?: number; interval?: number }, now: number): Promise<Bucket | undefined>;
  deleteBucket(rateLimitSid: string, sid: string): Promise<boolean>;

  /**
   * Counts one hit unless the window already holds `max`: one conditional upsert
   * (`… ON CONFLICT DO UPDATE SET count = count + 1 WHERE count < max`), atomic on every backend.
   * False when the window is full (nothing counted).
   */
  countHit(hit: BucketHit): Promise<boolean>;
  /** Drops counters whose window ended before `before`. */
  prune(before: number): Promise<number>;
}
