import type Database from 'better-sqlite3';
import { assetPath } from '../assets';
import { migrate, openDatabase, openReader, statementCache, type SqliteDatabase } from '../storage/sqlite';
import { gated, gatedOutside, SqliteGate } from '../storage/sqlite-gate';
import type { OutboxKind } from './outbox-payload';
import { newOutboxId, type NewOutboxItem, type OutboxRepository, type OutboxRow, type OutboxState, type OutboxStatus, type PartDelivery } from './outbox-repository';

const migrations = assetPath('gateway/outbox/migrations');

/** Creates or updates the outbox's tables in `db`. */
export function migrateOutbox(db: SqliteDatabase): void {
  migrate(db, 'outbox', migrations);
}

const columns = `id, kind, payload, status, attempts, next_attempt_at AS nextAttemptAt, expires_at AS expiresAt, route,
  result, last_error AS lastError, smpp_status AS smppStatus, created_at AS createdAt, finished_at AS finishedAt`;

type RawRow = Omit<OutboxState, 'result'> & { kind: OutboxRow['kind']; payload: string; result: string | null };

function toRow(raw: RawRow): OutboxRow {
  // The database is the boundary: a payload is trusted to match its kind, as it was enqueued.
  const content = { kind: raw.kind, payload: JSON.parse(raw.payload) } as Pick<OutboxRow, 'kind' | 'payload'>;
  return { ...raw, ...content, result: raw.result ? (JSON.parse(raw.result) as Record<string, unknown>) : null } as OutboxRow;
}

/**
 * The outbox on SQLite, statements prepared once. Callers reach it through a SqliteGate (`gated`),
 * which decides when a call may run: at once inside a transaction, behind an open one outside.
 */
