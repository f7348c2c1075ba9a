import { randomBytes } from 'node:crypto';
import { assetPath } from '../assets';
import { migrate, statementCache, type SqliteDatabase } from '../storage/sqlite';
import type { OutboxContent, OutboxKind } from './outbox-payload';
import type { NewOutboxItem, OutboxRow, OutboxState, OutboxStatus, PartDelivery } from './outbox-repository';

export type { NewOutboxItem, OutboxRow, OutboxStatus, PartDelivery } from './outbox-repository';

const migrations = assetPath('gateway/outbox/migrations');

const columns = `id, kind, payload, status, attempts, next_attempt_at AS nextAttemptAt, expires_at AS expiresAt, route,
  result, last_error AS lastError, smpp_status AS smppStatus, created_at AS createdAt, finished_at AS finishedAt`;

type RawRow = Omit<OutboxState, 'result'> & { kind: OutboxContent['kind']; payload: string; result: string | null };

function toRow(raw: RawRow): OutboxRow {
  // The database is the boundary: a payload is trusted to match its kind, as it was enqueued.
  const content = { kind: raw.kind, payload: JSON.parse(raw.payload) } as OutboxContent;
  return { ...raw, ...content, result: raw.result ? (JSON.parse(raw.result) as Record<string, unknown>) : null };
}

/**
 * The durable outbox, in the caller's database so that an item is written in
 * the same transaction as the record that caused it. Rows are claimed with a
 * lease (owner, expiry) rather than held in memory: two dispatchers never send
 * one row at once, and a dead dispatcher's rows are picked up when its lease ends.
 */
export class OutboxStore {
  readonly #db: SqliteDatabase;
  readonly #insert;
  readonly #claim;
  readonly #sent;
  readonly #insertPart;
  readonly #takeEarly;
  readonly #findPart;
  readonly #updatePart;
  readonly #partsOf;
  readonly #keepEarly;

