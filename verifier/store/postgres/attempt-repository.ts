import { execute, query, type PgQueryable } from '../../../gateway/storage/postgres';
import type { Attempt, AttemptChanges, AttemptRepository, ChangedAttempt } from '../attempt-repository';
import { selectList } from './columns';
import { hasWebhooks } from './service-repository';

const columns = selectList({
  sid: 'sid', verificationSid: 'verification_sid', serviceSid: 'service_sid', to: 'recipient', channel: 'channel', outboxId: 'outbox_id',
  deliveryStatus: 'delivery_status', callSid: 'call_sid', tokenExpiresAt: 'token_expires_at', error: 'error', createdAt: 'created_at',
  updatedAt: 'updated_at',
} satisfies Record<keyof Attempt, string>);
// The gateway's hand-over ('sent', a call 'initiated') only moves an attempt out of 'queued': its record may reach
// the database after the receipt or the call status that followed it (handled by another instance, or on the
// outbox's own pool), and must not turn 'delivered' back into 'sent'.
const SET_CHANGES = `delivery_status = CASE WHEN $2 IN ('sent', 'initiated') AND delivery_status <> 'queued' THEN delivery_status
  ELSE COALESCE($2, delivery_status) END, call_sid = COALESCE($3, call_sid), error = COALESCE($4, error), updated_at = $5`;
/** A changed attempt's columns (ChangedAttempt): whether its service has anyone to tell. */
const changedColumns = `${columns}, COALESCE((SELECT s.status_callback IS NOT NULL OR ${hasWebhooks('s')}
  FROM services s WHERE s.sid = attempts.service_sid), false) AS "serviceListens"`;
const changeValues = (changes: AttemptChanges, now: number) => [changes.deliveryStatus ?? null, changes.callSid ?? null, changes.error ?? null, now];

export class PostgresAttemptRepository implements AttemptRepository {
  readonly #db: PgQueryable;

  constructor(db: PgQueryable) {
    this.#db = db;
  }

  async insert(a: Attempt, tokenHash: string | null): Promise<void> {
    await execute(this.#db, `INSERT INTO attempts (sid, verification_sid, service_sid, recipient, channel, outbox_id, delivery_status, call_sid, token_hash,
      token_expires_at, error, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, [
      a.sid, a.verificationSid, a.serviceSid, a.to, a.channel, a.outboxId, a.deliveryStatus, a.callSid, tokenHash, a.tokenExpiresAt, a.error,
      a.createdAt, a.updatedAt,
    ]);
  }

  async get(sid: string): Promise<Attempt | undefined> {
    return (await query<Attempt>(this.#db, `SELECT ${columns} FROM attempts WHERE sid = $1`, [sid]))[0];
  }

  async of(verificationSid: string): Promise<Attempt[]> {
    return query<Attempt>(this.#db, `SELECT ${columns} FROM attempts WHERE verification_sid = $1 ORDER BY created_at, seq`, [verificationSid]);
  }

  async byToken(tokenHash: string, now: number): Promise<Attempt | undefined> {
    return (await query<Attempt>(this.#db, `SELECT ${columns} FROM attempts WHERE token_hash = $1 AND token_expires_at > $2`, [tokenHash, now]))[0];
  }

  async update(sid: string, changes: AttemptChanges, now: number): Promise<ChangedAttempt | undefined> {
    return (await query<ChangedAttempt>(this.#db, `UPDATE attempts SET ${SET_CHANGES} WHERE sid = $1 RETURNING ${changedColumns}`, [sid, ...changeValues(changes, now)]))[0];
  }

  async updateByOutbox(outboxId: string, changes: AttemptChanges, now: number): Promise<ChangedAttempt | undefined> {
    return (await query<ChangedAttempt>(this.#db, `UPDATE attempts SET ${SET_CHANGES} WHERE outbox_id = $1 RETURNING ${changedColumns}`,
      [outboxId, ...changeValues(changes, now)]))[0];
  }

  async countSince(verificationSid: string, since: number): Promise<number> {
    return (await query<{ n: number }>(this.#db, 'SELECT COUNT(*) AS n FROM attempts WHERE verification_sid = $1 AND created_at > $2', [verificationSid, since]))[0]!.n;
  }

  async countInService(serviceSid: string, since: number): Promise<number> {
    return (await query<{ n: number }>(this.#db, 'SELECT COUNT(*) AS n FROM attempts WHERE service_sid = $1 AND created_at > $2', [serviceSid, since]))[0]!.n;
  }
}
