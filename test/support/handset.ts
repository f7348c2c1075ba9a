import WebSocket from 'ws';
import { waitFor } from './wait-for';

export type Frame = Record<string, unknown> & { type: string };

/** A virtual phone on the simulator's handset WebSocket, recording every frame it gets. */
export class TestHandset {
  readonly frames: Frame[] = [];
  closed = false;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.frames.push(JSON.parse(data.toString()) as Frame));
    socket.on('close', () => { this.closed = true; });
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<TestHandset> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      socket.once('open', () => resolve(new TestHandset(socket)));
      socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
      socket.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  ofType(type: string): Frame[] {
    return this.frames.filter((f) => f.type === type);
  }

  waitForFrames(type: string, count = 1, timeoutMs = 5_000): Promise<Frame[]> {
    return waitFor(`${count} "${type}" frame(s)`, () => {
      const found = this.ofType(type);
      return found.length >= count ? found : undefined;
    }, timeoutMs);
  }

  /**
   * Resolves once the simulator has answered a frame sent now (one it refuses, which changes nothing).
   * Frames on one socket arrive in order, so every frame it sent before has arrived too: the barrier
   * before asserting that nothing else came.
   */
  async barrier(): Promise<void> {
    const answered = this.ofType('error').length + 1;
    this.send({ type: 'barrier' });
    await this.waitForFrames('error', answered);
  }

  close(): void {
    this.socket.close();
  }
}
