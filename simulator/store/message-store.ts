import { assetPath } from '../../gateway/assets';
import { closeDatabase, migrate, openDatabase, optimizeOnOpen, statementCache, type SqliteDatabase } from '../../gateway/storage/sqlite';

export type Direction = 'mt' | 'mo';
export type MessageStatus = 'delivered' | 'undeliverable' | 'expired' | 'absent' | 'scheduled' | 'cancelled' | 'replaced' | 'queued' | 'sent' | 'failed';
/** What becomes of a part: decided at submit from the number's behaviour; `cancelled` (cancel_sm) and `replaced` (replace_if_present_flag) end it early. */
export type Outcome = 'delivered' | 'undeliverable' | 'expired' | 'absent' | 'cancelled' | 'replaced';
export type ReceiptState = 'none' | 'pending' | 'sent' | 'refused';

export interface StoredMessage {
  id: string;
  direction: Direction;
  source: string;
  destination: string;
  body: string;
  dataCoding: number;
  parts: number;
  systemId: string | null;
  status: MessageStatus;
  createdAt: number;
  pushedAt: number | null;
  /** When replace_sm last changed its text. */
  replacedAt: number | null;
}

export interface Segment {
  messageId: string;
  systemId: string;
  source: string;
  destination: string;
  body: string;
  dataCoding: number;
  concatKey: string | null;
  concatTotal: number | null;
  concatSeq: number | null;
  registeredDelivery: number;
  outcome: Outcome;
  state: number;
  errorCode: number;
  submittedAt: number;
  dueAt: number;
  doneAt: number | null;
  receipt: ReceiptState;
  assembledInto: string | null;
  /** The part's user data as it arrived (UDH removed); null when it came as text (the REST API). */
  payload: Buffer | null;
  serviceType: string;
  /** schedule_delivery_time: held until then (null: at once). */
  scheduledAt: number | null;
  /** validity_period (null: none). */
  validUntil: number | null;
  /** The message id a submit_multi answered with, which its receipts carry; null for submit_sm. */
  multiId: string | null;
}

export interface MessageQuery {
  to?: string;
  from?: string;
  /** Either side: the handset's own view. */
  party?: string;
  limit?: number;
  /** The newest `limit` messages, newest first (default: the oldest, oldest first). */
  newestFirst?: boolean;
}

const migrations = assetPath('simulator/store/migrations');

const messageColumns = `id, direction, source, destination, body, data_coding AS dataCoding, parts,
  system_id AS systemId, status, created_at AS createdAt, pushed_at AS pushedAt, replaced_at AS replacedAt`;
const segmentColumns = `message_id AS messageId, system_id AS systemId, source, destination, body,
  data_coding AS dataCoding, concat_key AS concatKey, concat_total AS concatTotal, concat_seq AS concatSeq,
  registered_delivery AS registeredDelivery, outcome, state, error_code AS errorCode, submitted_at AS submittedAt,
  due_at AS dueAt, done_at AS doneAt, receipt, assembled_into AS assembledInto, payload, service_type AS serviceType,
  scheduled_at AS scheduledAt, valid_until AS validUntil, multi_id AS multiId`;

/** The simulator's messages in SQLite: a file with `--data`, else `:memory:`. The only SQL of the simulator. */
export class MessageStore {
  readonly #db: SqliteDatabase;
  readonly #insertSegment;
  readonly #insertMessage;
  readonly #assemble;
  readonly #partial;
  readonly #finish;
  readonly #receipt;
  readonly #pushed;
  /** Built once: better-sqlite3 makes a transaction wrapper (four variants) per `db.transaction` call. */
  readonly #transaction: <T>(work: () => T) => T;
  readonly #sql: ReturnType<typeof statementCache>;

  static open(file = ':memory:'): MessageStore {
    return new MessageStore(openDatabase(file));
  }

  constructor(db: SqliteDatabase) {
    this.#db = db;
    migrate(db, 'simulator', migrations);
    optimizeOnOpen(db);
    this.#insertSegment = db.prepare(`INSERT INTO segments (message_id, system_id, source, destination, body, data_coding,
      concat_key, concat_total, concat_seq, registered_delivery, outcome, state, error_code, submitted_at, due_at, done_at,
      receipt, assembled_into, payload, service_type, scheduled_at, valid_until, multi_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#insertMessage = db.prepare(`INSERT INTO messages (id, direction, source, destination, body, data_coding, parts,
      system_id, status, created_at, pushed_at, replaced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#assemble = db.prepare('UPDATE segments SET assembled_into = ? WHERE message_id = ?');
    this.#partial = db.prepare(`SELECT ${segmentColumns} FROM segments WHERE concat_key = ? AND assembled_into IS NULL ORDER BY concat_seq, submitted_at`);
    this.#finish = db.prepare('UPDATE segments SET state = ?, error_code = ?, done_at = ?, receipt = ? WHERE message_id = ?');
    this.#receipt = db.prepare('UPDATE segments SET receipt = ? WHERE message_id = ?');
    this.#pushed = db.prepare('UPDATE messages SET pushed_at = ? WHERE id = ? AND pushed_at IS NULL');
    this.#transaction = db.transaction((work: () => unknown) => work()) as <T>(work: () => T) => T;
    this.#sql = statementCache(db);
  }

