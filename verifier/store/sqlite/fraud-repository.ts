import { statementCache, type SqliteDatabase } from '../../../gateway/storage/sqlite';
import type { FraudKey, FraudRepository, FraudStanding } from '../fraud-repository';

export class SqliteFraudRepository implements FraudRepository {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }

  async count(key: FraudKey, bucket: number, what: 'starts' | 'approvals'): Promise<void> {
    const [starts, approvals] = what === 'starts' ? [1, 0] : [0, 1];
    this.#sql(`INSERT INTO fraud_counters (service_sid, origin, prefix, bucket, starts, approvals) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (service_sid, origin, prefix, bucket) DO UPDATE SET starts = starts + excluded.starts, approvals = approvals + excluded.approvals`)
      .run(key.serviceSid, key.origin, key.prefix, bucket, starts, approvals);
  }

  async standing(key: FraudKey, fromBucket: number, now: number): Promise<FraudStanding> {
    return this.#sql(`SELECT COALESCE(SUM(starts), 0) AS starts, COALESCE(SUM(approvals), 0) AS approvals,
      (SELECT reason FROM fraud_blocks b WHERE b.service_sid = @serviceSid AND b.origin = @origin AND b.prefix = @prefix AND b.until > @now) AS blocked
      FROM fraud_counters WHERE service_sid = @serviceSid AND origin = @origin AND prefix = @prefix AND bucket >= @fromBucket`)
      .get({ serviceSid: key.serviceSid, origin: key.origin, prefix: key.prefix, fromBucket, now }) as FraudStanding;
  }

  async prune(beforeBucket: number): Promise<number> {
    return this.#sql('DELETE FROM fraud_counters WHERE bucket < ?').run(beforeBucket).changes;
  }

  async block(key: FraudKey, reason: string, until: number, now: number): Promise<void> {
    this.#sql('INSERT OR REPLACE INTO fraud_blocks (service_sid, origin, prefix, reason, until, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(key.serviceSid, key.origin, key.prefix, reason, until, now);
  }

}
