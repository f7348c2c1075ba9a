import { createHash } from 'node:crypto';
import { statementCache, type SqliteDatabase } from '../../gateway/storage/sqlite';

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

const limitColumns = `sid, service_sid AS serviceSid, account_sid AS accountSid, unique_name AS uniqueName, description,
  created_at AS createdAt, updated_at AS updatedAt`;
const bucketColumns = `sid, rate_limit_sid AS rateLimitSid, service_sid AS serviceSid, account_sid AS accountSid, max, interval,
  created_at AS createdAt, updated_at AS updatedAt`;

/** A bucket that a start would overflow. */
export interface Overflow {
  uniqueName: string;
  bucket: Bucket;
}

/** Programmable rate limits (Services/{VA}/RateLimits and their Buckets) and their counters. */
export class RateLimitStore {
  readonly #sql: ReturnType<typeof statementCache>;
  readonly #transaction: <T>(work: () => T) => T;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
    this.#transaction = db.transaction((work: () => unknown) => work()) as <T>(work: () => T) => T;
  }

  insert(limit: RateLimit): void {
    this.#sql('INSERT INTO rate_limits (sid, service_sid, account_sid, unique_name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(limit.sid, limit.serviceSid, limit.accountSid, limit.uniqueName, limit.description, limit.createdAt, limit.updatedAt);
  }

  get(serviceSid: string, sid: string): RateLimit | undefined {
    return this.#sql(`SELECT ${limitColumns} FROM rate_limits WHERE service_sid = ? AND sid = ?`).get(serviceSid, sid) as RateLimit | undefined;
  }

  byName(serviceSid: string, uniqueName: string): RateLimit | undefined {
    return this.#sql(`SELECT ${limitColumns} FROM rate_limits WHERE service_sid = ? AND unique_name = ?`).get(serviceSid, uniqueName) as RateLimit | undefined;
  }

  count(serviceSid: string): number {
    return (this.#sql('SELECT COUNT(*) AS n FROM rate_limits WHERE service_sid = ?').get(serviceSid) as { n: number }).n;
  }

  list(serviceSid: string, offset: number, limit: number): { items: RateLimit[]; total: number } {
    const items = this.#sql(`SELECT ${limitColumns} FROM rate_limits WHERE service_sid = ? ORDER BY created_at, sid LIMIT ? OFFSET ?`).all(serviceSid, limit, offset) as RateLimit[];
    return { items, total: this.count(serviceSid) };
  }

  describe(serviceSid: string, sid: string, description: string | null, now: number): RateLimit | undefined {
    this.#sql('UPDATE rate_limits SET description = ?, updated_at = ? WHERE service_sid = ? AND sid = ?').run(description, now, serviceSid, sid);
    return this.get(serviceSid, sid);
  }

  delete(serviceSid: string, sid: string): boolean {
    return this.#sql('DELETE FROM rate_limits WHERE service_sid = ? AND sid = ?').run(serviceSid, sid).changes > 0;
  }

  insertBucket(bucket: Bucket): void {
    this.#sql('INSERT INTO rate_limit_buckets (sid, rate_limit_sid, service_sid, account_sid, max, interval, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(bucket.sid, bucket.rateLimitSid, bucket.serviceSid, bucket.accountSid, bucket.max, bucket.interval, bucket.createdAt, bucket.updatedAt);
  }

  bucket(rateLimitSid: string, sid: string): Bucket | undefined {
    return this.#sql(`SELECT ${bucketColumns} FROM rate_limit_buckets WHERE rate_limit_sid = ? AND sid = ?`).get(rateLimitSid, sid) as Bucket | undefined;
  }

  bucketWithInterval(rateLimitSid: string, interval: number): Bucket | undefined {
    return this.#sql(`SELECT ${bucketColumns} FROM rate_limit_buckets WHERE rate_limit_sid = ? AND interval = ?`).get(rateLimitSid, interval) as Bucket | undefined;
  }

  buckets(rateLimitSid: string): Bucket[] {
    return this.#sql(`SELECT ${bucketColumns} FROM rate_limit_buckets WHERE rate_limit_sid = ? ORDER BY created_at, sid`).all(rateLimitSid) as Bucket[];
  }

  updateBucket(rateLimitSid: string, sid: string, changes: { max?: number; interval?: number }, now: number): Bucket | undefined {
    this.#sql('UPDATE rate_limit_buckets SET max = COALESCE(?, max), interval = COALESCE(?, interval), updated_at = ? WHERE rate_limit_sid = ? AND sid = ?')
      .run(changes.max ?? null, changes.interval ?? null, now, rateLimitSid, sid);
    return this.bucket(rateLimitSid, sid);
  }

  deleteBucket(rateLimitSid: string, sid: string): boolean {
    return this.#sql('DELETE FROM rate_limit_buckets WHERE rate_limit_sid = ? AND sid = ?').run(rateLimitSid, sid).changes > 0;
  }

  /**
   * Counts one start against every bucket of the named rate limits, for the given values, all or none:
   * each counter moves by one conditional upsert (`count < max`) inside one transaction, so concurrent
   * starts (or instances on one database) can never push a bucket past its max. Returns the first bucket
   * that is full (and counts nothing), or undefined when the start may go on.
   */
  take(serviceSid: string, values: Record<string, string>, now: number): Overflow | undefined {
    try {
      this.#transaction(() => this.#count(serviceSid, values, now));
      return undefined;
    } catch (error) {
      if (error instanceof BucketFull) return error.overflow;
      throw error;
    }
  }

  #count(serviceSid: string, values: Record<string, string>, now: number): void {
    for (const [uniqueName, value] of Object.entries(values)) {
      const limit = this.byName(serviceSid, uniqueName);
      if (!limit) continue;
      const valueHash = createHash('sha256').update(value).digest('hex');
      for (const bucket of this.buckets(limit.sid)) {
        if (bucket.max < 1) throw new BucketFull({ uniqueName, bucket });
        const windowMs = bucket.interval * 1000;
        const windowStart = Math.floor(now / windowMs) * windowMs;
        const counted = this.#sql(`INSERT INTO rate_limit_hits (bucket_sid, value_hash, window_start, count) VALUES (?, ?, ?, 1)
          ON CONFLICT (bucket_sid, value_hash, window_start) DO UPDATE SET count = count + 1 WHERE count < ?`)
          .run(bucket.sid, valueHash, windowStart, bucket.max).changes;
        if (counted === 0) throw new BucketFull({ uniqueName, bucket });
      }
    }
  }

  /** Drops counters whose window ended before `before`. */
  prune(before: number): number {
    return this.#sql(`DELETE FROM rate_limit_hits WHERE window_start + (SELECT interval * 1000 FROM rate_limit_buckets b WHERE b.sid = bucket_sid) < ?`).run(before).changes;
  }
}

/** Thrown inside take()'s transaction so that the counters it moved are rolled back. */
export class BucketFull extends Error {
  override readonly name = 'BucketFull';
  constructor(readonly overflow: Overflow) {
    super(`bucket ${overflow.bucket.sid} of ${overflow.uniqueName} is full`);
  }
}
