import { atomically, execute, query, type PgQueryable } from '../storage/postgres';
import type { OutboxContent, OutboxKind } from './outbox-payload';
import { newOutboxId, type NewOutboxItem, type OutboxRepository, type OutboxRow, type OutboxState, type OutboxStatus, type PartDelivery } from './outbox-repository';

/** The channel a new row is announced on: every instance's dispatcher LISTENs to it. */
export const OUTBOX_CHANNEL = 'verigate_outbox';

const stateColumns = `kind, payload, status, attempts, next_attempt_at AS "nextAttemptAt", expires_at AS "expiresAt", route, result,
  last_error AS "lastError", smpp_status AS "smppStatus", created_at AS "createdAt", finished_at AS "finishedAt"`;
const columns = `id, ${stateColumns}`;

type RawRow = Omit<OutboxState, 'result'> & { kind: OutboxContent['kind']; payload: string; result: string | null };

function toRow(raw: RawRow): OutboxRow {
  // The database is the boundary: a payload is trusted to match its kind, as it was enqueued.
  const content = { kind: raw.kind, payload: JSON.parse(raw.payload) } as OutboxContent;
  return { ...raw, ...content, result: raw.result ? (JSON.parse(raw.result) as Record<string, unknown>) : null };
}

// A receipt and the send it belongs to may be handled by two instances at once: both take this lock on the
// message id first, so either the send records its parts first (and the receipt finds them) or the receipt is
// kept first (and the send finds it). Without it, each could miss the other and the receipt would be lost.
const LOCK_MESSAGE_IDS = `SELECT pg_advisory_xact_lock(hashtext('receipt:' || m)) FROM (SELECT m FROM unnest($1::text[]) AS m ORDER BY m) ids`;

/**
 * The outbox on PostgreSQL, shared by every instance. A claim takes due rows with FOR UPDATE SKIP LOCKED, so
 * dispatchers of several instances claiming at once each get other rows, never one row twice; the lease
 * (owner, expiry) outlives the claim's transaction, and a row whose owner died is due again when its lease
 * ends. An enqueue NOTIFYs OUTBOX_CHANNEL in the same statement: delivered at commit, to every instance.
 */
export class PostgresOutboxRepository implements OutboxRepository {
  readonly #db: PgQueryable;
  readonly #watch: ((wake: () => void) => () => void) | undefined;

  /** `watch`: subscribes to OUTBOX_CHANNEL (the storage owns the listening connection). */
  constructor(db: PgQueryable, watch?: (wake: () => void) => () => void) {
    this.#db = db;
    this.#watch = watch;
  }

