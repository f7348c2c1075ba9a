import WebSocket from 'ws';
import { waitFor } from './wait-for';

export type SimulatorEvent = { type: string; version: number; data: Record<string, unknown> };

/** A script client of the simulator's `/ws/events` stream, recording every event (and every frame, batched or not). */
export class TestEventStream {
  readonly events: SimulatorEvent[] = [];
  /** Each frame as parsed: an event, or an array of events on a `?batch=1` stream. */
  readonly frames: unknown[] = [];
  closed = false;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as SimulatorEvent | SimulatorEvent[];
      this.frames.push(frame);
      this.events.push(...(Array.isArray(frame) ? frame : [frame]));
    });
    socket.on('close', () => { this.closed = true; });
    socket.on('error', () => undefined);
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<TestEventStream> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      socket.once('open', () => resolve(new TestEventStream(socket)));
      socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
      socket.once('error', reject);
    });
  }

  /** Events of `type` whose data passes `filter`. */
  of(type: string, filter: (data: Record<string, unknown>) => boolean = () => true): SimulatorEvent[] {
    return this.events.filter((e) => e.type === type && filter(e.data));
  }

  waitFor(type: string, filter: (data: Record<string, unknown>) => boolean = () => true, timeoutMs = 5_000): Promise<SimulatorEvent> {
    return waitFor(`a "${type}" event`, () => this.of(type, filter)[0], timeoutMs);
  }

  waitForClose(timeoutMs = 5_000): Promise<true> {
    return waitFor('the server to close the event stream', () => this.closed, timeoutMs);
  }

  close(): void {
    this.socket.close();
  }
}
