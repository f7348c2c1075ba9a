import { MessageState } from '../../gateway/receipt';
import { messageDetailJson } from '../http/control-routes';
import type { MessageStatus, ReceiptState, Segment, StoredMessage } from '../store/message-store';

/** A message as the inspection API returns it; the console changes it in place. */
type MessageView = ReturnType<typeof messageDetailJson>;
type PartView = MessageView['segments'][number];

/** Past this many, the oldest go first (a later change of one is then read from the store). */
export const MAX_MESSAGE_VIEWS = 10_000;

/**
 * The console's own copy of the messages created while someone listens, in
 * the inspection API's shape, kept up to date from what the message center
 * hands over, so that a change is rendered without reading the store again.
 * A message is let go once nothing more is due for it (every part finished,
 * no receipt pending, an MO sent or failed); a rarer change after that (a
 * handset that connects later and receives it) is read from the store by the
 * caller.
 */
export class MessageViews {
  readonly #byMessage = new Map<string, MessageView>();
  readonly #byPart = new Map<string, { view: MessageView; part: PartView }>();
  readonly #max: number;

  constructor(max = MAX_MESSAGE_VIEWS) {
    this.#max = max;
  }

  get size(): number {
    return this.#byMessage.size;
  }

  /** Rendered once here, from the center's records (which stay its own). */
  add(message: StoredMessage, parts: readonly Segment[]): void {
    const view = messageDetailJson(message, parts);
    this.#byMessage.set(message.id, view);
    for (const part of view.segments) this.#byPart.set(part.messageId, { view, part });
    if (this.#byMessage.size > this.#max) this.#drop(this.#byMessage.keys().next().value!);
  }

  /** The id of the message the part belongs to, or undefined when it is not held. */
  finishPart(finished: Segment): string | undefined {
    const held = this.#byPart.get(finished.messageId);
    if (!held) return undefined;
    Object.assign(held.part, { state: finished.state, errorCode: finished.errorCode, receipt: finished.receipt });
    return held.view.id;
  }

  receipted(partId: string, receipt: ReceiptState): string | undefined {
    const held = this.#byPart.get(partId);
    if (!held) return undefined;
    held.part.receipt = receipt;
    return held.view.id;
  }

  /** Whether the message is held (and now changed). */
  pushed(messageId: string, at: number): boolean {
    const view = this.#byMessage.get(messageId);
    if (view) view.receivedByHandsetAt = new Date(at).toISOString();
    return view !== undefined;
  }

  statusChanged(messageId: string, status: MessageStatus, systemId: string): boolean {
    const view = this.#byMessage.get(messageId);
    if (view) Object.assign(view, { status, systemId });
    return view !== undefined;
  }

  /** The message as the inspection API returns it, or undefined when it is not held. */
  render(messageId: string): MessageView | undefined {
    return this.#byMessage.get(messageId);
  }

  /** Lets the message go if nothing more is due for it: every part past en route, no receipt pending, an MO not queued. */
  settle(messageId: string): void {
    const view = this.#byMessage.get(messageId);
    if (!view) return;
    const due = view.status === 'queued' || view.segments.some((p) => p.state === MessageState.ENROUTE || p.receipt === 'pending');
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
    for (const part of view.segments) this.#byPart.delete(part.messageId);
  }
}
