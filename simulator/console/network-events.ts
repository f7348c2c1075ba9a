import { messageDetailJson } from '../http/control-routes';
import type { MessageCenter } from '../message-center';
import type { BindInfo, SmscServer } from '../smsc/smsc-server';
import type { MessageStore } from '../store/message-store';
import { callInspectionJson, type CallRecord } from '../voice/call-record';
import type { EventHub } from './event-hub';
import type { NetworkEventSink } from './event-sink';

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
 * state, and one created in it goes out as `*.created` only. Under load that
 * is one frame per message instead of three, and one write per subscriber.
 */
export class NetworkEvents implements NetworkEventSink {
  readonly #hub: EventHub;
  readonly #store: MessageStore;
  readonly #createdMessages = new Set<string>();
  readonly #updatedMessages = new Set<string>();
  readonly #updatedParts = new Set<string>();
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

  /** Listens to what the SMSC and the message center already emit. */
  observe(center: MessageCenter, smsc: SmscServer): void {
    center.on('outcome', (segment) => this.partUpdated(segment.messageId));
    smsc.on('bound', (bind) => this.#bindChanged(bind, 'bound'));
    smsc.on('unbound', (bind) => this.#bindChanged(bind, 'unbound'));
  }

  messageCreated(messageId: string): void {
    if (!this.#hub.listening) return;
    this.#createdMessages.add(messageId);
    this.#scheduleFlush();
  }

  messageUpdated(messageId: string): void {
    if (!this.#hub.listening) return;
    this.#updatedMessages.add(messageId);
    this.#scheduleFlush();
  }

  partUpdated(partId: string): void {
    if (!this.#hub.listening) return;
    this.#updatedParts.add(partId);
    this.#scheduleFlush();
  }

  messagesCleared(): void {
    this.#createdMessages.clear();
    this.#updatedMessages.clear();
    this.#updatedParts.clear();
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
    for (const partId of this.#updatedParts) {
      // A part's outcome can come before its message is whole; it shows once the message is created.
      const messageId = this.#read(() => this.#store.segment(partId)?.assembledInto);
      if (messageId) this.#updatedMessages.add(messageId);
    }
    this.#updatedParts.clear();
    for (const id of this.#createdMessages) {
      this.#updatedMessages.delete(id);
      this.#publishMessage('message.created', id);
    }
    for (const id of this.#updatedMessages) this.#publishMessage('message.updated', id);
    for (const [sid, call] of this.#createdCalls) {
      this.#updatedCalls.delete(sid);
      this.#hub.publish('call.created', () => callInspectionJson(call));
    }
    for (const call of this.#updatedCalls.values()) this.#hub.publish('call.updated', () => callInspectionJson(call));
    this.#createdMessages.clear();
    this.#updatedMessages.clear();
    this.#createdCalls.clear();
    this.#updatedCalls.clear();
  }

  #publishMessage(type: 'message.created' | 'message.updated', id: string): void {
    this.#hub.publish(type, () => this.#read(() => {
      const message = this.#store.message(id);
      return message && messageDetailJson(this.#store, message);
    }));
  }

  #read<T>(query: () => T): T | undefined {
    try {
      return query();
    } catch {
      return undefined; // The store was closed (shutdown) between the change and this turn.
    }
  }
}
