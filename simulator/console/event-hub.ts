/** The version in every frame; bumped only when a frame changes incompatibly. */
export const EVENTS_VERSION = 1;

export const EVENT_TYPES = [
  'message.created', 'message.updated', 'message.changed', 'messages.cleared',
  'call.created', 'call.updated', 'calls.cleared',
  'handset.connected', 'handset.disconnected',
  'bind.changed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The part of a WebSocket the hub needs (events-socket.ts adapts the `ws` package's WebSocket). */
export interface EventSocket {
  /** Bytes sent and not yet written to the network. */
  readonly bufferedAmount: number;
  readonly readyState: number;
  /** Asked for changes only (`?changes=1`): a changed resource's brief form where it has one (`message.changed`). */
  readonly changesOnly: boolean;
  /** Sends the batch's events in order: one text frame each, or the whole batch in one (`?batch=1`). */
  send(batch: EventBatch): void;
  terminate(): void;
}

const OPEN_ARRAY = 0x5b; // [
const COMMA = 0x2c;
const CLOSE_ARRAY = 0x5d; // ]

/**
 * Events serialised once for every subscriber that gets them: each one's
 * bytes, and the batch as one JSON array, are built the first time a
 * subscriber asks.
 */
export class EventFrames {
  readonly events: readonly string[];
  #frames: Buffer[] | undefined;
  #joined: Buffer | undefined;

  constructor(events: readonly string[]) {
    this.events = events;
  }

  /** One payload per event. */
  get frames(): readonly Buffer[] {
    return (this.#frames ??= this.events.map((event) => Buffer.from(event)));
  }

  /** The events as one JSON array, in order, encoded straight into one buffer (no buffer per event, no joined string). */
  get joined(): Buffer {
    if (!this.#joined) {
      const { events } = this;
      let length = 2 + Math.max(events.length - 1, 0);
      for (const event of events) length += Buffer.byteLength(event);
      const joined = Buffer.allocUnsafe(length);
      joined[0] = OPEN_ARRAY;
      let at = 1;
      events.forEach((event, i) => {
        if (i > 0) joined[at++] = COMMA;
        at += joined.write(event, at);
      });
      joined[at] = CLOSE_ARRAY;
      this.#joined = joined;
    }
    return this.#joined;
  }
}

/** A batch in the two forms subscribers ask for: every resource whole, or changes only (`?changes=1`). */
export class EventBatch {
  readonly whole: EventFrames;
  readonly changes: EventFrames;

  constructor(whole: readonly string[], changes: readonly string[]) {
    this.whole = new EventFrames(whole);
    this.changes = new EventFrames(changes);
  }

  for(socket: EventSocket): EventFrames {
    return socket.changesOnly ? this.changes : this.whole;
  }
}

/** What a changed resource may go out as to a `?changes=1` subscriber instead: another type, its own JSON. */
export interface BriefForm {
  type: EventType;
  render: () => string | undefined;
}

const OPEN = 1;
/** A subscriber this far behind is dropped: the hub never waits for one. */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 << 20;

/**
 * One hub broadcasts `{type, version, data}` to every subscriber (Mailpit's
 * model). With no subscriber `publish` returns before rendering anything; with
 * several, each frame is rendered and serialised once for all of them, and in
 * a `batch` the frames go to each subscriber together.
 */
export class EventHub {
  readonly #subscribers = new Set<EventSocket>();
  /** Of them, those that asked for changes only. */
  #changesOnly = 0;
  readonly #maxBufferedBytes: number;
  #batched: { whole: string[]; changes: string[] } | undefined;
  #rendered = 0;

  constructor(options: { maxBufferedBytes?: number } = {}) {
    this.#maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  }

  get listening(): boolean {
    return this.#subscribers.size > 0;
  }

  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** Frames rendered (built and serialised) since the start: each once, however many subscribers get it. */
  get rendered(): number {
    return this.#rendered;
  }

  subscribe(socket: EventSocket): () => void {
    if (!this.#subscribers.has(socket)) {
      this.#subscribers.add(socket);
      if (socket.changesOnly) this.#changesOnly++;
    }
    return () => this.#unsubscribe(socket);
  }

  /** Runs `work` (several publishes) and sends what it published together. */
  batch(work: () => void): void {
    if (this.#batched) return work();
    const batched: { whole: string[]; changes: string[] } = { whole: [], changes: [] };
    this.#batched = batched;
    try {
      work();
    } finally {
      this.#batched = undefined;
      if (batched.whole.length > 0 || batched.changes.length > 0) this.#send(new EventBatch(batched.whole, batched.changes));
    }
  }

  /** `render` runs only when someone listens; `undefined` from it sends nothing. */
  publish(type: EventType, render: () => unknown): void {
    this.publishJson(type, () => {
      const data = render();
      return data === undefined ? undefined : JSON.stringify(data);
    });
  }

  /**
   * As `publish`, for a resource the caller serialises itself (`render` returns its JSON). `brief`: what a
   * `?changes=1` subscriber gets instead; each form is rendered only when a subscriber wants it.
   */
  publishJson(type: EventType, render: () => string | undefined, brief?: BriefForm): void {
    const subscribers = this.#subscribers.size;
    if (subscribers === 0) return;
    const wantChanges = this.#changesOnly > 0;
    const whole = subscribers > this.#changesOnly || !brief ? frame(type, render()) : undefined;
    const changes = !wantChanges ? undefined : brief ? frame(brief.type, brief.render()) : whole;
    if (whole === undefined && changes === undefined) return;
    this.#rendered++;
    if (this.#batched) {
      if (whole !== undefined) this.#batched.whole.push(whole);
      if (changes !== undefined) this.#batched.changes.push(changes);
    } else {
      this.#send(new EventBatch(whole === undefined ? [] : [whole], changes === undefined ? [] : [changes]));
    }
  }

  #send(batch: EventBatch): void {
    for (const socket of this.#subscribers) {
      if (socket.readyState !== OPEN) continue;
      if (socket.bufferedAmount > this.#maxBufferedBytes) {
        // A console that cannot keep up would hold memory and the SMSC hostage: cut it off (the page reconnects and reloads).
        this.#unsubscribe(socket);
        socket.terminate();
        continue;
      }
      if (batch.for(socket).events.length > 0) socket.send(batch);
    }
  }

  #unsubscribe(socket: EventSocket): void {
    if (this.#subscribers.delete(socket) && socket.changesOnly) this.#changesOnly--;
  }
}

function frame(type: EventType, data: string | undefined): string | undefined {
  return data === undefined ? undefined : `{"type":"${type}","version":${EVENTS_VERSION},"data":${data}}`;
}
