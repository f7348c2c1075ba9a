import { statementCache, type SqliteDatabase } from '../../../gateway/storage/sqlite';
import type { Attempt, AttemptChanges, AttemptRepository, ChangedAttempt } from '../attempt-repository';
import { attemptColumns, changedAttemptColumns, withBooleans } from './rows';

// The gateway's hand-over ('sent', a call 'initiated') only moves an attempt out of 'queued', as on PostgreSQL: a
// record that reaches the database after the receipt that followed it must not turn 'delivered' back into 'sent'.
const SET_CHANGES = `delivery_status = CASE WHEN @status IN ('sent', 'initiated') AND delivery_status <> 'queued' THEN delivery_status
  ELSE COALESCE(@status, delivery_status) END, call_sid = COALESCE(@callSid, call_sid), error = COALESCE(@error, error), updated_at = @now`;

const changeValues = (changes: AttemptChanges, now: number, key: string) =>
  ({ status: changes.deliveryStatus ?? null, callSid: changes.callSid ?? null, error: changes.error ?? null, now, key });

export class SqliteAttemptRepository implements AttemptRepository {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }

  async insert(a: Attempt, tokenHash: string | null): Promise<void> {
    this.#sql(`INSERT INTO attempts (sid, verification_sid, service_sid, recipient, channel, outbox_id, delivery_status, call_sid, token_hash,
      token_expires_at, error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      a.sid, a.verificationSid, a.serviceSid, a.to, a.channel, a.outboxId, a.deliveryStatus, a.callSid, tokenHash, a.tokenExpiresAt, a.error,
      a.createdAt, a.updatedAt,
    );
  }

  async get(sid: string): Promise<Attempt | undefined> {
    return this.#sql(`SELECT ${attemptColumns} FROM attempts WHERE sid = ?`).get(sid) as Attempt | undefined;
  }

  async of(verificationSid: string): Promise<Attempt[]> {
    return this.#sql(`SELECT ${attemptColumns} FROM attempts WHERE verification_sid = ? ORDER BY created_at, rowid`).all(verificationSid) as Attempt[];
  }

  async byToken(tokenHash: string, now: number): Promise<Attempt | undefined> {
    return this.#sql(`SELECT ${attemptColumns} FROM attempts WHERE token_hash = ? AND token_expires_at > ?`).get(tokenHash, now) as Attempt | undefined;
  }

  async update(sid: string, changes: AttemptChanges, now: number): Promise<ChangedAttempt | undefined> {
    return withBooleans(this.#sql(`UPDATE attempts SET ${SET_CHANGES} WHERE sid = @key RETURNING ${changedAttemptColumns}`)
      .get(changeValues(changes, now, sid)));
  }

  async updateByOutbox(outboxId: string, changes: AttemptChanges, now: number): Promise<ChangedAttempt | undefined> {
    return withBooleans(this.#sql(`UPDATE attempts SET ${SET_CHANGES} WHERE outbox_id = @key RETURNING ${changedAttemptColumns}`)
      .get(changeValues(changes, now, outboxId)));
  }

  async countSince(verificationSid: string, since: number): Promise<number> {
    return this.#sql('SELECT COUNT(*) FROM attempts WHERE verification_sid = ? AND created_at > ?').pluck().get(verificationSid, since) as number;
  }

  async countInService(serviceSid: string, since: number): Promise<number> {
    return this.#sql('SELECT COUNT(*) FROM attempts WHERE service_sid = ? AND created_at > ?').pluck().get(serviceSid, since) as number;
  }
}
