import { statementCache, type SqliteDatabase } from '../../../gateway/storage/sqlite';
import type { Bucket, BucketHit, RateLimit, RateLimitRepository } from '../rate-limit-repository';

const limitColumns = `sid, service_sid AS serviceSid, account_sid AS accountSid, unique_name AS uniqueName, description,
  created_at AS createdAt, updated_at AS updatedAt`;
const bucketColumns = `sid, rate_limit_sid AS rateLimitSid, service_sid AS serviceSid, account_sid AS accountSid, max, interval,
  created_at AS createdAt, updated_at AS updatedAt`;

export class SqliteRateLimitRepository implements RateLimitRepository {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }

  async insert(limit: RateLimit): Promise<void> {
    this.#sql('INSERT INTO rate_limits (sid, service_sid, account_sid, unique_name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(limit.sid, limit.serviceSid, limit.accountSid, limit.uniqueName, limit.description, limit.createdAt, limit.updatedAt);
  }

  async get(serviceSid: string, sid: string): Promise<RateLimit | undefined> {
    return this.#sql(`SELECT ${limitColumns} FROM rate_limits WHERE service_sid = ? AND sid = ?`).get(serviceSid, sid) as RateLimit | undefined;
  }

  async byName(serviceSid: string, uniqueName: string): Promise<RateLimit | undefined> {
    return this.#sql(`SELECT ${limitColumns} FROM rate_limits WHERE service_sid = ? AND unique_name = ?`).get(serviceSid, uniqueName) as RateLimit | undefined;
  }

  async count(serviceSid: string): Promise<number> {
    return this.#sql('SELECT COUNT(*) FROM rate_limits WHERE service_sid = ?').pluck().get(serviceSid) as number;
  }

  async list(serviceSid: string, offset: number, limit: number): Promise<{ items: RateLimit[]; total: number }> {
    const items = this.#sql(`SELECT ${limitColumns} FROM rate_limits WHERE service_sid = ? ORDER BY created_at, sid LIMIT ? OFFSET ?`).all(serviceSid, limit, offset) as RateLimit[];
    return { items, total: await this.count(serviceSid) };
  }

  async describe(serviceSid: string, sid: string, description: string | null, now: number): Promise<RateLimit | undefined> {
    return this.#sql(`UPDATE rate_limits SET description = ?, updated_at = ? WHERE service_sid = ? AND sid = ? RETURNING ${limitColumns}`)
      .get(description, now, serviceSid, sid) as RateLimit | undefined;
  }

  async delete(serviceSid: string, sid: string): Promise<boolean> {
    return this.#sql('DELETE FROM rate_limits WHERE service_sid = ? AND sid = ?').run(serviceSid, sid).changes > 0;
  }

  async insertBucket(bucket: Bucket): Promise<void> {
    this.#sql('INSERT INTO rate_limit_buckets (sid, rate_limit_sid, service_sid, account_sid, max, interval, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(bucket.sid, bucket.rateLimitSid, bucket.serviceSid, bucket.accountSid, bucket.max, bucket.interval, bucket.createdAt, bucket.updatedAt);
  }

  async bucket(rateLimitSid: string, sid: string): Promise<Bucket | undefined> {
    return this.#sql(`SELECT ${bucketColumns} FROM rate_limit_buckets WHERE rate_limit_sid = ? AND sid = ?`).get(rateLimitSid, sid) as Bucket | undefined;
  }

  async bucketWithInterval(rateLimitSid: string, interval: number): Promise<Bucket | undefined> {
    return this.#sql(`SELECT ${bucketColumns} FROM rate_limit_buckets WHERE rate_limit_sid = ? AND interval = ?`).get(rateLimitSid, interval) as Bucket | undefined;
  }

  async buckets(rateLimitSid: string): Promise<Bucket[]> {
    return this.#sql(`SELECT ${bucketColumns} FROM rate_limit_buckets WHERE rate_limit_sid = ? ORDER BY created_at, sid`).all(rateLimitSid) as Bucket[];
  }

  async updateBucket(rateLimitSid: string, sid: string, changes: { max?: number; interval?: number }, now: number): Promise<Bucket | undefined> {
    return this.#sql(`UPDATE rate_limit_buckets SET max = COALESCE(?, max), interval = COALESCE(?, interval), updated_at = ?
      WHERE rate_limit_sid = ? AND sid = ? RETURNING ${bucketColumns}`).get(changes.max ?? null, changes.interval ?? null, now, rateLimitSid, sid) as Bucket | undefined;
  }

  async deleteBucket(rateLimitSid: string, sid: string): Promise<boolean> {
    return this.#sql('DELETE FROM rate_limit_buckets WHERE rate_limit_sid = ? AND sid = ?').run(rateLimitSid, sid).changes > 0;
  }

  async countHit(hit: BucketHit): Promise<boolean> {
    return this.#sql(`INSERT INTO rate_limit_hits (bucket_sid, value_hash, window_start, count) VALUES (?, ?, ?, 1)
      ON CONFLICT (bucket_sid, value_hash, window_start) DO UPDATE SET count = count + 1 WHERE count < ?`)
      .run(hit.bucketSid, hit.valueHash, hit.windowStart, hit.max).changes > 0;
  }

  async prune(before: number): Promise<number> {
    return this.#sql('DELETE FROM rate_limit_hits WHERE window_start + (SELECT interval * 1000 FROM rate_limit_buckets b WHERE b.sid = bucket_sid) < ?').run(before).changes;
  }
}
