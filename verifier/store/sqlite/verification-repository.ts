import { statementCache, type SqliteDatabase } from '../../../gateway/storage/sqlite';
import type { Service } from '../service-repository';
import type { SendChanges, Verification, VerificationRepository, VerificationStatus } from '../verification-repository';
import { splitVerificationWithService, verificationColumns, verificationWithServiceColumns, withBooleans } from './rows';

const verificationOf = (row: unknown) => withBooleans<Verification | undefined>(row);

export class SqliteVerificationRepository implements VerificationRepository {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }

  async insert(v: Verification): Promise<void> {
    this.#sql(`INSERT INTO verifications (sid, service_sid, account_sid, recipient, channel, status, code_nonce, code_hash, custom_code,
      locale, custom_friendly_name, amount, payee, checks, sends, page_session, code_length, expires_at, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      v.sid, v.serviceSid, v.accountSid, v.to, v.channel, v.status, v.codeNonce, v.codeHash, Number(v.customCode), v.locale,
      v.customFriendlyName, v.amount, v.payee, v.checks, v.sends, v.pageSession, v.codeLength, v.expiresAt, v.createdAt, v.updatedAt,
    );
  }

  async get(serviceSid: string, sid: string): Promise<Verification | undefined> {
    return verificationOf(this.#sql(`SELECT ${verificationColumns} FROM verifications WHERE sid = ? AND service_sid = ?`).get(sid, serviceSid));
  }

  async bySid(sid: string): Promise<Verification | undefined> {
    return verificationOf(this.#sql(`SELECT ${verificationColumns} FROM verifications WHERE sid = ?`).get(sid));
  }

  async withService(sid: string): Promise<{ verification: Verification; service: Service } | undefined> {
    const row = this.#sql(`SELECT ${verificationWithServiceColumns} FROM verifications v JOIN services s ON s.sid = v.service_sid
      WHERE v.sid = ?`).get(sid) as Record<string, unknown> | undefined;
    return row && splitVerificationWithService(row);
  }

  async pendingFor(serviceSid: string, to: string, pageSession: string | null): Promise<Verification | undefined> {
    return verificationOf(this.#sql(`SELECT ${verificationColumns} FROM verifications WHERE service_sid = ? AND recipient = ? AND status = 'pending'
      AND page_session IS ? ORDER BY created_at DESC LIMIT 1`).get(serviceSid, to, pageSession));
  }

  async latestFor(serviceSid: string, to: string, pageSession: string | null): Promise<Verification | undefined> {
    return verificationOf(this.#sql(`SELECT ${verificationColumns} FROM verifications WHERE service_sid = ? AND recipient = ? AND page_session IS ?
      ORDER BY created_at DESC, rowid DESC LIMIT 1`).get(serviceSid, to, pageSession));
  }

  async countSend(sid: string, max: number, changes: SendChanges): Promise<Verification | undefined> {
    return verificationOf(this.#sql(`UPDATE verifications SET sends = sends + 1, channel = ?, updated_at = ?,
      code_hash = COALESCE(?, code_hash), code_length = COALESCE(?, code_length)
      WHERE sid = ? AND status = 'pending' AND sends < ? RETURNING ${verificationColumns}`)
      .get(changes.channel, changes.now, changes.code?.hash ?? null, changes.code?.length ?? null, sid, max));
  }

  async countCheck(sid: string, max: number, now: number): Promise<Verification | undefined> {
    return verificationOf(this.#sql(`UPDATE verifications SET checks = checks + 1, updated_at = ?
      WHERE sid = ? AND status = 'pending' AND checks < ? AND expires_at > ? RETURNING ${verificationColumns}`).get(now, sid, max, now));
  }

  async settle(sid: string, status: VerificationStatus, now: number): Promise<Verification | undefined> {
    return verificationOf(this.#sql(`UPDATE verifications SET status = ?, updated_at = ? WHERE sid = ? AND status = 'pending'
      RETURNING ${verificationColumns}`).get(status, now, sid));
  }

  async expireDue(now: number): Promise<Verification[]> {
    return this.#sql(`UPDATE verifications SET status = 'expired', updated_at = ? WHERE status = 'pending' AND expires_at <= ?
      RETURNING ${verificationColumns}`).all(now, now).map((row) => withBooleans<Verification>(row));
  }

  async pruneFinished(before: number, limit: number): Promise<number> {
    // Oldest rows first in rowid order, so each batch stops early instead of walking the table; attempts go by ON DELETE CASCADE.
    return this.#sql(`DELETE FROM verifications WHERE sid IN (
      SELECT sid FROM verifications WHERE status <> 'pending' AND updated_at < ? LIMIT ?)`).run(before, limit).changes;
  }
}
