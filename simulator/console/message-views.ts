import type { MessageStatus, ReceiptState, Segment, StoredMessage } from '../store/message-store';

/** The message and its parts (in sequence order) as last handed over, each replaced, never changed, on a change. */
export interface MessageView {
  message: StoredMessage;
  parts: readonly Segment[];
}

/**
 * Past this many, the newest go (a later change of one is then read from the store): under a lag longer than
 * the bound (receipts queued behind a slow receiver), the oldest are the ones whose changes come first.
 */
export const MAX_MESSAGE_VIEWS = 50_000;

/**
 * The console's own copy of the messages created while someone listens, kept
 * up to date from what the message center hands over, so that a change is
 * rendered without reading the store again. Lean on purpose: under load a copy
 * lives as long as a receipt takes, tens of thousands at a time. So a copy is
 * the records the message center handed over (already built: nothing is
 * copied or serialised to keep them), replaced by a changed copy on a change,
 * and rendered only when a frame needs them.
 * A message is let go once nothing more is due for it (every part finished,
 * no receipt pending, an MO sent or failed); a rarer change after that (a
 * handset that connects later and receives it) is read from the store by the
 * caller.
 */
export class MessageViews {
  readonly #byMessage = new Map<string, MessageView>();
  readonly #byPart = new Map<string, MessageView>();
  readonly #max: number;

  constructor(max = MAX_MESSAGE_VIEWS) {
    this.#max = max;
  }

  get size(): number {
    return this.#byMessage.size;
  }

  add(message: StoredMessage, parts: readonly Segment[]): void {
    const view: MessageView = { message, parts };
    this.#byMessage.set(message.id, view);
    for (const part of parts) this.#byPart.set(part.messageId, view);
  }

  /** The id of the message the part belongs to, or undefined when it is not held. */
  finishPart(finished: Segment): string | undefined {
    return this.#replacePart(finished.messageId, () => finished);
  }

  receipted(partId: string, receipt: ReceiptState): string | undefined {
    return this.#replacePart(partId, (part) => ({ ...part, receipt }));
  }

  /** Whether the message is held (and now changed). */
  pushed(messageId: string, at: number): boolean {
    return this.#replaceMessage(messageId, (message) => ({ ...message, pushedAt: at }));
  }

  statusChanged(messageId: string, status: MessageStatus, systemId: string): boolean {
    return this.#replaceMessage(messageId, (message) => ({ ...message, status, systemId }));
  }

  /** The message as it is now (as the inspection API would read it), or undefined when it is not held. */
  get(messageId: string): MessageView | undefined {
    return this.#byMessage.get(messageId);
  }

  /** Lets the message go if nothing more is due for it. */
  settle(messageId: string): void {
    const view = this.#byMessage.get(messageId);
    if (!view) return;
    const due = view.message.status === 'queued' || view.parts.some((p) => p.doneAt === null || p.receipt === 'pending');
    if (!due) this.#drop(messageId);
  }

  /**
   * Back within the bound, the newest of `added` (in the order they were added) going first, then (copies
   * remade by rewrites) the oldest. Called after each flush: between two, the bound is passed by at most one
   * interval's new copies.
   */
  bound(added: Iterable<string>): void {
    if (this.#byMessage.size <= this.#max) return;
    for (const id of [...added].reverse()) {
      if (this.#byMessage.size <= this.#max) return;
      this.#drop(id);
    }
    for (const id of this.#byMessage.keys()) {
      if (this.#byMessage.size <= this.#max) return;
      this.#drop(id);
    }
  }

  clear(): void {
    this.#byMessage.clear();
    this.#byPart.clear();
  }

  #replacePart(partId: string, change: (part: Segment) => Segment): string | undefined {
    const view = this.#byPart.get(partId);
    if (!view) return undefined;
    view.parts = view.parts.map((part) => (part.messageId === partId ? change(part) : part));
    return view.message.id;
  }

  #replaceMessage(messageId: string, change: (message: StoredMessage) => StoredMessage): boolean {
    const view = this.#byMessage.get(messageId);
    if (view) view.message = change(view.message);
    return view !== undefined;
  }

  #drop(messageId: string): void {
    const view = this.#byMessage.get(messageId);
    if (!view) return;
    this.#byMessage.delete(messageId);
    for (const part of view.parts) this.#byPart.delete(part.messageId);
  }
}

/**
 * The message as `GET /api/messages/{id}` returns it (`messageDetailJson`, byte for byte), written straight
 * from the records: no object built for JSON.stringify to walk (a third of the cost, measured).
 */
export function messageDetailText(message: StoredMessage, parts: readonly Segment[]): string {
  let json = `{"id":${JSON.stringify(message.id)},"direction":"${message.direction}","from":${JSON.stringify(message.source)},`
    + `"to":${JSON.stringify(message.destination)},"text":${JSON.stringify(message.body)},"dataCoding":${message.dataCoding},`
    + `"parts":${message.parts},"status":"${message.status}","systemId":${JSON.stringify(message.systemId)},`
    + `"createdAt":"${new Date(message.createdAt).toISOString()}","receivedByHandsetAt":${isoOrNull(message.pushedAt)},`
    + `"replacedAt":${isoOrNull(message.replacedAt)},"segments":[`;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    json += `${i > 0 ? ',' : ''}{"messageId":${JSON.stringify(part.messageId)},"seq":${part.concatSeq},"total":${part.concatTotal},`
      + `"text":${JSON.stringify(part.body)},"state":${part.state},"errorCode":${part.errorCode},"receipt":"${part.receipt}",`
      + `"scheduledAt":${isoOrNull(part.scheduledAt)}}`;
  }
  return `${json}]}`;
}

/**
 * The fields of a message that change without a rewrite, named as in the
 * inspection API: its status and ESME (an MO sent), when a handset received
 * it, and each part's state, error and receipt (`message.changed`'s data).
 */
export function messageChangesJson(message: StoredMessage, parts: readonly Segment[]): string {
  let json = `{"id":${JSON.stringify(message.id)},"status":"${message.status}","systemId":${JSON.stringify(message.systemId)},`
    + `"receivedByHandsetAt":${isoOrNull(message.pushedAt)},"segments":[`;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    json += `${i > 0 ? ',' : ''}{"messageId":${JSON.stringify(part.messageId)},"state":${part.state},"errorCode":${part.errorCode},"receipt":"${part.receipt}"}`;
  }
  return `${json}]}`;
}

/** A time as the inspection API writes it: ISO-8601 in quotes, or null (for 0 too, as it does). */
function isoOrNull(at: number | null): string {
  return at ? `"${new Date(at).toISOString()}"` : 'null';
}
