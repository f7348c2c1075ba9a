import { query, type PgQueryable } from '../../../gateway/storage/postgres';
import type { AttemptFilter, AttemptReport, AttemptReportRepository } from '../attempt-report-repository';

export class PostgresAttemptReportRepository implements AttemptReportRepository {
  readonly #db: PgQueryable;

  constructor(db: PgQueryable) {
    this.#db = db;
  }

  async find(filter: AttemptFilter): Promise<AttemptReport[]> {
    // One statement for every filter: a filter left out is a NULL parameter that matches everything.
    return query<AttemptReport>(this.#db, `SELECT a.sid, v.account_sid AS "accountSid", a.service_sid AS "serviceSid",
        a.verification_sid AS "verificationSid", a.recipient AS "to", a.channel, a.delivery_status AS "deliveryStatus",
        v.status AS "verificationStatus", a.created_at AS "createdAt", a.updated_at AS "updatedAt"
      FROM attempts a JOIN verifications v ON v.sid = a.verification_sid
      WHERE v.account_sid = $1 AND ($2::text IS NULL OR a.sid = $2) AND ($3::text IS NULL OR a.service_sid = $3)
        AND ($4::text IS NULL OR a.verification_sid = $4) AND ($5::text IS NULL OR a.recipient = $5) AND ($6::text IS NULL OR a.channel = $6)
        AND ($7::bigint IS NULL OR a.created_at >= $7) AND ($8::bigint IS NULL OR a.created_at < $8)
        AND ($9::boolean IS NULL OR (v.status = 'approved') = $9)
      ORDER BY a.created_at DESC, a.sid`, [
      filter.accountSid, filter.sid ?? null, filter.serviceSid ?? null, filter.verificationSid ?? null, filter.to ?? null, filter.channel ?? null,
      filter.createdAfter ?? null, filter.createdBefore ?? null, filter.converted ?? null,
    ]);
  }
}
