import { statementCache, type SqliteDatabase } from '../../../gateway/storage/sqlite';
import type { AttemptFilter, AttemptReport, AttemptReportRepository } from '../attempt-report-repository';

export class SqliteAttemptReportRepository implements AttemptReportRepository {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }

  async find(filter: AttemptFilter): Promise<AttemptReport[]> {
    const converted = filter.converted === undefined ? null : Number(filter.converted);
    return this.#sql(`SELECT a.sid, v.account_sid AS accountSid, a.service_sid AS serviceSid, a.verification_sid AS verificationSid,
        a.recipient AS "to", a.channel, a.delivery_status AS deliveryStatus, v.status AS verificationStatus,
        a.created_at AS createdAt, a.updated_at AS updatedAt
      FROM attempts a JOIN verifications v ON v.sid = a.verification_sid
      WHERE v.account_sid = ? AND (? IS NULL OR a.sid = ?)
        AND (? IS NULL OR a.service_sid = ?) AND (? IS NULL OR a.verification_sid = ?) AND (? IS NULL OR a.recipient = ?)
        AND (? IS NULL OR a.channel = ?) AND (? IS NULL OR a.created_at >= ?) AND (? IS NULL OR a.created_at < ?)
        AND (? IS NULL OR (v.status = 'approved') = ?)
      ORDER BY a.created_at DESC, a.sid`).all(
      filter.accountSid,
      filter.sid ?? null, filter.sid ?? null,
      filter.serviceSid ?? null, filter.serviceSid ?? null,
      filter.verificationSid ?? null, filter.verificationSid ?? null,
      filter.to ?? null, filter.to ?? null,
      filter.channel ?? null, filter.channel ?? null,
      filter.createdAfter ?? null, filter.createdAfter ?? null,
      filter.createdBefore ?? null, filter.createdBefore ?? null,
      converted, converted,
    ) as AttemptReport[];
  }
}
