/** The version in every frame; bumped only when a frame changes incompatibly. */
export const EVENTS_VERSION = 1;

export const EVENT_TYPES = [
  'message.created', 'message.updated', 'messages.cleared',
  'call.created', 'call.updated', 'calls.cleared',
  'handset.connected', 'handset.disconnected',
  'bind.changed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The part of a WebSocket the hub needs (the `ws` package's WebSocket fits). */
export interface EventSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  /** One text frame; the same bytes go to every subscriber. */
  send(data: Buffer): void;
  terminate(): void;
  /** Holds writes back until `uncork`, so a burst of frames leaves in one write. */
  cork?(): void;
  uncork?(): void;
}

const OPEN = 1;
/** A subscriber this far behind is dropped: the hub never waits for one. */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 << 20;

/**
 * One hub broadcasts `{type, version, data}` to every subscriber (Mailpit's
 * model). With no subscriber `publish` returns before rendering anything; with
 * several, each frame is rendered and serialised once for all of them.
 */
export class EventHub {
  readonly #subscribers = new Set<EventSocket>();
  readonly #maxBufferedBytes: number;

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

  /** Runs `work` (several publishes) with every subscriber's socket corked: one write each, not one per frame. */
  batch(work: () => void): void {
    const corked = [...this.#subscribers];
    for (const socket of corked) socket.cork?.();
    try {
      work();
    } finally {
      for (const socket of corked) socket.uncork?.();
    }
  }

  /** `render` runs only when someone listens; `undefined` from it sends nothing. */
  publish(type: EventType, render: () => unknown): void {
    if (this.#subscribers.size === 0) return;
    const data = render();
    if (data === undefined) return;
    const frame = Buffer.from(JSON.stringify({ type, version: EVENTS_VERSION, data }));
    for (const socket of this.#subscribers) {
      if (socket.readyState !== OPEN) continue;
      if (socket.bufferedAmount > this.#maxBufferedBytes) {
        // A console that cannot keep up would hold memory and the SMSC hostage: cut it off.
        this.#subscribers.delete(socket);
        socket.terminate();
        continue;
      }
      socket.send(frame);
    }
  }
}