  readonly #sql: ReturnType<typeof statementCache>;
  readonly #transaction: <T>(work: () => T) => T;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    migrate(db, 'outbox', migrations);
    this.#sql = statementCache(db);
    this.#transaction = db.transaction((work: () => unknown) => work()) as <T>(work: () => T) => T;
    this.#insert = db.prepare(`INSERT INTO outbox (id, kind, payload, status, next_attempt_at, expires_at, created_at)
      VALUES (?, ?, ?, 'pending', ?, ?, ?)`);
    this.#claim = db.prepare(`UPDATE outbox SET lease_owner = @owner, lease_until = @until, attempts = attempts + 1
      WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= @now
                   AND (lease_until IS NULL OR lease_until <= @now) ORDER BY next_attempt_at LIMIT @limit)
      RETURNING ${columns}`);
    // Prepared once: the dispatcher and the receipt path run these for every message.
    this.#sent = db.prepare(`UPDATE outbox SET status = 'sent', route = ?, result = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL, last_error = NULL
      WHERE id = ? AND lease_owner = ?`);
    this.#insertPart = db.prepare('INSERT OR IGNORE INTO outbox_sms_parts (message_id, outbox_id, part) VALUES (?, ?, ?)');
    this.#takeEarly = db.prepare('DELETE FROM early_receipts WHERE message_id = ? RETURNING delivery, stat, error_code AS errorCode');
    this.#findPart = db.prepare('SELECT outbox_id AS outboxId, part FROM outbox_sms_parts WHERE message_id = ?');
    this.#updatePart = db.prepare('UPDATE outbox_sms_parts SET delivery = ?, stat = ?, error_code = ?, updated_at = ? WHERE message_id = ? AND outbox_id = ?');
    this.#partsOf = db.prepare('SELECT delivery FROM outbox_sms_parts WHERE outbox_id = ? ORDER BY part');
    this.#keepEarly = db.prepare('INSERT OR REPLACE INTO early_receipts (message_id, delivery, stat, error_code, received_at) VALUES (?, ?, ?, ?, ?)');
  }

  /** Adds an item; call it inside the transaction that writes the record causing it. */
  enqueue(item: NewOutboxItem, now: number): string {
    const id = item.id ?? `OB${randomBytes(16).toString('hex')}`;
    this.#insert.run(id, item.kind, JSON.stringify(item.payload), now, item.expiresAt, now);
    return id;
  }

  /** Leases up to `limit` due rows to `owner` until `now + leaseMs`, counting the attempt. */
  claimDue(owner: string, now: number, leaseMs: number, limit: number): OutboxRow[] {
    return (this.#claim.all({ owner, until: now + leaseMs, now, limit }) as RawRow[]).map(toRow);
  }

  /**
   * Marks a row sent and records its SMS parts (by their message id keys, see
   * receipt/message-id.ts), applying any receipt that arrived first under the
   * very same key; returns those receipts' deliveries.
   */
  markSent(id: string, owner: string, route: string, result: Record<string, unknown>, now: number, smsMessageIds: string[] = []): PartDelivery[] {
    return this.#transaction(() => {
      this.#sent.run(route, JSON.stringify(result), now, id, owner);
      smsMessageIds.forEach((messageId, i) => this.#insertPart.run(messageId, id, i + 1));
      const early: PartDelivery[] = [];
      for (const messageId of smsMessageIds) {
        const receipt = this.#takeEarly.get(messageId) as { delivery: string; stat: string; errorCode: string | null } | undefined;
        if (!receipt) continue;
        const applied = this.#applyDelivery(messageId, receipt.delivery, receipt.stat, receipt.errorCode ?? undefined, now);
        if (applied) early.push(applied);
      }
      return early;
    });
  }

  /** Extends every lease `owner` holds: a live dispatcher keeps its rows however long a send waits. */
  renewLeases(owner: string, until: number): number {
    return this.#sql(`UPDATE outbox SET lease_until = ? WHERE lease_owner = ? AND status = 'pending'`).run(until, owner).changes;
  }

  /** The owners that hold a lease still running at `now`. */
  leaseOwners(now: number): string[] {
    return (this.#sql(`SELECT DISTINCT lease_owner AS owner FROM outbox WHERE status = 'pending' AND lease_until > ?`).all(now) as { owner: string }[]).map((r) => r.owner);
  }

  /** Frees every row `owner` leased (it is known dead): they are due again at once. */
  releaseLeases(owner: string): number {
    return this.#sql(`UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND status = 'pending'`).run(owner).changes;
  }

  /** Gives the row back for another attempt at `nextAttemptAt`. */
  markRetry(id: string, owner: string, error: string, smppStatus: number | undefined, nextAttemptAt: number): void {
    this.#sql(`UPDATE outbox SET next_attempt_at = ?, last_error = ?, smpp_status = ?, lease_owner = NULL, lease_until = NULL
      WHERE id = ? AND lease_owner = ?`).run(nextAttemptAt, error, smppStatus ?? null, id, owner);
  }

  markFinal(id: string, owner: string, status: 'failed' | 'expired', error: string, smppStatus: number | undefined, now: number): void {
    this.#sql(`UPDATE outbox SET status = ?, last_error = ?, smpp_status = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL
      WHERE id = ? AND lease_owner = ?`).run(status, error, smppStatus ?? null, now, id, owner);
  }

  /**
   * Records a receipt against the part whose id key it names, and only that
   * one. A receipt for no known part is kept (it may have beaten its own send
   * to the store): `markSent` applies it to its own message, and
   * `pruneEarlyReceipts` drops it if that message never comes. Then this
   * returns undefined.
   */
  recordDelivery(messageId: string, delivery: string, stat: string, errorCode: string | undefined, now: number): PartDelivery | undefined {
    return this.#transaction(() => {
      const applied = this.#applyDelivery(messageId, delivery, stat, errorCode, now);
      if (applied) return applied;
      this.#keepEarly.run(messageId, delivery, stat, errorCode ?? null, now);
      return undefined;
    });
  }

  /** Deletes up to `limit` rows that finished (sent, failed, expired) before `before`, with their SMS parts. */
  pruneFinished(before: number, limit: number): number {
    return this.#sql(`DELETE FROM outbox WHERE id IN (
      SELECT id FROM outbox WHERE status <> 'pending' AND finished_at < ? LIMIT ?)`).run(before, limit).changes;
  }

  /** Drops up to `limit` receipts kept since before `before` that never met their message. */
  pruneEarlyReceipts(before: number, limit: number): number {
    return this.#sql('DELETE FROM early_receipts WHERE rowid IN (SELECT rowid FROM early_receipts WHERE received_at < ? LIMIT ?)').run(before, limit).changes;
  }

  earlyReceiptCount(): number {
    return (this.#sql('SELECT COUNT(*) AS n FROM early_receipts').get() as { n: number }).n;
  }

  #applyDelivery(messageId: string, delivery: string, stat: string, errorCode: string | undefined, now: number): PartDelivery | undefined {
    const found = this.#findPart.get(messageId) as
      | { outboxId: string; part: number }
      | undefined;
    if (!found) return undefined;
    this.#updatePart.run(delivery, stat, errorCode ?? null, now, messageId, found.outboxId);
    const parts = this.#partsOf.all(found.outboxId) as { delivery: string }[];
    return { outboxId: found.outboxId, messageId, part: found.part, delivery, stat, parts };
  }

  recordOptOut(number: string, keyword: string, now: number): void {
    this.#sql('INSERT INTO opt_outs (number, keyword, created_at) VALUES (?, ?, ?) ON CONFLICT (number) DO UPDATE SET keyword = excluded.keyword, created_at = excluded.created_at')
      .run(number, keyword, now);
  }

  /** The number answered START (or a synonym): it may be sent to again. */
  clearOptOut(number: string): void {
    this.#sql('DELETE FROM opt_outs WHERE number = ?').run(number);
  }

  /**
   * Makes every unleased pending row of `kind` that waits for a retry due at
   * `now`: the link they waited for is back. Returns how many.
   */
  wakeWaiting(kind: OutboxKind, now: number): number {
    return this.#sql(`UPDATE outbox SET next_attempt_at = ? WHERE status = 'pending' AND kind = ? AND next_attempt_at > ? AND attempts > 0
      AND (lease_until IS NULL OR lease_until <= ?)`).run(now, kind, now, now).changes;
  }

  isOptedOut(number: string): boolean {
    return this.#sql('SELECT 1 FROM opt_outs WHERE number = ?').get(number) !== undefined;
  }

  get(id: string): OutboxRow | undefined {
    const raw = this.#sql(`SELECT ${columns} FROM outbox WHERE id = ?`).get(id) as RawRow | undefined;
    return raw && toRow(raw);
  }

  counts(): Record<OutboxStatus, number> {
    const rows = this.#sql('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status').all() as { status: OutboxStatus; n: number }[];
    return { pending: 0, sent: 0, failed: 0, expired: 0, ...Object.fromEntries(rows.map((r) => [r.status, r.n])) };
  }

  /** The earliest time a pending row becomes due, for the dispatcher's next wake-up. */
  nextDueAt(): number | undefined {
    const row = this.#sql(`SELECT MIN(MAX(next_attempt_at, COALESCE(lease_until, 0))) AS at FROM outbox WHERE status = 'pending'`).get() as { at: number | null };
    return row.at ?? undefined;
  }
}
