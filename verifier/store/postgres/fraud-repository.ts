import { execute, query, type PgQueryable } from '../../../gateway/storage/postgres';
import type { FraudKey, FraudRepository, FraudStanding } from '../fraud-repository';

export class PostgresFraudRepository implements FraudRepository {
  readonly #db: PgQueryable;

  constructor(db: PgQueryable) {
    this.#db = db;
  }

  async count(key: FraudKey, bucket: number, what: 'starts' | 'approvals'): Promise<void> {
    const [starts, approvals] = what === 'starts' ? [1, 0] : [0, 1];
    await execute(this.#db, `INSERT INTO fraud_counters (service_sid, origin, prefix, bucket, starts, approvals) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (service_sid, origin, prefix, bucket) DO UPDATE
      SET starts = fraud_counters.starts + excluded.starts, approvals = fraud_counters.approvals + excluded.approvals`,
    [key.serviceSid, key.origin, key.prefix, bucket, starts, approvals]);
  }

  async standing(key: FraudKey, fromBucket: number, now: number): Promise<FraudStanding> {
    // SUM of INTEGER is a BIGINT: read as a number (gateway/storage/postgres.ts).
    return (await query<FraudStanding>(this.#db, `SELECT COALESCE(SUM(starts), 0)::bigint AS starts, COALESCE(SUM(approvals), 0)::bigint AS approvals,
      (SELECT reason FROM fraud_blocks b WHERE b.service_sid = $1 AND b.origin = $2 AND b.prefix = $3 AND b.until > $5) AS blocked
      FROM fraud_counters WHERE service_sid = $1 AND origin = $2 AND prefix = $3 AND bucket >= $4`,
    [key.serviceSid, key.origin, key.prefix, fromBucket, now]))[0]!;
  }

  async prune(beforeBucket: number): Promise<number> {
    return execute(this.#db, 'DELETE FROM fraud_counters WHERE bucket < $1', [beforeBucket]);
  }

  async block(key: FraudKey, reason: string, until: number, now: number): Promise<void> {
    await execute(this.#db, `INSERT INTO fraud_blocks (service_sid, origin, prefix, reason, until, created_at) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (service_sid, origin, prefix) DO UPDATE SET reason = excluded.reason, until = excluded.until, created_at = excluded.created_at`,
    [key.serviceSid, key.origin, key.prefix, reason, until, now]);
  }

}
