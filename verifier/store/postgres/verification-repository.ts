import { execute, query, type PgQueryable } from '../../../gateway/storage/postgres';
import type { Service } from '../service-repository';
import type { SendChanges, Verification, VerificationRepository, VerificationStatus } from '../verification-repository';
import { pick, selectList } from './columns';
import { hasWebhooks, SERVICE_COLUMNS, serviceOf } from './service-repository';

const VERIFICATION_COLUMNS = {
  sid: 'sid', serviceSid: 'service_sid', accountSid: 'account_sid', to: 'recipient', channel: 'channel', status: 'status',
  codeNonce: 'code_nonce', codeHash: 'code_hash', customCode: 'custom_code', locale: 'locale', customFriendlyName: 'custom_friendly_name',
  amount: 'amount', payee: 'payee', checks: 'checks', sends: 'sends', pageSession: 'page_session', codeLength: 'code_length',
  expiresAt: 'expires_at', createdAt: 'created_at', updatedAt: 'updated_at',
} satisfies Record<keyof Verification, string>;
const columns = selectList(VERIFICATION_COLUMNS);
const joined = `${selectList(VERIFICATION_COLUMNS, 'v', 'verification.')}, ${selectList(SERVICE_COLUMNS, 's', 'service.')}, ${hasWebhooks('s')} AS "service.hasWebhooks"`;

/**
 * Verifications on PostgreSQL. Every counter and status change is one conditional UPDATE … RETURNING: under
 * READ COMMITTED a concurrent UPDATE of the same row waits for the first to commit and then re-checks its
 * WHERE against the new row, so checks on different instances can never pass a limit together.
 */
export class PostgresVerificationRepository implements VerificationRepository {
  readonly #db: PgQueryable;

  constructor(db: PgQueryable) {
    this.#db = db;
  }

  async insert(v: Verification): Promise<void> {
    await execute(this.#db, `INSERT INTO verifications (sid, service_sid, account_sid, recipient, channel, status, code_nonce, code_hash, custom_code,
      locale, custom_friendly_name, amount, payee, checks, sends, page_session, code_length, expires_at, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`, [
      v.sid, v.serviceSid, v.accountSid, v.to, v.channel, v.status, v.codeNonce, v.codeHash, v.customCode, v.locale,
      v.customFriendlyName, v.amount, v.payee, v.checks, v.sends, v.pageSession, v.codeLength, v.expiresAt, v.createdAt, v.updatedAt,
    ]);
  }

  async get(serviceSid: string, sid: string): Promise<Verification | undefined> {
    return (await query<Verification>(this.#db, `SELECT ${columns} FROM verifications WHERE sid = $1 AND service_sid = $2`, [sid, serviceSid]))[0];
  }

  async bySid(sid: string): Promise<Verification | undefined> {
    return (await query<Verification>(this.#db, `SELECT ${columns} FROM verifications WHERE sid = $1`, [sid]))[0];
  }

  async withService(sid: string): Promise<{ verification: Verification; service: Service } | undefined> {
    const row = (await query(this.#db, `SELECT ${joined} FROM verifications v JOIN services s ON s.sid = v.service_sid WHERE v.sid = $1`, [sid]))[0];
    return row && { verification: pick<Verification>(row, 'verification.'), service: serviceOf(pick<Record<string, unknown>>(row, 'service.')) };
  }

  async pendingFor(serviceSid: string, to: string, pageSession: string | null): Promise<Verification | undefined> {
    return (await query<Verification>(this.#db, `SELECT ${columns} FROM verifications WHERE service_sid = $1 AND recipient = $2 AND status = 'pending'
      AND page_session IS NOT DISTINCT FROM $3 ORDER BY created_at DESC, seq DESC LIMIT 1`, [serviceSid, to, pageSession]))[0];
  }

  async latestFor(serviceSid: string, to: string, pageSession: string | null): Promise<Verification | undefined> {
    return (await query<Verification>(this.#db, `SELECT ${columns} FROM verifications WHERE service_sid = $1 AND recipient = $2
      AND page_session IS NOT DISTINCT FROM $3 ORDER BY created_at DESC, seq DESC LIMIT 1`, [serviceSid, to, pageSession]))[0];
  }

  async countSend(sid: string, max: number, changes: SendChanges): Promise<Verification | undefined> {
    return (await query<Verification>(this.#db, `UPDATE verifications SET sends = sends + 1, channel = $3, updated_at = $4,
      code_hash = COALESCE($5, code_hash), code_length = COALESCE($6, code_length)
      WHERE sid = $1 AND status = 'pending' AND sends < $2 RETURNING ${columns}`,
    [sid, max, changes.channel, changes.now, changes.code?.hash ?? null, changes.code?.length ?? null]))[0];
  }

  async countCheck(sid: string, max: number, now: number): Promise<Verification | undefined> {
    return (await query<Verification>(this.#db, `UPDATE verifications SET checks = checks + 1, updated_at = $3
      WHERE sid = $1 AND status = 'pending' AND checks < $2 AND expires_at > $3 RETURNING ${columns}`, [sid, max, now]))[0];
  }

  async settle(sid: string, status: VerificationStatus, now: number): Promise<Verification | undefined> {
    return (await query<Verification>(this.#db, `UPDATE verifications SET status = $2, updated_at = $3 WHERE sid = $1 AND status = 'pending'
      RETURNING ${columns}`, [sid, status, now]))[0];
  }

  async expireDue(now: number): Promise<Verification[]> {
    return query<Verification>(this.#db, `UPDATE verifications SET status = 'expired', updated_at = $1 WHERE status = 'pending' AND expires_at <= $1
      RETURNING ${columns}`, [now]);
  }

  async pruneFinished(before: number, limit: number): Promise<number> {
    return execute(this.#db, `DELETE FROM verifications WHERE sid IN (
      SELECT sid FROM verifications WHERE status <> 'pending' AND updated_at < $1 LIMIT $2)`, [before, limit]);
  }
}
