import { assetPath } from '../../gateway/assets';
import { eraseSecurely, migrate, statementCache, type SqliteDatabase } from '../../gateway/storage/sqlite';

import type { Attempt } from './attempt-repository';
import type { FraudKey } from './fraud-repository';
import type { Service, ServiceUpdate } from './service-repository';
import type { Channel, Verification, VerificationStatus } from './verification-repository';

export type { Attempt } from './attempt-repository';
export type { FraudKey } from './fraud-repository';
export type { Service, ServiceUpdate } from './service-repository';
export type { Channel, StartOrigin, Verification, VerificationStatus } from './verification-repository';

const migrations = assetPath('verifier/store/migrations');

const serviceColumns = `sid, account_sid AS accountSid, friendly_name AS friendlyName, code_length AS codeLength,
  psd2_enabled AS psd2Enabled, do_not_share_warning_enabled AS doNotShareWarningEnabled, custom_code_enabled AS customCodeEnabled,
  verification_ttl AS verificationTtl, status_callback AS statusCallback, created_at AS createdAt, updated_at AS updatedAt`;
const verificationColumns = `sid, service_sid AS serviceSid, account_sid AS accountSid, recipient AS "to", channel, status,
  code_nonce AS codeNonce, code_hash AS codeHash, custom_code AS customCode, locale, custom_friendly_name AS customFriendlyName,
  amount, payee, checks, sends, page_session AS pageSession, code_length AS codeLength, expires_at AS expiresAt, created_at AS createdAt, updated_at AS updatedAt`;
const attemptColumns = `sid, verification_sid AS verificationSid, service_sid AS serviceSid, recipient AS "to", channel,
  outbox_id AS outboxId, delivery_status AS deliveryStatus, call_sid AS callSid, token_expires_at AS tokenExpiresAt, error,
  created_at AS createdAt, updated_at AS updatedAt`;

const booleans = ['psd2Enabled', 'doNotShareWarningEnabled', 'customCodeEnabled', 'customCode'] as const;
function withBooleans<T>(row: unknown): T {
  if (!row) return row as T;
  const out = { ...(row as Record<string, unknown>) };
  for (const key of booleans) if (key in out) out[key] = out[key] === 1;
  return out as T;
}

const serviceFields: Record<keyof ServiceUpdate, string> = {
  friendlyName: 'friendly_name',
  codeLength: 'code_length',
  psd2Enabled: 'psd2_enabled',
  doNotShareWarningEnabled: 'do_not_share_warning_enabled',
  customCodeEnabled: 'custom_code_enabled',
  verificationTtl: 'verification_ttl',
  statusCallback: 'status_callback',
};

/**
 * The verifier's storage: the only SQL of verifier/. Counters change in single
 * conditional UPDATEs, so concurrent requests (or instances) can never push
 * one past its limit.
 */
export class VerifyStore {
  readonly db: SqliteDatabase;
  readonly #sql: ReturnType<typeof statementCache>;
  readonly #transaction: <T>(work: () => T) => T;

  constructor(db: SqliteDatabase) {
    this.db = db;
    migrate(db, 'verifier', migrations);
    this.#sql = statementCache(db);
    this.#transaction = db.transaction((work: () => unknown) => work()) as <T>(work: () => T) => T;
  }

  transaction<T>(work: () => T): T {
    return this.#transaction(work);
  }

  // Services