  /** Runs `work` in one transaction: all of its writes land, or none. */
  transaction<T>(work: () => T): T {
    return this.#transaction(work);
  }

  /** Values by position: cheaper to bind than 23 names looked up on an object. */
  insertSegment(s: Segment): void {
    this.#insertSegment.run(s.messageId, s.systemId, s.source, s.destination, s.body, s.dataCoding, s.concatKey, s.concatTotal, s.concatSeq,
      s.registeredDelivery, s.outcome, s.state, s.errorCode, s.submittedAt, s.dueAt, s.doneAt, s.receipt, s.assembledInto, s.payload,
      s.serviceType, s.scheduledAt, s.validUntil, s.multiId);
  }

  /** The parts of a concatenated message that are not yet part of a whole one. */
  partialSegments(concatKey: string): Segment[] {
    return this.#partial.all(concatKey) as Segment[];
  }

  insertMessage(message: StoredMessage, segmentIds: readonly string[] = []): void {
    const m = message;
    this.#insertMessage.run(m.id, m.direction, m.source, m.destination, m.body, m.dataCoding, m.parts, m.systemId, m.status, m.createdAt, m.pushedAt, m.replacedAt);
    for (const id of segmentIds) this.#assemble.run(message.id, id);
  }

  finishSegment(messageId: string, state: number, errorCode: number, doneAt: number, receipt: ReceiptState): void {
    this.#finish.run(state, errorCode, doneAt, receipt, messageId);
  }

  setReceipt(messageId: string, receipt: ReceiptState): void {
    this.#receipt.run(receipt, messageId);
  }

  segment(messageId: string): Segment | undefined {
    return this.#sql(`SELECT ${segmentColumns} FROM segments WHERE message_id = ?`).get(messageId) as Segment | undefined;
  }

  /** Segments whose outcome has not been reached yet (their timers are lost on a restart). */
  unfinishedSegments(): Segment[] {
    return this.#sql(`SELECT ${segmentColumns} FROM segments WHERE done_at IS NULL ORDER BY due_at`).all() as Segment[];
  }

  /** The parts a message id names for `systemId`: a submit_sm's one part, or every destination of a submit_multi. */
  segmentsById(messageId: string, systemId: string): Segment[] {
    return this.#sql(`SELECT ${segmentColumns} FROM segments WHERE (message_id = ? OR multi_id = ?) AND system_id = ? ORDER BY rowid`)
      .all(messageId, messageId, systemId) as Segment[];
  }

  /** Parts whose outcome is still to come, from `source` to `destination` for `systemId` (cancel_sm, replace_if_present_flag). */
  enrouteBetween(systemId: string, source: string, destination: string): Segment[] {
    return this.#sql(`SELECT ${segmentColumns} FROM segments WHERE done_at IS NULL AND system_id = ? AND source = ? AND destination = ? ORDER BY rowid`)
      .all(systemId, source, destination) as Segment[];
  }

  /** A part's new text and timing (replace_sm): its state is still ENROUTE. */
  replaceSegment(segment: Pick<Segment, 'messageId' | 'body' | 'payload' | 'registeredDelivery' | 'outcome' | 'dueAt' | 'scheduledAt' | 'validUntil'>): void {
    this.#sql(`UPDATE segments SET body = @body, payload = @payload, registered_delivery = @registeredDelivery, outcome = @outcome,
      due_at = @dueAt, scheduled_at = @scheduledAt, valid_until = @validUntil WHERE message_id = @messageId`).run(segment);
  }

  /** A part ended before its outcome (cancelled, replaced): final at once, with its receipt state. */
  endSegment(messageId: string, outcome: Outcome, state: number, doneAt: number, receipt: ReceiptState): void {
    this.#sql('UPDATE segments SET outcome = ?, state = ?, error_code = 0, done_at = ?, receipt = ? WHERE message_id = ?').run(outcome, state, doneAt, receipt, messageId);
  }

  setMessageBody(id: string, body: string, replacedAt: number): void {
    this.#sql('UPDATE messages SET body = ?, replaced_at = ? WHERE id = ?').run(body, replacedAt, id);
  }

  pendingReceipts(systemId: string): Segment[] {
    return this.#sql(`SELECT ${segmentColumns} FROM segments WHERE receipt = 'pending' AND system_id = ? ORDER BY done_at`).all(systemId) as Segment[];
  }

  markPushed(messageId: string, at: number): boolean {
    return this.#pushed.run(at, messageId).changes > 0;
  }

  /** Messages to `number` that no handset socket has received yet (delivered MT, and MO from another number), oldest first. */
  unpushed(number: string): StoredMessage[] {
    return this.#sql(`SELECT ${messageColumns} FROM messages WHERE destination = ? AND pushed_at IS NULL AND (direction = 'mo' OR status = 'delivered') ORDER BY created_at`)
      .all(number) as StoredMessage[];
  }

  message(id: string): StoredMessage | undefined {
    return this.#sql(`SELECT ${messageColumns} FROM messages WHERE id = ?`).get(id) as StoredMessage | undefined;
  }

  setMessageStatus(id: string, status: MessageStatus, systemId?: string): void {
    this.#sql('UPDATE messages SET status = ?, system_id = COALESCE(?, system_id) WHERE id = ?').run(status, systemId ?? null, id);
  }

  queuedMobileOriginated(): StoredMessage[] {
    return this.#sql(`SELECT ${messageColumns} FROM messages WHERE direction = 'mo' AND status = 'queued' ORDER BY created_at`).all() as StoredMessage[];
  }

  listMessages(query: MessageQuery = {}): StoredMessage[] {
    const where: string[] = [];
    const params: string[] = [];
    if (query.to) { where.push('destination = ?'); params.push(query.to); }
    if (query.from) { where.push('source = ?'); params.push(query.from); }
    if (query.party) { where.push('(destination = ? OR source = ?)'); params.push(query.party, query.party); }
    const sql = `SELECT ${messageColumns} FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at ${query.newestFirst ? 'DESC' : ''}, rowid ${query.newestFirst ? 'DESC' : ''} LIMIT ${Math.max(1, Math.min(query.limit ?? 1000, 10_000))}`;
    return this.#sql(sql).all(...params) as StoredMessage[];
  }

  /** How many messages are stored, without reading them (`GET /api/messages/count`). */
  countMessages(): number {
    return this.#sql('SELECT COUNT(*) FROM messages').pluck().get() as number;
  }

  segmentsOf(messageId: string): Segment[] {
    return this.#sql(`SELECT ${segmentColumns} FROM segments WHERE assembled_into = ? ORDER BY concat_seq`).all(messageId) as Segment[];
  }

  /**
   * Deletes up to `batch` messages older than the newest `keep`, with their
   * parts, oldest first. A message still at work stays: an MO not yet sent, a
   * part whose outcome or receipt is still due. Returns how many were deleted.
   * Age is insertion order (rowid): walking that order costs what it deletes,
   * where sorting by created_at cost a sort of every stored message per batch.
   */
  pruneMessages(keep: number, batch: number): number {
    return this.transaction(() => {
      const newestGone = this.#sql('SELECT rowid FROM messages ORDER BY rowid DESC LIMIT 1 OFFSET ?').pluck().get(keep) as number | undefined;
      if (newestGone === undefined) return 0;
      const rows = this.#sql(`SELECT rowid, id FROM messages m WHERE rowid <= ? AND m.status != 'queued' AND NOT EXISTS (
          SELECT 1 FROM segments s WHERE s.assembled_into = m.id AND (s.done_at IS NULL OR s.receipt = 'pending'))
        ORDER BY rowid LIMIT ?`).all(newestGone, batch) as { rowid: number; id: string }[];
      if (rows.length === 0) return 0;
      this.#sql('DELETE FROM segments WHERE assembled_into IN (SELECT value FROM json_each(?))').run(JSON.stringify(rows.map((r) => r.id)));
      this.#sql('DELETE FROM messages WHERE rowid IN (SELECT value FROM json_each(?))').run(JSON.stringify(rows.map((r) => r.rowid)));
      return rows.length;
    });
  }

  /** Forgets every message and segment (the control API's reset). */
  clear(): void {
    this.transaction(() => {
      this.#db.exec('DELETE FROM segments; DELETE FROM messages;');
    });
  }

  close(): void {
    closeDatabase(this.#db);
  }
}
