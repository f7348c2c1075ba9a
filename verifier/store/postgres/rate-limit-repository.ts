import { execute, query, type PgQueryable } from '../../../gateway/storage/postgres';
import type { Bucket, BucketHit, RateLimit, RateLimitRepository } from '../rate-limit-repository';
import { selectList } from './columns';

const limitColumns = selectList({
  sid: 'sid', serviceSid: 'service_sid', accountSid: 'account_sid', uniqueName: 'unique_name', description: 'description',
  createdAt: 'created_at', updatedAt: 'updated_at',
} satisfies Record<keyof RateLimit, string>);
const bucketColumns = selectList({
  sid: 'sid', rateLimitSid: 'rate_limit_sid', serviceSid: 'service_sid', accountSid: 'account_sid', max: 'max', interval: 'interval',
  createdAt: 'created_at', updatedAt: 'updated_at',
} satisfies Record<keyof Bucket, string>);

export class PostgresRateLimitRepository implements RateLimitRepository {
  readonly #db: PgQueryable;

  constructor(db: PgQueryable) {
    this.#db = db;
  }

  async insert(limit: RateLimit): Promise<void> {
    await execute(this.#db, 'INSERT INTO rate_limits (sid, service_sid, account_sid, unique_name, description, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [limit.sid, limit.serviceSid, limit.accountSid, limit.uniqueName, limit.description, limit.createdAt, limit.updatedAt]);
  }

  async get(serviceSid: string, sid: string): Promise<RateLimit | undefined> {
    return (await query<RateLimit>(this.#db, `SELECT ${limitColumns} FROM rate_limits WHERE service_sid = $1 AND sid = $2`, [serviceSid, sid]))[0];
  }

  async byName(serviceSid: string, uniqueName: string): Promise<RateLimit | undefined> {
    return (await query<RateLimit>(this.#db, `SELECT ${limitColumns} FROM rate_limits WHERE service_sid = $1 AND unique_name = $2`, [serviceSid, uniqueName]))[0];
  }

  async count(serviceSid: string): Promise<number> {
    return (await query<{ n: number }>(this.#db, 'SELECT COUNT(*) AS n FROM rate_limits WHERE service_sid = $1', [serviceSid]))[0]!.n;
  }

  async list(serviceSid: string, offset: number, limit: number): Promise<{ items: RateLimit[]; total: number }> {
    const items = await query<RateLimit>(this.#db, `SELECT ${limitColumns} FROM rate_limits WHERE service_sid = $1 ORDER BY created_at, sid LIMIT $2 OFFSET $3`,
      [serviceSid, limit, offset]);
    return { items, total: await this.count(serviceSid) };
  }

  async describe(serviceSid: string, sid: string, description: string | null, now: number): Promise<RateLimit | undefined> {
    return (await query<RateLimit>(this.#db, `UPDATE rate_limits SET description = $3, updated_at = $4 WHERE service_sid = $1 AND sid = $2 RETURNING ${limitColumns}`,
      [serviceSid, sid, description, now]))[0];
  }

  async delete(serviceSid: string, sid: string): Promise<boolean> {
    return (await execute(this.#db, 'DELETE FROM rate_limits WHERE service_sid = $1 AND sid = $2', [serviceSid, sid])) > 0;
  }

  async insertBucket(bucket: Bucket): Promise<void> {
    await execute(this.#db, `INSERT INTO rate_limit_buckets (sid, rate_limit_sid, service_sid, account_sid, max, interval, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [bucket.sid, bucket.rateLimitSid, bucket.serviceSid, bucket.accountSid, bucket.max, bucket.interval, bucket.createdAt, bucket.updatedAt]);
  }

  async bucket(rateLimitSid: string, sid: string): Promise<Bucket | undefined> {
    return (await query<Bucket>(this.#db, `SELECT ${bucketColumns} FROM rate_limit_buckets WHERE rate_limit_sid = $1 AND sid = $2`, [rateLimitSid, sid]))[0];
  }

  async bucketWithInterval(rateLimitSid: string, interval: number): Promise<Bucket | undefined> {
    return (await query<Bucket>(this.#db, `SELECT ${bucketColumns} FROM rate_limit_buckets WHERE rate_limit_sid = $1 AND interval = $2`, [rateLimitSid, interval]))[0];
  }

  async buckets(rateLimitSid: string): Promise<Bucket[]> {
    return query<Bucket>(this.#db, `SELECT ${bucketColumns} FROM rate_limit_buckets WHERE rate_limit_sid = $1 ORDER BY created_at, sid`, [rateLimitSid]);
  }

  async updateBucket(rateLimitSid: string, sid: string, changes: { max?: number; interval?: number }, now: number): Promise<Bucket | undefined> {
    return (await query<Bucket>(this.#db, `UPDATE rate_limit_buckets SET max = COALESCE($3, max), interval = COALESCE($4, interval), updated_at = $5
      WHERE rate_limit_sid = $1 AND sid = $2 RETURNING ${bucketColumns}`, [rateLimitSid, sid, changes.max ?? null, changes.interval ?? null, now]))[0];
  }

  async deleteBucket(rateLimitSid: string, sid: string): Promise<boolean> {
    return (await execute(this.#db, 'DELETE FROM rate_limit_buckets WHERE rate_limit_sid = $1 AND sid = $2', [rateLimitSid, sid])) > 0;
  }

  /**
   * One upsert: the first hit of a window inserts the counter, later ones add to it only while under the
   * maximum. Concurrent hits on any instance meet on the row (the conflict waits for the other's commit and
   * re-checks), so a window never counts past its maximum.
   */
  async countHit(hit: BucketHit): Promise<boolean> {
    return (await execute(this.#db, `INSERT INTO rate_limit_hits (bucket_sid, value_hash, window_start, count) VALUES ($1, $2, $3, 1)
      ON CONFLICT (bucket_sid, value_hash, window_start) DO UPDATE SET count = rate_limit_hits.count + 1 WHERE rate_limit_hits.count < $4`,
    [hit.bucketSid, hit.valueHash, hit.windowStart, hit.max])) > 0;
  }

  async prune(before: number): Promise<number> {
    return execute(this.#db, `DELETE FROM rate_limit_hits h USING rate_limit_buckets b
      WHERE b.sid = h.bucket_sid AND h.window_start + b.interval * 1000::bigint < $1`, [before]);
  }
}
