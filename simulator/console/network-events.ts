import type { MessageCenter } from '../message-center';
import type { BindInfo, SmscServer } from '../smsc/smsc-server';
import type { MessageStatus, MessageStore, ReceiptState, Segment, StoredMessage } from '../store/message-store';
import { callInspectionJson, type CallRecord } from '../voice/call-record';
import type { BriefForm, EventHub } from './event-hub';
import type { NetworkEventSink } from './event-sink';
import { messageChangesJson, messageDetailText, MessageViews, type MessageView } from './message-views';

export interface NetworkEventsDeps {
  hub: EventHub;
  store: MessageStore;
  /** How long changes gather before they go out, each resource once, in its latest state. */
  flushIntervalMs?: number;
}

/** Short enough to look instant in a browser; long enough that a message's outcome and receipt ride along. */
export const DEFAULT_FLUSH_INTERVAL_MS = 100;

/**
 * Turns what the network reports into `/ws/events` frames, each resource in
 * the shape the inspection API returns it. Changes gather for a short
 * interval: each message or call changed in it goes out once, in its latest
 * state, and one created in it goes out as `*.created` only. Messages are
 * rendered from the console's own copy of them (MessageViews), kept from what
 * the message center hands over, so a frame costs no store read; only a
 * message created before anyone listened is read from the store. With nobody
 * listening, every report returns at once and nothing is kept.
 */
export class NetworkEvents implements NetworkEventSink {
  readonly #hub: EventHub;
  readonly #store: MessageStore;
  readonly #views = new MessageViews();
  /** Messages created in this interval, and messages held in #views that changed in it. */
  readonly #createdMessages = new Set<string>();
  readonly #changedMessages = new Set<string>();
  /** Of those changed, the rewritten (cancelled, replaced, released): they go whole to every subscriber. */
  readonly #rewrittenMessages = new Set<string>();
  /** Changes of messages not held in #views: read from the store at the flush. */
  readonly #unheldMessages = new Set<string>();
  readonly #unheldParts = new Set<string>();
  readonly #createdCalls = new Map<string, CallRecord>();
  readonly #updatedCalls = new Map<string, CallRecord>();
  /** Open handset sockets per number (phone pages included). */
  readonly handsets = new Map<string, number>();
  #flushScheduled = false;
  readonly #flushIntervalMs: number;

