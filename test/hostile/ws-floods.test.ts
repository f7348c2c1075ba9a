import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, authHeader, type RunningSimulator } from '../support/simulator-harness';
import { TestEsme } from '../support/esme';
import { ManualClock } from '../support/manual-clock';
import { waitFor } from '../support/wait-for';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A raw handset socket that records what the server sends, in bytes and frames, and how it closed. */
class Peer {
  readonly frames: { type: string; message?: string; text?: string }[] = [];
  bytesReceived = 0;
  closeCode: number | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.bytesReceived += data.length;
      this.frames.push(JSON.parse(data.toString()) as { type: string });
    });
    socket.on('close', (code) => { this.closeCode = code; });
    socket.on('error', () => {});
  }

  static async open(sim: RunningSimulator, number: string): Promise<Peer> {
    const socket = new WebSocket(sim.wsUrl(number), { headers: { authorization: authHeader } });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const peer = new Peer(socket);
    cleanups.push(() => socket.terminate());
    return peer;
  }

  errors(): string[] {
    return this.frames.filter((f) => f.type === 'error').map((f) => f.message ?? '');
  }

  closed(): Promise<number> {
    return waitFor('the server to close the socket', () => this.closeCode, 15_000);
  }
}

async function simulator(clock = new ManualClock()): Promise<{ sim: RunningSimulator; clock: ManualClock }> {
  const sim = await startSimulator({ clock });
  cleanups.push(() => sim.stop());
  return { sim, clock };
}

describe('WebSocket floods', () => {
  it('10,000 bad frames get at most the burst of small error frames, then close 1008; another handset still gets its SMS', async () => {
    const { sim } = await simulator();
    const flooder = await Peer.open(sim, '+491700009001');
    const other = await Peer.open(sim, '+491700009002');
    const bad = JSON.stringify({ type: 'z'.repeat(1_000) });
    let bytesSent = 0;
    for (let i = 0; i < 10_000; i++) {
      flooder.socket.send(bad);
      bytesSent += bad.length;
    }
    expect(await flooder.closed()).toBe(1008);

    // The clock stands still: the burst (100) is all the socket gets, then one frame saying why it closes.
    const errors = flooder.errors();
    expect(errors).toHaveLength(101);
    expect(errors.slice(0, 100).every((message) => message.length <= 130 && message.startsWith('unknown frame type "zzz'))).toBe(true);
    expect(errors[100]).toMatch(/^more than 50 frames per second \(burst 100\): closing$/);
    expect(flooder.bytesReceived).toBeLessThan(101 * 200);
    expect(flooder.bytesReceived).toBeLessThan(bytesSent / 500);

    const esme = await TestEsme.connect(sim.smppPort);
    cleanups.push(() => esme.close());
    await esme.bind('transmitter');
    await esme.submit({ destination_addr: '491700009002', short_message: Buffer.from('for the quiet one') });
    await waitFor('the other handset\'s SMS', () => other.frames.find((f) => f.type === 'sms'));
    expect(other.frames.find((f) => f.type === 'sms')?.text).toBe('for the quiet one');
    expect(other.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('refill at 50 frames a second: a socket within its rate stays open', async () => {
    const { sim, clock } = await simulator();
    const peer = await Peer.open(sim, '+491700009003');
    for (let i = 0; i < 100; i++) peer.socket.send('{}');
    await waitFor('100 answers', () => peer.errors().length === 100);
    clock.advance(1_000);
    for (let i = 0; i < 50; i++) peer.socket.send('{}');
    await waitFor('150 answers', () => peer.errors().length === 150);
    expect(peer.socket.readyState).toBe(WebSocket.OPEN);
    peer.socket.send('{}');
    expect(await peer.closed()).toBe(1008);
    expect(peer.errors()).toHaveLength(151);
  });

  it('quote at most 100 characters of a bad value, never the whole frame', async () => {
    const { sim } = await simulator();
    const peer = await Peer.open(sim, '+491700009004');
    peer.socket.send(JSON.stringify({ type: 'y'.repeat(50_000) }));
    peer.socket.send(JSON.stringify({ type: 'call.answer', callSid: 'C'.repeat(50_000) }));
    peer.socket.send(JSON.stringify({ type: 'sms.send', to: '1'.repeat(50_000), text: 'hi' }));
    await waitFor('three answers', () => peer.errors().length === 3);
    expect(peer.errors()).toEqual([
      `unknown frame type "${'y'.repeat(99)}…`,
      '"callSid" is longer than 64 characters',
      '"to" is longer than 64 characters',
    ]);
  });

  it('close a frame over 64 KiB with 1009', async () => {
    const { sim } = await simulator();
    const peer = await Peer.open(sim, '+491700009005');
    peer.socket.send(JSON.stringify({ type: 'sms.send', to: '+491700009006', text: 'x'.repeat(64 * 1024) }));
    expect(await peer.closed()).toBe(1009);
    expect(peer.frames).toEqual([]);
  });
});