  watch(wake: () => void): () => void {
    if (!this.#watch) throw new Error('this outbox view cannot watch: watch through the storage, not a transaction');
    return this.#watch(wake);
  }

  async enqueue(item: NewOutboxItem, now: number): Promise<string> {
    const id = item.id ?? newOutboxId(now);
    await query(this.#db, `WITH row AS (INSERT INTO outbox (id, kind, payload, status, next_attempt_at, expires_at, created_at)
      VALUES ($1, $2, $3, 'pending', $4, $5, $4) RETURNING id) SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM row`,
    [id, item.kind, JSON.stringify(item.payload), now, item.expiresAt]);
    return id;
  }

  async claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<OutboxRow[]> {
    const rows = await query<RawRow>(this.#db, `WITH due AS (
        SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
        ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED)
      UPDATE outbox o SET lease_owner = $1, lease_until = $2, attempts = o.attempts + 1 FROM due WHERE o.id = due.id
      RETURNING o.id, ${stateColumns}`,
    [owner, now + leaseMs, now, limit]);
    return rows.map(toRow).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
  }

  async markSent(id: string, owner: string, route: string, result: Record<string, unknown>, now: number, smsMessageIds: string[] = []): Promise<PartDelivery[]> {
    return atomically(this.#db, async (db) => {
      await execute(db, `UPDATE outbox SET status = 'sent', route = $3, result = $4, finished_at = $5, lease_owner = NULL, lease_until = NULL, last_error = NULL
        WHERE id = $1 AND lease_owner = $2`, [id, owner, route, JSON.stringify(result), now]);
      if (smsMessageIds.length === 0) return [];
      await query(db, LOCK_MESSAGE_IDS, [smsMessageIds]);
      await execute(db, `INSERT INTO outbox_sms_parts (message_id, outbox_id, part)
        SELECT m, $2, n FROM unnest($1::text[]) WITH ORDINALITY AS t(m, n) ON CONFLICT DO NOTHING`, [smsMessageIds, id]);
      const early = await query<{ messageId: string; delivery: string; stat: string; errorCode: string | null }>(db,
        'DELETE FROM early_receipts WHERE message_id = ANY($1::text[]) RETURNING message_id AS "messageId", delivery, stat, error_code AS "errorCode"', [smsMessageIds]);
      const applied: PartDelivery[] = [];
      // In the order of the parts, as the SQLite outbox applies them.
      early.sort((a, b) => smsMessageIds.indexOf(a.messageId) - smsMessageIds.indexOf(b.messageId));
      for (const receipt of early) {
        const delivery = await applyDelivery(db, receipt.messageId, receipt.delivery, receipt.stat, receipt.errorCode ?? undefined, now);
        if (delivery) applied.push(delivery);
      }
      return applied;
    });
  }

  async markRetry(id: string, owner: string, error: string, smppStatus: number | undefined, nextAttemptAt: number): Promise<void> {
    await execute(this.#db, `UPDATE outbox SET next_attempt_at = $3, last_error = $4, smpp_status = $5, lease_owner = NULL, lease_until = NULL
      WHERE id = $1 AND lease_owner = $2`, [id, owner, nextAttemptAt, error, smppStatus ?? null]);
  }

  async markFinal(id: string, owner: string, status: 'failed' | 'expired', error: string, smppStatus: number | undefined, now: number): Promise<void> {
    await execute(this.#db, `UPDATE outbox SET status = $3, last_error = $4, smpp_status = $5, finished_at = $6, lease_owner = NULL, lease_until = NULL
      WHERE id = $1 AND lease_owner = $2`, [id, owner, status, error, smppStatus ?? null, now]);
  }

  async renewLeases(owner: string, until: number): Promise<number> {
    return execute(this.#db, "UPDATE outbox SET lease_until = $2 WHERE lease_owner = $1 AND status = 'pending'", [owner, until]);
  }

  async leaseOwners(now: number): Promise<string[]> {
    return (await query<{ owner: string }>(this.#db, "SELECT DISTINCT lease_owner AS owner FROM outbox WHERE status = 'pending' AND lease_until > $1", [now]))
      .map((r) => r.owner);
  }

  async releaseLeases(owner: string): Promise<number> {
    return execute(this.#db, "UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1 AND status = 'pending'", [owner]);
  }

  async wakeWaiting(kind: OutboxKind, now: number): Promise<number> {
    return execute(this.#db, `UPDATE outbox SET next_attempt_at = $2 WHERE status = 'pending' AND kind = $1 AND next_attempt_at > $2 AND attempts > 0
      AND (lease_until IS NULL OR lease_until <= $2)`, [kind, now]);
  }

  async recordDelivery(messageId: string, delivery: string, stat: string, errorCode: string | undefined, now: number): Promise<PartDelivery | undefined> {
    return atomically(this.#db, async (db) => {
      await query(db, LOCK_MESSAGE_IDS, [[messageId]]);
      const applied = await applyDelivery(db, messageId, delivery, stat, errorCode, now);
      if (applied) return applied;
      await execute(db, `INSERT INTO early_receipts (message_id, delivery, stat, error_code, received_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (message_id) DO UPDATE SET delivery = excluded.delivery, stat = excluded.stat, error_code = excluded.error_code, received_at = excluded.received_at`,
      [messageId, delivery, stat, errorCode ?? null, now]);
      return undefined;
    });
  }

  async pruneFinished(before: number, limit: number): Promise<number> {
    return execute(this.#db, "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status <> 'pending' AND finished_at < $1 LIMIT $2)", [before, limit]);
  }

  async pruneEarlyReceipts(before: number, limit: number): Promise<number> {
    return execute(this.#db, 'DELETE FROM early_receipts WHERE message_id IN (SELECT message_id FROM early_receipts WHERE received_at < $1 LIMIT $2)', [before, limit]);
  }

  async earlyReceiptCount(): Promise<number> {
    return (await query<{ n: number }>(this.#db, 'SELECT COUNT(*) AS n FROM early_receipts'))[0]!.n;
  }

  async recordOptOut(number: string, keyword: string, now: number): Promise<void> {
    await execute(this.#db, `INSERT INTO opt_outs (number, keyword, created_at) VALUES ($1, $2, $3)
      ON CONFLICT (number) DO UPDATE SET keyword = excluded.keyword, created_at = excluded.created_at`, [number, keyword, now]);
  }

  async clearOptOut(number: string): Promise<void> {
    await execute(this.#db, 'DELETE FROM opt_outs WHERE number = $1', [number]);
  }

  async isOptedOut(number: string): Promise<boolean> {
    return (await query(this.#db, 'SELECT 1 FROM opt_outs WHERE number = $1', [number])).length > 0;
  }

  async get(id: string): Promise<OutboxRow | undefined> {
    const raw = (await query<RawRow>(this.#db, `SELECT ${columns} FROM outbox WHERE id = $1`, [id]))[0];
    return raw && toRow(raw);
  }

  async counts(): Promise<Record<OutboxStatus, number>> {
    const rows = await query<{ status: OutboxStatus; n: number }>(this.#db, 'SELECT status, COUNT(*) AS n FROM outbox GROUP BY status');
    return { pending: 0, sent: 0, failed: 0, expired: 0, ...Object.fromEntries(rows.map((r) => [r.status, r.n])) };
  }

  async nextDueAt(): Promise<number | undefined> {
    const row = (await query<{ at: number | null }>(this.#db,
      "SELECT MIN(GREATEST(next_attempt_at, COALESCE(lease_until, 0))) AS at FROM outbox WHERE status = 'pending'"))[0];
    return row?.at ?? undefined;
  }
}

/** Records a receipt on the part its message id names; undefined when no part has that id (yet). */
async function applyDelivery(db: PgQueryable, messageId: string, delivery: string, stat: string, errorCode: string | undefined, now: number): Promise<PartDelivery | undefined> {
  const found = (await query<{ outboxId: string; part: number }>(db, `UPDATE outbox_sms_parts SET delivery = $2, stat = $3, error_code = $4, updated_at = $5
    WHERE (message_id, outbox_id) = (SELECT message_id, outbox_id FROM outbox_sms_parts WHERE message_id = $1 LIMIT 1)
    RETURNING outbox_id AS "outboxId", part`, [messageId, delivery, stat, errorCode ?? null, now]))[0];
  if (!found) return undefined;
  const parts = await query<{ delivery: string }>(db, 'SELECT delivery FROM outbox_sms_parts WHERE outbox_id = $1 ORDER BY part', [found.outboxId]);
  return { outboxId: found.outboxId, messageId, part: found.part, delivery, stat, parts };
}