  constructor(deps: NetworkEventsDeps) {
    this.#hub = deps.hub;
    this.#store = deps.store;
    this.#flushIntervalMs = deps.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  }

  /** Messages the console holds a copy of (none while nobody listens). */
  get heldMessages(): number {
    return this.#views.size;
  }

  /** Listens to what the SMSC and the message center already emit. */
  observe(center: MessageCenter, smsc: SmscServer): void {
    center.on('outcome', (part) => this.partFinished(part));
    smsc.on('bound', (bind) => this.#bindChanged(bind, 'bound'));
    smsc.on('unbound', (bind) => this.#bindChanged(bind, 'unbound'));
  }

  messageCreated(message: StoredMessage, parts: readonly Segment[]): void {
    if (!this.#listening()) return;
    this.#views.add(message, parts);
    this.#createdMessages.add(message.id);
    this.#scheduleFlush();
  }

  messagePushed(messageId: string, at: number): void {
    if (!this.#listening()) return;
    this.#messageChanged(messageId, this.#views.pushed(messageId, at));
  }

  messageStatusChanged(messageId: string, status: MessageStatus, systemId: string): void {
    if (!this.#listening()) return;
    this.#messageChanged(messageId, this.#views.statusChanged(messageId, status, systemId));
  }

  messageRewritten(message: StoredMessage, parts: readonly Segment[]): void {
    if (!this.#listening()) return;
    this.#views.add(message, parts);
    this.#rewrittenMessages.add(message.id);
    this.#messageChanged(message.id, true);
  }

  partFinished(part: Segment): void {
    if (!this.#listening()) return;
    this.#partChanged(part.messageId, this.#views.finishPart(part));
  }

  partsReceipted(partIds: readonly string[], receipt: ReceiptState): void {
    if (!this.#listening()) return;
    for (const id of partIds) this.#partChanged(id, this.#views.receipted(id, receipt));
  }

  messagesCleared(): void {
    this.#forgetMessages();
    this.#hub.publish('messages.cleared', () => ({}));
  }

  callCreated(call: CallRecord): void {
    if (!this.#hub.listening) return;
    this.#createdCalls.set(call.sid, call);
    this.#scheduleFlush();
  }

  callUpdated(call: CallRecord): void {
    if (!this.#hub.listening) return;
    this.#updatedCalls.set(call.sid, call);
    this.#scheduleFlush();
  }

  callsCleared(): void {
    this.#hub.publish('calls.cleared', () => ({}));
  }

  handsetConnected(number: string, connections: number): void {
    this.handsets.set(number, connections);
    this.#hub.publish('handset.connected', () => ({ number, connections }));
  }

  handsetDisconnected(number: string, connections: number): void {
    if (connections === 0) this.handsets.delete(number);
    else this.handsets.set(number, connections);
    this.#hub.publish('handset.disconnected', () => ({ number, connections }));
  }

  #bindChanged(bind: BindInfo, state: 'bound' | 'unbound'): void {
    this.#hub.publish('bind.changed', () => ({ ...bind, boundAt: new Date(bind.boundAt).toISOString(), state }));
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // A real timer, not the injected clock: this paces output to browsers, it is not simulated network time.
    setTimeout(() => this.#flush(), this.#flushIntervalMs).unref();
  }

  #flush(): void {
    this.#flushScheduled = false;
    this.#hub.batch(() => this.#publishPending());
  }

  #publishPending(): void {
    for (const partId of this.#unheldParts) {
      // A part's outcome can come before its message is whole; it shows once the message is created.
      const messageId = this.#read(() => this.#store.segment(partId)?.assembledInto);
      if (messageId) this.#unheldMessages.add(messageId);
    }
    for (const id of this.#createdMessages) this.#publishMessage('message.created', id);
    for (const id of this.#changedMessages) {
      if (!this.#createdMessages.has(id)) this.#publishMessage('message.updated', id, !this.#rewrittenMessages.has(id));
    }
    for (const id of this.#unheldMessages) {
      if (!this.#createdMessages.has(id) && !this.#changedMessages.has(id)) this.#publishMessage('message.updated', id, true);
    }
    for (const id of this.#changedMessages) this.#views.settle(id);
    for (const id of this.#createdMessages) this.#views.settle(id);
    this.#views.bound(this.#createdMessages);
    for (const [sid, call] of this.#createdCalls) {
      this.#updatedCalls.delete(sid);
      this.#hub.publish('call.created', () => callInspectionJson(call));
    }
    for (const call of this.#updatedCalls.values()) this.#hub.publish('call.updated', () => callInspectionJson(call));
    this.#clearPendingMessages();
    this.#createdCalls.clear();
    this.#updatedCalls.clear();
  }

  /**
   * From the console's copy when it holds one, else (created before anyone listened) from the store, read once
   * for both forms. `brief`: a `?changes=1` subscriber gets `message.changed` instead (what changes without a
   * rewrite). The renderers are built once and told the message through #publishing: nothing is allocated per message.
   */
  #publishMessage(type: 'message.created' | 'message.updated', id: string, brief = false): void {
    this.#publishingId = id;
    this.#publishing = this.#views.get(id);
    this.#hub.publishJson(type, this.#renderWhole, brief ? this.#renderChanges : undefined);
  }

  #publishingId = '';
  /** The message being published; null once the store said it is gone. */
  #publishing: MessageView | null | undefined;

  #publishedMessage(): MessageView | undefined {
    this.#publishing ??= this.#read(() => {
      const message = this.#store.message(this.#publishingId);
      return message ? { message, parts: this.#store.segmentsOf(message.id) } : null;
    }) ?? null;
    return this.#publishing ?? undefined;
  }

  readonly #renderWhole = (): string | undefined => {
    const view = this.#publishedMessage();
    return view && messageDetailText(view.message, view.parts);
  };

  readonly #renderChanges: BriefForm = {
    type: 'message.changed',
    render: () => {
      const view = this.#publishedMessage();
      return view && messageChangesJson(view.message, view.parts);
    },
  };

  #messageChanged(messageId: string, held: boolean): void {
    (held ? this.#changedMessages : this.#unheldMessages).add(messageId);
    this.#scheduleFlush();
  }

  #partChanged(partId: string, heldIn: string | undefined): void {
    if (heldIn === undefined) this.#unheldParts.add(partId);
    else this.#changedMessages.add(heldIn);
    this.#scheduleFlush();
  }

  /**
   * Whether anyone listens. When nobody does, the copy is dropped: a change
   * it would miss now would make it stale for the next subscriber.
   */
  #listening(): boolean {
    if (this.#hub.listening) return true;
    if (this.#views.size > 0) this.#forgetMessages();
    return false;
  }

  #forgetMessages(): void {
    this.#views.clear();
    this.#clearPendingMessages();
  }

  #clearPendingMessages(): void {
    this.#createdMessages.clear();
    this.#changedMessages.clear();
    this.#rewrittenMessages.clear();
    this.#unheldMessages.clear();
    this.#unheldParts.clear();
  }

  #read<T>(query: () => T): T | undefined {
    try {
      return query();
    } catch {
      return undefined; // The store was closed (shutdown) between the change and this turn.
    }
  }
}
