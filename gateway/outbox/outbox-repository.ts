import { randomHex } from '../random-hex';
import type { OutboxContent, OutboxKind } from './outbox-payload';

export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'expired';

/** A stored row: its kind and payload (a discriminated union, see outbox-payload.ts) and its sending state. */
export type OutboxRow = OutboxContent & OutboxState;

export interface OutboxState {
  id: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  expiresAt: number;
  route: string | null;
  result: Record<string, unknown> | null;
  lastError: string | null;
  smppStatus: number | null;
  createdAt: number;
  finishedAt: number | null;
}

/**
 * The id of a new outbox row (what both backends give a row enqueued without one) at `now`: 12 hex digits
 * of the time, then 20 random ones (not a secret, so from the pooled source). Ids made in time order go
 * to the last page of the id index, where a turn's inserts share one page write; random ids cost a page each.
 */
export const newOutboxId = (now: number): string => `OB${Math.max(0, Math.floor(now)).toString(16).padStart(12, '0').slice(-12)}${randomHex(10)}`;

export type NewOutboxItem = OutboxContent & {
  expiresAt: number;
  /** Defaults to a fresh `OB…` id. */
  id?: string;
};

export interface PartDelivery {
  outboxId: string;
  messageId: string;
  part: number;
  delivery: string;
  stat: string;
  /** The delivery state of every part of that message, in order. */
  parts: { delivery: string }[];
}

/**
 * The durable outbox, its SMS parts and their receipts, and the numbers that opted out. An item is
 * written in the same unit of work as the record that caused it (the verifier's storage transaction).
 * Rows are claimed with a lease (owner, expiry) rather than held in memory: two dispatchers (of one
 * instance or of several) never hold one row at once, and a dead dispatcher's rows are sent by another
 * when its lease ends. Every state change after a claim names the owner, so a dispatcher whose lease
 * ran out cannot overwrite the work of the one that took the row over.
 */
export interface OutboxRepository {
  /** Adds an item; call it inside the transaction that writes the record causing it. Returns its id. */
  enqueue(item: NewOutboxItem, now: number): Promise<string>;
  /** Leases up to `limit` due rows to `owner` until `now + leaseMs`, counting the attempt; no row goes to two claimers. */
  claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<OutboxRow[]>;
  /**
   * Marks a row sent and records its SMS parts (by their message id keys, see receipt/message-id.ts),
   * applying any receipt that arrived first under the very same key; returns those receipts' deliveries.
   */
  markSent(id: string, owner: string, route: string, result: Record<string, unknown>, now: number, smsMessageIds?: string[]): Promise<PartDelivery[]>;
  /** Gives the row back for another attempt at `nextAttemptAt`. */
  markRetry(id: string, owner: string, error: string, smppStatus: number | undefined, nextAttemptAt: number): Promise<void>;
  markFinal(id: string, owner: string, status: 'failed' | 'expired', error: string, smppStatus: number | undefined, now: number): Promise<void>;
  /** Extends every lease `owner` holds: a live dispatcher keeps its rows however long a send waits. */
  renewLeases(owner: string, until: number): Promise<number>;
  /** The owners that hold a lease still running at `now`. */
  leaseOwners(now: number): Promise<string[]>;
  /** Frees every row `owner` leased (it is known dead): they are due again at once. */
  releaseLeases(owner: string): Promise<number>;
  /** Makes every unleased pending row of `kind` that waits for a retry due at `now` (the link it waited for is back). */
  wakeWaiting(kind: OutboxKind, now: number): Promise<number>;
  /**
   * Records a receipt against the part whose id key it names, and only that one. A receipt for no
   * known part is kept as an early receipt (it may have beaten its own send to the store, possibly on
   * another instance): `markSent` applies it to its own message, and `pruneEarlyReceipts` drops it if
   * that message never comes. Then this returns undefined.
   */
  recordDelivery(messageId: string, delivery: string, stat: string, errorCode: string | undefined, now: number): Promise<PartDelivery | undefined>;
  /** Deletes up to `limit` rows that finished (sent, failed, expired) before `before`, with their SMS parts. */
  pruneFinished(before: number, limit: number): Promise<number>;
  /** Drops up to `limit` early receipts kept since before `before` that never met their message. */
  pruneEarlyReceipts(before: number, limit: number): Promise<number>;
  earlyReceiptCount(): Promise<number>;
  /** The number answered STOP (or a synonym): no SMS goes to it until it answers START. */
  recordOptOut(number: string, keyword: string, now: number): Promise<void>;
  /** The number answered START (or a synonym): it may be sent to again. */
  clearOptOut(number: string): Promise<void>;
  isOptedOut(number: string): Promise<boolean>;
  get(id: string): Promise<OutboxRow | undefined>;
  counts(): Promise<Record<OutboxStatus, number>>;
  /** The earliest time a pending row becomes due (its retry time or the end of its lease), for the dispatcher's next wake-up. */
  nextDueAt(): Promise<number | undefined>;
  /**
   * Calls `wake` whenever a row is enqueued, by this instance or any other sharing the store (PostgreSQL:
   * LISTEN/NOTIFY), so every dispatcher looks at once instead of polling; and once when the watch is in
   * place (or back after a lost connection), as rows may have come meanwhile. Absent where one process owns
   * the store (SQLite): its own notify() after the commit is enough. Returns a function that stops it.
   */
  watch?(wake: () => void): () => void;
}