  insertService(service: Service): void {
    this.#sql(`INSERT INTO services (sid, account_sid, friendly_name, code_length, psd2_enabled, do_not_share_warning_enabled,
      custom_code_enabled, verification_ttl, status_callback, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      service.sid, service.accountSid, service.friendlyName, service.codeLength, Number(service.psd2Enabled), Number(service.doNotShareWarningEnabled),
      Number(service.customCodeEnabled), service.verificationTtl, service.statusCallback, service.createdAt, service.updatedAt,
    );
  }

  service(accountSid: string, sid: string): Service | undefined {
    return withBooleans(this.#sql(`SELECT ${serviceColumns} FROM services WHERE sid = ? AND account_sid = ?`).get(sid, accountSid));
  }

  listServices(accountSid: string, offset: number, limit: number): { services: Service[]; total: number } {
    const services = this.#sql(`SELECT ${serviceColumns} FROM services WHERE account_sid = ? ORDER BY created_at, sid LIMIT ? OFFSET ?`)
      .all(accountSid, limit, offset).map((row) => withBooleans<Service>(row));
    const { total } = this.#sql('SELECT COUNT(*) AS total FROM services WHERE account_sid = ?').get(accountSid) as { total: number };
    return { services, total };
  }

  updateService(accountSid: string, sid: string, changes: ServiceUpdate, now: number): Service | undefined {
    const entries = Object.entries(changes).filter(([, v]) => v !== undefined) as [keyof ServiceUpdate, unknown][];
    if (entries.length > 0) {
      const sets = entries.map(([key]) => `${serviceFields[key]} = ?`).join(', ');
      const values = entries.map(([, v]) => (typeof v === 'boolean' ? Number(v) : v));
      this.#sql(`UPDATE services SET ${sets}, updated_at = ? WHERE sid = ? AND account_sid = ?`).run(...values, now, sid, accountSid);
    }
    return this.service(accountSid, sid);
  }

  deleteService(accountSid: string, sid: string): boolean {
    return this.#sql('DELETE FROM services WHERE sid = ? AND account_sid = ?').run(sid, accountSid).changes > 0;
  }

  // Verifications

  insertVerification(v: Verification): void {
    this.#sql(`INSERT INTO verifications (sid, service_sid, account_sid, recipient, channel, status, code_nonce, code_hash, custom_code,
      locale, custom_friendly_name, amount, payee, checks, sends, page_session, code_length, expires_at, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      v.sid, v.serviceSid, v.accountSid, v.to, v.channel, v.status, v.codeNonce, v.codeHash, Number(v.customCode), v.locale,
      v.customFriendlyName, v.amount, v.payee, v.checks, v.sends, v.pageSession, v.codeLength, v.expiresAt, v.createdAt, v.updatedAt,
    );
  }

  verification(serviceSid: string, sid: string): Verification | undefined {
    return withBooleans(this.#sql(`SELECT ${verificationColumns} FROM verifications WHERE sid = ? AND service_sid = ?`).get(sid, serviceSid));
  }

  verificationBySid(sid: string): Verification | undefined {
    return withBooleans(this.#sql(`SELECT ${verificationColumns} FROM verifications WHERE sid = ?`).get(sid));
  }

  /**
   * The newest verification of `to` in the service that is still pending
   * (expiry aside), started through the API (`pageSession` null) or by that
   * one hosted-pages session.
   */
  pendingFor(serviceSid: string, to: string, pageSession: string | null = null): Verification | undefined {
    return withBooleans(this.#sql(`SELECT ${verificationColumns} FROM verifications WHERE service_sid = ? AND recipient = ? AND status = 'pending'
      AND page_session IS ? ORDER BY created_at DESC LIMIT 1`).get(serviceSid, to, pageSession));
  }

  /** The newest verification of `to` in the service, whatever its status, from the API or that one page session. */
  latestFor(serviceSid: string, to: string, pageSession: string | null = null): Verification | undefined {
    return withBooleans(this.#sql(`SELECT ${verificationColumns} FROM verifications WHERE service_sid = ? AND recipient = ? AND page_session IS ?
      ORDER BY created_at DESC, rowid DESC LIMIT 1`).get(serviceSid, to, pageSession));
  }

  /** Counts one send if fewer than `max` were made; false when the limit is reached. */
  countSend(sid: string, max: number, changes: { channel: Channel; now: number }): boolean {
    return this.#sql(`UPDATE verifications SET sends = sends + 1, channel = ?, updated_at = ? WHERE sid = ? AND status = 'pending' AND sends < ?`)
      .run(changes.channel, changes.now, sid, max).changes === 1;
  }

  /**
   * The race gate of a check: one UPDATE counts the check only while the
   * verification is pending, unexpired and under `max` checks. Concurrent
   * checks serialize on it, so they can never exceed the limit together.
   * Returns the new count, or undefined when the check may not be made.
   */
  countCheck(sid: string, max: number, now: number): number | undefined {
    const row = this.#sql(`UPDATE verifications SET checks = checks + 1, updated_at = ? WHERE sid = ? AND status = 'pending' AND checks < ? AND expires_at > ?
      RETURNING checks`).get(now, sid, max, now) as { checks: number } | undefined;
    return row?.checks;
  }

  /** Moves a pending verification to `status`; false if it was no longer pending (someone else won). */
  settle(sid: string, status: VerificationStatus, now: number): boolean {
    return this.#sql(`UPDATE verifications SET status = ?, updated_at = ? WHERE sid = ? AND status = 'pending'`).run(status, now, sid).changes === 1;
  }

  replaceCodeHash(sid: string, codeHash: string, codeLength: number, now: number): void {
    this.#sql('UPDATE verifications SET code_hash = ?, code_length = ?, updated_at = ? WHERE sid = ?').run(codeHash, codeLength, now, sid);
  }

  /** Marks every pending verification past its expiry as expired, and returns them. */
  expireDue(now: number): Verification[] {
    return this.#sql(`UPDATE verifications SET status = 'expired', updated_at = ? WHERE status = 'pending' AND expires_at <= ? RETURNING ${verificationColumns}`)
      .all(now, now).map((row) => withBooleans<Verification>(row));
  }

  // Attempts

  insertAttempt(a: Attempt, tokenHash: string | null): void {
    this.#sql(`INSERT INTO attempts (sid, verification_sid, service_sid, recipient, channel, outbox_id, delivery_status, call_sid, token_hash,
      token_expires_at, error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      a.sid, a.verificationSid, a.serviceSid, a.to, a.channel, a.outboxId, a.deliveryStatus, a.callSid, tokenHash, a.tokenExpiresAt, a.error,
      a.createdAt, a.updatedAt,
    );
  }

  attemptsOf(verificationSid: string): Attempt[] {
    return this.#sql(`SELECT ${attemptColumns} FROM attempts WHERE verification_sid = ? ORDER BY created_at, rowid`).all(verificationSid) as Attempt[];
  }

  attempt(sid: string): Attempt | undefined {
    return this.#sql(`SELECT ${attemptColumns} FROM attempts WHERE sid = ?`).get(sid) as Attempt | undefined;
  }

  attemptByOutbox(outboxId: string): Attempt | undefined {
    return this.#sql(`SELECT ${attemptColumns} FROM attempts WHERE outbox_id = ?`).get(outboxId) as Attempt | undefined;
  }

  /** The attempt whose RCML token hashes to `tokenHash`, if the token has not expired. */
  attemptByToken(tokenHash: string, now: number): Attempt | undefined {
    return this.#sql(`SELECT ${attemptColumns} FROM attempts WHERE token_hash = ? AND token_expires_at > ?`).get(tokenHash, now) as Attempt | undefined;
  }

  updateAttempt(sid: string, changes: { deliveryStatus?: string; callSid?: string; error?: string | null }, now: number): void {
    this.#sql(`UPDATE attempts SET delivery_status = COALESCE(?, delivery_status), call_sid = COALESCE(?, call_sid),
      error = COALESCE(?, error), updated_at = ? WHERE sid = ?`).run(changes.deliveryStatus ?? null, changes.callSid ?? null, changes.error ?? null, now, sid);
  }

  // Rate windows, counted from the stored attempts so that every instance sees the same numbers.

  /** Send attempts of one verification since `since`. */
  attemptsOfSince(verificationSid: string, since: number): number {
    return (this.#sql('SELECT COUNT(*) AS n FROM attempts WHERE verification_sid = ? AND created_at > ?').get(verificationSid, since) as { n: number }).n;
  }

  attemptsInService(serviceSid: string, since: number): number {
    return (this.#sql('SELECT COUNT(*) AS n FROM attempts WHERE service_sid = ? AND created_at > ?').get(serviceSid, since) as { n: number }).n;
  }

  // The fraud guard: counters per (service, origin, prefix, time bucket), and its blocks.

  /** Adds one start or one approval to a bucket. */
  countFraud(key: FraudKey, bucket: number, what: 'starts' | 'approvals'): void {
    const [starts, approvals] = what === 'starts' ? [1, 0] : [0, 1];
    this.#sql(`INSERT INTO fraud_counters (service_sid, origin, prefix, bucket, starts, approvals) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (service_sid, origin, prefix, bucket) DO UPDATE SET starts = starts + excluded.starts, approvals = approvals + excluded.approvals`)
      .run(key.serviceSid, key.origin, key.prefix, bucket, starts, approvals);
  }

  /** Starts and approvals of `key` in the buckets from `fromBucket` on: a handful of rows, however long its history. */
  fraudActivity(key: FraudKey, fromBucket: number): { starts: number; approvals: number } {
    return this.#sql(`SELECT COALESCE(SUM(starts), 0) AS starts, COALESCE(SUM(approvals), 0) AS approvals FROM fraud_counters
      WHERE service_sid = ? AND origin = ? AND prefix = ? AND bucket >= ?`).get(key.serviceSid, key.origin, key.prefix, fromBucket) as { starts: number; approvals: number };
  }

  /** Forgets the buckets before `beforeBucket`. */
  /**
   * Deletes up to `limit` verifications that ended (approved, canceled, expired, failed) before `before`,
   * with their attempts (ON DELETE CASCADE); pending ones are never touched. Oldest rows come first in
   * rowid order, so each batch stops early instead of walking the table.
   */
  pruneFinished(before: number, limit: number): number {
    return this.#sql(`DELETE FROM verifications WHERE sid IN (
      SELECT sid FROM verifications WHERE status <> 'pending' AND updated_at < ? LIMIT ?)`).run(before, limit).changes;
  }

  pruneFraudCounters(beforeBucket: number): number {
    return this.#sql('DELETE FROM fraud_counters WHERE bucket < ?').run(beforeBucket).changes;
  }

  blockFraud(key: FraudKey, reason: string, until: number, now: number): void {
    this.#sql('INSERT OR REPLACE INTO fraud_blocks (service_sid, origin, prefix, reason, until, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(key.serviceSid, key.origin, key.prefix, reason, until, now);
  }

  /** The fraud guard's active block of `key`, if any. */
  fraudBlock(key: FraudKey, now: number): { reason: string } | undefined {
    return this.#sql('SELECT reason FROM fraud_blocks WHERE service_sid = ? AND origin = ? AND prefix = ? AND until > ?')
      .get(key.serviceSid, key.origin, key.prefix, now) as { reason: string } | undefined;
  }

  // Secrets

  /** The value stored under `name`, if any. */
  storedSecret(name: string): string | undefined {
    return (this.#sql('SELECT value FROM secrets WHERE name = ?').get(name) as { value: string } | undefined)?.value;
  }

  /** Deletes a secret so that no copy stays in the files (`eraseSecurely`). */
  eraseSecret(name: string): void {
    eraseSecurely(this.db, () => this.#sql('DELETE FROM secrets WHERE name = ?').run(name));
  }

  /** The value stored under `name`, or `create()` stored there on first use. */
  secret(name: string, create: () => string, now: number): string {
    this.#sql('INSERT OR IGNORE INTO secrets (name, value, created_at) VALUES (?, ?, ?)').run(name, create(), now);
    return (this.#sql('SELECT value FROM secrets WHERE name = ?').get(name) as { value: string }).value;
  }
}