export class SqliteOutbox implements OutboxRepository {
  readonly #sql: ReturnType<typeof statementCache>;
  /** markSent's and recordDelivery's statements as one transaction each (a savepoint inside a caller's), made once: db.transaction() builds its wrapper anew per call. */
  readonly #markSentTx: Database.Transaction<(id: string, owner: string, route: string, result: Record<string, unknown>, now: number, smsMessageIds: string[]) => PartDelivery[]>;
  readonly #recordDeliveryTx: Database.Transaction<(messageId: string, delivery: string, stat: string, errorCode: string | undefined, now: number) => PartDelivery | undefined>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
    this.#markSentTx = db.transaction((id: string, owner: string, route: string, result: Record<string, unknown>, now: number, smsMessageIds: string[]) => this.#markSent(id, owner, route, result, now, smsMessageIds));
    this.#recordDeliveryTx = db.transaction((messageId: string, delivery: string, stat: string, errorCode: string | undefined, now: number) => this.#recordDelivery(messageId, delivery, stat, errorCode, now));
  }

  async enqueue(item: NewOutboxItem, now: number): Promise<string> {
    const id = item.id ?? newOutboxId(now);
    this.#sql(`INSERT INTO outbox (id, kind, payload, status, next_attempt_at, expires_at, created_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)`)
      .run(id, item.kind, JSON.stringify(item.payload), now, item.expiresAt, now);
    return id;
  }

  async claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<OutboxRow[]> {
    // One UPDATE picks and leases the rows: SQLite runs it under the write lock, so two claimers never take one row.
    return (this.#sql(`UPDATE outbox SET lease_owner = @owner, lease_until = @until, attempts = attempts + 1
      WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= @now
                   AND (lease_until IS NULL OR lease_until <= @now) ORDER BY next_attempt_at LIMIT @limit)
      RETURNING ${columns}`).all({ owner, until: now + leaseMs, now, limit }) as RawRow[]).map(toRow);
  }

  async markSent(id: string, owner: string, route: string, result: Record<string, unknown>, now: number, smsMessageIds: string[] = []): Promise<PartDelivery[]> {
    return this.#markSentTx(id, owner, route, result, now, smsMessageIds);
  }

  #markSent(id: string, owner: string, route: string, result: Record<string, unknown>, now: number, smsMessageIds: string[]): PartDelivery[] {
    this.#sql(`UPDATE outbox SET status = 'sent', route = ?, result = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL, last_error = NULL
      WHERE id = ? AND lease_owner = ?`).run(route, JSON.stringify(result), now, id, owner);
    if (smsMessageIds.length === 0) return [];
    const insertPart = this.#sql('INSERT OR IGNORE INTO outbox_sms_parts (message_id, outbox_id, part) VALUES (?, ?, ?)');
    smsMessageIds.forEach((messageId, i) => insertPart.run(messageId, id, i + 1));
    // One probe for the receipts that beat this send, whatever its number of parts.
    const early = this.#sql(`DELETE FROM early_receipts WHERE message_id IN (${smsMessageIds.map(() => '?').join(', ')})
      RETURNING message_id AS messageId, delivery, stat, error_code AS errorCode`).all(...smsMessageIds) as { messageId: string; delivery: string; stat: string; errorCode: string | null }[];
    early.sort((a, b) => smsMessageIds.indexOf(a.messageId) - smsMessageIds.indexOf(b.messageId));
    return early.flatMap((receipt) => this.#applyDelivery(receipt.messageId, receipt.delivery, receipt.stat, receipt.errorCode ?? undefined, now) ?? []);
  }

  async markRetry(id: string, owner: string, error: string, smppStatus: number | undefined, nextAttemptAt: number): Promise<void> {
    this.#sql(`UPDATE outbox SET next_attempt_at = ?, last_error = ?, smpp_status = ?, lease_owner = NULL, lease_until = NULL
      WHERE id = ? AND lease_owner = ?`).run(nextAttemptAt, error, smppStatus ?? null, id, owner);
  }

  async markFinal(id: string, owner: string, status: 'failed' | 'expired', error: string, smppStatus: number | undefined, now: number): Promise<void> {
    this.#sql(`UPDATE outbox SET status = ?, last_error = ?, smpp_status = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL
      WHERE id = ? AND lease_owner = ?`).run(status, error, smppStatus ?? null, now, id, owner);
  }

  async renewLeases(owner: string, until: number): Promise<number> {
    return this.#sql(`UPDATE outbox SET lease_until = ? WHERE lease_owner = ? AND status = 'pending'`).run(until, owner).changes;
  }

  async leaseOwners(now: number): Promise<string[]> {
    return this.#sql(`SELECT DISTINCT lease_owner FROM outbox WHERE status = 'pending' AND lease_until > ?`).pluck().all(now) as string[];
  }

  async releaseLeases(owner: string): Promise<number> {
    return this.#sql(`UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND status = 'pending'`).run(owner).changes;
  }

  async wakeWaiting(kind: OutboxKind, now: number): Promise<number> {
    return this.#sql(`UPDATE outbox SET next_attempt_at = ? WHERE status = 'pending' AND kind = ? AND next_attempt_at > ? AND attempts > 0
      AND (lease_until IS NULL OR lease_until <= ?)`).run(now, kind, now, now).changes;
  }

  async recordDelivery(messageId: string, delivery: string, stat: string, errorCode: string | undefined, now: number): Promise<PartDelivery | undefined> {
    // IMMEDIATE: it reads before it writes, and a deferred transaction that another process (a --workers
    // sibling) wrote past meanwhile fails its write at once (SQLITE_BUSY_SNAPSHOT), not after busy_timeout.
    return this.#recordDeliveryTx.immediate(messageId, delivery, stat, errorCode, now);
  }

  #recordDelivery(messageId: string, delivery: string, stat: string, errorCode: string | undefined, now: number): PartDelivery | undefined {
    const applied = this.#applyDelivery(messageId, delivery, stat, errorCode, now);
    if (applied) return applied;
    this.#sql('INSERT OR REPLACE INTO early_receipts (message_id, delivery, stat, error_code, received_at) VALUES (?, ?, ?, ?, ?)')
      .run(messageId, delivery, stat, errorCode ?? null, now);
    return undefined;
  }

  async pruneFinished(before: number, limit: number): Promise<number> {
    return this.#sql(`DELETE FROM outbox WHERE id IN (
      SELECT id FROM outbox WHERE status <> 'pending' AND finished_at < ? LIMIT ?)`).run(before, limit).changes;
  }

  async pruneEarlyReceipts(before: number, limit: number): Promise<number> {
    return this.#sql('DELETE FROM early_receipts WHERE rowid IN (SELECT rowid FROM early_receipts WHERE received_at < ? LIMIT ?)').run(before, limit).changes;
  }

  async earlyReceiptCount(): Promise<number> {
    return this.#sql('SELECT COUNT(*) FROM early_receipts').pluck().get() as number;
  }

  async recordOptOut(number: string, keyword: string, now: number): Promise<void> {
    this.#sql('INSERT INTO opt_outs (number, keyword, created_at) VALUES (?, ?, ?) ON CONFLICT (number) DO UPDATE SET keyword = excluded.keyword, created_at = excluded.created_at')
      .run(number, keyword, now);
  }

  async clearOptOut(number: string): Promise<void> {
    this.#sql('DELETE FROM opt_outs WHERE number = ?').run(number);
  }

  async isOptedOut(number: string): Promise<boolean> {
    return this.#sql('SELECT 1 FROM opt_outs WHERE number = ?').get(number) !== undefined;
  }

  async get(id: string): Promise<OutboxRow | undefined> {
    const raw = this.#sql(`SELECT ${columns} FROM outbox WHERE id = ?`).get(id) as RawRow | undefined;
    return raw && toRow(raw);
  }

  async counts(): Promise<Record<OutboxStatus, number>> {
    const rows = this.#sql('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status').all() as { status: OutboxStatus; n: number }[];
    return { pending: 0, sent: 0, failed: 0, expired: 0, ...Object.fromEntries(rows.map((r) => [r.status, r.n])) };
  }

  async nextDueAt(): Promise<number | undefined> {
    return (this.#sql(`SELECT MIN(MAX(next_attempt_at, COALESCE(lease_until, 0))) FROM outbox WHERE status = 'pending'`).pluck().get() as number | null) ?? undefined;
  }

  #applyDelivery(messageId: string, delivery: string, stat: string, errorCode: string | undefined, now: number): PartDelivery | undefined {
    const found = this.#sql('SELECT outbox_id AS outboxId, part FROM outbox_sms_parts WHERE message_id = ?').get(messageId) as { outboxId: string; part: number } | undefined;
    if (!found) return undefined;
    this.#sql('UPDATE outbox_sms_parts SET delivery = ?, stat = ?, error_code = ?, updated_at = ? WHERE message_id = ? AND outbox_id = ?')
      .run(delivery, stat, errorCode ?? null, now, messageId, found.outboxId);
    const parts = this.#sql('SELECT delivery FROM outbox_sms_parts WHERE outbox_id = ? ORDER BY part').all(found.outboxId) as { delivery: string }[];
    return { outboxId: found.outboxId, messageId, part: found.part, delivery, stat, parts };
  }
}

/**
 * An outbox of its own in a SQLite file (or `:memory:`), for a gateway used without the verifier; the
 * verifier's outbox lives in its storage (verifier/store/open-storage.ts).
 */
export function openSqliteOutbox(file: string): { outbox: OutboxRepository; close(): Promise<void> } {
  const db = openDatabase(file);
  migrateOutbox(db);
  const gate = new SqliteGate(db);
  const reader = openReader(file);
  return {
    outbox: reader ? gatedOutside(new SqliteOutbox(db), new SqliteOutbox(reader), gate) : gated(new SqliteOutbox(db), gate.outside),
    async close() {
      await gate.idle();
      reader?.close();
      db.close();
    },
  };
}
