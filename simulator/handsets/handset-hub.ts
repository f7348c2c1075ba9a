import type { NetworkEventSink } from '../console/event-sink';

/** The part of a WebSocket the hub needs (the `ws` package's WebSocket fits). */
export interface HandsetSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: string): void;
  terminate(): void;
}

const OPEN = 1;
/** A handset this far behind is dropped rather than waited for. */
const MAX_BUFFERED_BYTES = 1 << 20;

/**
 * Who is connected as which number, and fan-out of server → handset frames.
 * It never waits on a slow socket: one that cannot keep up is terminated.
 * A number is a phone line: when its last socket goes, the line is down and
 * the listeners hear of it (the voice network ends the call it was in).
 */
export class HandsetHub {
  readonly #sockets = new Map<string, Set<HandsetSocket>>();
  readonly #lineDown = new Set<(number: string) => void>();
  readonly #events?: Pick<NetworkEventSink, 'handsetConnected' | 'handsetDisconnected'>;

  /** `events`: the console's event stream (sockets opened and closed). */
  constructor(events?: Pick<NetworkEventSink, 'handsetConnected' | 'handsetDisconnected'>) {
    this.#events = events;
  }

  attach(number: string, socket: HandsetSocket): () => void {
    let set = this.#sockets.get(number);
    if (!set) this.#sockets.set(number, (set = new Set()));
    set.add(socket);
    this.#events?.handsetConnected(number, set.size);
    return () => {
      if (!set.delete(socket)) return;
      const lineDown = set.size === 0 && this.#sockets.get(number) === set;
      if (lineDown) this.#sockets.delete(number);
      this.#events?.handsetDisconnected(number, set.size);
      if (lineDown) for (const listener of this.#lineDown) listener(number);
    };
  }

  /** Calls `listener` with a number whose last socket has closed. */
  onLineDown(listener: (number: string) => void): void {
    this.#lineDown.add(listener);
  }

  isConnected(number: string): boolean {
    return (this.#sockets.get(number)?.size ?? 0) > 0;
  }

  connectedNumbers(): string[] {
    return [...this.#sockets.keys()];
  }

  /** Sends one frame to every socket of `number`; returns how many took it. */
  send(number: string, frame: object): number {
    const sockets = this.#sockets.get(number);
    if (!sockets) return 0;
    const data = JSON.stringify(frame);
    let sent = 0;
    for (const socket of sockets) {
      if (socket.readyState !== OPEN) continue;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        socket.terminate();
        continue;
      }
      socket.send(data);
      sent++;
    }
    return sent;
  }
}
