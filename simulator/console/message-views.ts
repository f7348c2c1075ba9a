import type { MessageStatus, ReceiptState, Segment, StoredMessage } from '../store/message-store';

/** What the console keeps of a part: its fields that never change, serialised once, and those that do. */
interface PartView {
  id: string;
  /** `{"messageId":…,"seq":…,"total":…,"text":…` (no closing brace). */
  head: string;
  state: number;
  errorCode: number;
  receipt: ReceiptState;
  done: boolean;
  /** `,"scheduledAt":…}`: changes only with a rewrite (replace_sm, release), which makes a new copy. */
  tail: string;
}

interface MessageView {
  id: string;
  /** `{"id":…,"direction":…,"from":…,"to":…,"text":…,"dataCoding":…,"parts":…` (no closing brace). */
  head: string;
  status: MessageStatus;
  systemId: string | null;
  createdAt: string;
  pushedAt: number | null;
  /** `,"replacedAt":…`: changes only with a rewrite, which makes a new copy. */
  replaced: string;
  /** In sequence order, as the store lists them. */
  parts: PartView[];
}

/** Past this many, the oldest go first (a later change of one is then read from the store). */
export const MAX_MESSAGE_VIEWS = 10_000;

/**
 * The console's own copy of the messages created while someone listens, kept
 * up to date from what the message center hands over, so that a change is
 * rendered without reading the store again. Lean on purpose: under load a copy
 * lives as long as a receipt takes, thousands at a time, and each is rendered
 * twice or more. So what never changes (the text, the numbers, the ids) is
 * serialised once, when the copy is made, and a render only joins it with the
 * few fields that change: the resource `messageDetailJson` builds, in the same
 * order, without building it. A message is let go once nothing more is due
 * for it (every part finished, no receipt pending, an MO sent or failed); a
 * rarer change after that (a handset that connects later and receives it) is
 * read from the store by the caller.
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

  has(messageId: string): boolean {
    return this.#byMessage.has(messageId);
  }

  add(message: StoredMessage, parts: readonly Segment[]): void {
    const view: MessageView = {
      id: message.id,
      head: openObject({
        id: message.id, direction: message.direction, from: message.source, to: message.destination,
        text: message.body, dataCoding: message.dataCoding, parts: message.parts,
      }),
      status: message.status,
      systemId: message.systemId,
      createdAt: new Date(message.createdAt).toISOString(),
      pushedAt: message.pushedAt,
      replaced: `,"replacedAt":${isoOrNull(message.replacedAt)}`,
      parts: parts.map((part) => ({
        id: part.messageId,
        head: openObject({ messageId: part.messageId, seq: part.concatSeq, total: part.concatTotal, text: part.body }),
        state: part.state,
        errorCode: part.errorCode,
        receipt: part.receipt,
        done: part.doneAt !== null,
        tail: `,"scheduledAt":${isoOrNull(part.scheduledAt)}}`,
      })),
    };
    this.#byMessage.set(view.id, view);
    for (const part of view.parts) this.#byPart.set(part.id, view);
    if (this.#byMessage.size > this.#max) this.#drop(this.#byMessage.keys().next().value!);
  }

  /** The id of the message the part belongs to, or undefined when it is not held. */
  finishPart(finished: Segment): string | undefined {
    const view = this.#byPart.get(finished.messageId);
    const part = view && partOf(view, finished.messageId);
    if (!view || !part) return undefined;
    part.state = finished.state;
    part.errorCode = finished.errorCode;
    part.receipt = finished.receipt;
    part.done = finished.doneAt !== null;
    return view.id;
  }

  receipted(partId: string, receipt: ReceiptState): string | undefined {
    const view = this.#byPart.get(partId);
    const part = view && partOf(view, partId);
    if (!view || !part) return undefined;
    part.receipt = receipt;
    return view.id;
  }

  /** Whether the message is held (and now changed). */
  pushed(messageId: string, at: number): boolean {
    const view = this.#byMessage.get(messageId);
    if (view) view.pushedAt = at;
    return view !== undefined;
  }

  statusChanged(messageId: string, status: MessageStatus, systemId: string): boolean {
    const view = this.#byMessage.get(messageId);
    if (view) {
      view.status = status;
      view.systemId = systemId;
    }
    return view !== undefined;
  }

  /** The message's JSON as the inspection API returns it, or undefined when it is not held. */
  render(messageId: string): string | undefined {
    const view = this.#byMessage.get(messageId);
    if (!view) return undefined;
    let json = `${view.head},"status":"${view.status}","systemId":${JSON.stringify(view.systemId)},"createdAt":"${view.createdAt}",`
      + `"receivedByHandsetAt":${isoOrNull(view.pushedAt)}${view.replaced},"segments":[`;
    view.parts.forEach((part, i) => {
      json += `${i > 0 ? ',' : ''}${part.head},"state":${part.state},"errorCode":${part.errorCode},"receipt":"${part.receipt}"${part.tail}`;
    });
    return `${json}]}`;
  }

  /** What may change of the message without a rewrite, as JSON (`message.changed`), or undefined when it is not held. */
  renderChanges(messageId: string): string | undefined {
    const view = this.#byMessage.get(messageId);
    return view && changesJson(view.id, view.status, view.systemId, view.pushedAt, view.parts);
  }

  /** Lets the message go if nothing more is due for it. */
  settle(messageId: string): void {
    const view = this.#byMessage.get(messageId);
    if (!view) return;
    const due = view.status === 'queued' || view.parts.some((p) => !p.done || p.receipt === 'pending');
    if (!due) this.#drop(messageId);
  }

  clear(): void {
    this.#byMessage.clear();
    this.#byPart.clear();
  }

  #drop(messageId: string): void {
    const view = this.#byMessage.get(messageId);
    if (!view) return;
    this.#byMessage.delete(messageId);
    for (const part of view.parts) this.#byPart.delete(part.id);
  }
}

/** `message.changed`'s data from the message as stored (one the console holds no copy of). */
export function storedChangesJson(message: StoredMessage, parts: readonly Segment[]): string {
  return changesJson(message.id, message.status, message.systemId, message.pushedAt, parts.map((part) => ({ ...part, id: part.messageId })));
}

/**
 * The fields of a message that change without a rewrite, named as in the
 * inspection API: its status and ESME (an MO sent), when a handset received
 * it, and each part's state, error and receipt.
 */
function changesJson(id: string, status: MessageStatus, systemId: string | null, pushedAt: number | null,
  parts: readonly { id: string; state: number; errorCode: number; receipt: ReceiptState }[]): string {
  let json = `{"id":${JSON.stringify(id)},"status":"${status}","systemId":${JSON.stringify(systemId)},"receivedByHandsetAt":${isoOrNull(pushedAt)},"segments":[`;
  parts.forEach((part, i) => {
    json += `${i > 0 ? ',' : ''}{"messageId":${JSON.stringify(part.id)},"state":${part.state},"errorCode":${part.errorCode},"receipt":"${part.receipt}"}`;
  });
  return `${json}]}`;
}

/** A time as the inspection API writes it: ISO-8601 in quotes, or null (for 0 too, as it does). */
function isoOrNull(at: number | null): string {
  return at ? `"${new Date(at).toISOString()}"` : 'null';
}

/** An object's JSON without its closing brace, for the fields that follow. */
function openObject(fields: Record<string, unknown>): string {
  return JSON.stringify(fields).slice(0, -1);
}

function partOf(view: MessageView, partId: string): PartView | undefined {
  return view.parts.find((part) => part.id === partId);
}
