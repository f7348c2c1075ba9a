/** The version in every frame; bumped only when a frame changes incompatibly. */
export const EVENTS_VERSION = 1;

export const EVENT_TYPES = [
  'message.created', 'message.updated', 'messages.cleared',
  'call.created', 'call.updated', 'calls.cleared',
  'handset.connected', 'handset.disconnected',
  'bind.changed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The part of a WebSocket the hub needs (events-socket.ts adapts the `ws` package's WebSocket). */
export interface EventSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  /**
   * Sends each payload as one text frame, in order. Every subscriber is handed
   * the same array, so framing can be done once for all of them.
   */
  send(payloads: readonly Buffer[]): void;
  terminate(): void;
}

const OPEN = 1;
/** A subscriber this far behind is dropped: the hub never waits for one. */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 << 20;

/**
 * One hub broadcasts `{type, version, data}` to every subscriber (Mailpit's
 * model). With no subscriber `publish` returns before rendering anything; with
 * several, each frame is rendered and serialised once for all of them, and in
 * a `batch` the frames go to each subscriber in one write.
 */
export class EventHub {
  readonly #subscribers = new Set<EventSocket>();
  readonly #maxBufferedBytes: number;
  #batched: Buffer[] | undefined;

  constructor(options: { maxBufferedBytes?: number } = {}) {
    this.#maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  }

  get listening(): boolean {
    return this.#subscribers.size > 0;
  }

  get subscribers(): number {
    return this.#subscribers.size;
  }

  subscribe(socket: EventSocket): () => void {
    this.#subscribers.add(socket);
    return () => this.#subscribers.delete(socket);
  }

  /** Runs `work` (several publishes) and sends what it published together. */
  batch(work: () => void): void {
    if (this.#batched) return work();
    this.#batched = [];
    try {
      work();
    } finally {
      const payloads = this.#batched;
      this.#batched = undefined;
      if (payloads.length > 0) this.#send(payloads);
    }
  }

  /** `render` runs only when someone listens; `undefined` from it sends nothing. */
  publish(type: EventType, render: () => unknown): void {
    if (this.#subscribers.size === 0) return;
    const data = render();
    if (data === undefined) return;
    const payload = Buffer.from(JSON.stringify({ type, version: EVENTS_VERSION, data }));
    if (this.#batched) this.#batched.push(payload);
    else this.#send([payload]);
  }

  #send(payloads: readonly Buffer[]): void {
    for (const socket of this.#subscribers) {
      if (socket.readyState !== OPEN) continue;
      if (socket.bufferedAmount > this.#maxBufferedBytes) {
        // A console that cannot keep up would hold memory and the SMSC hostage: cut it off.
        this.#subscribers.delete(socket);
        socket.terminate();
        continue;
      }
      socket.send(payloads);
    }
  }
}
