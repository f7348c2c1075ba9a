// Issue 16, "one clock everywhere": an SMPP session's response and close timeouts run on the injected clock.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SmppListener, SmppSession, SmppTimeoutError, type Pdu } from '../../../../gateway/smpp';
import { ManualClock } from '../../../support/manual-clock';
import { waitFor } from '../../../support/wait-for';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A listener whose sessions take requests and never answer them. */
async function silentPeer(clock: ManualClock): Promise<{ port: number; requests: Pdu[] }> {
  const requests: Pdu[] = [];
  const listener = new SmppListener({ port: 0, clock, onSession: (session) => session.on('request', (pdu) => requests.push(pdu)) });
  cleanups.push(() => listener.close());
  return { port: await listener.listen(), requests };
}

describe('SMPP session timers on the injected clock', () => {
  it('times a request out when the clock passes its response timeout, not before', async () => {
    const clock = new ManualClock();
    const peer = await silentPeer(clock);
    const session = await SmppSession.connect({ host: '127.0.0.1', port: peer.port }, { clock, responseTimeoutMs: 5_000 });
    cleanups.push(() => session.destroy());
    const outcome = session.request('enquire_link').then(() => 'answered', (error: unknown) => error);
    await waitFor('the peer to get the request', () => peer.requests.length === 1);
    clock.advance(4_999);
    expect(session.pendingRequests).toBe(1);
    clock.advance(1);
    expect(session.pendingRequests).toBe(0);
    const error = await outcome;
    expect(error).toBeInstanceOf(SmppTimeoutError);
    expect((error as SmppTimeoutError).timeoutMs).toBe(5_000);
    // A per-request timeout runs on the same clock.
    const second = session.request('enquire_link', {}, 300).catch((e: unknown) => e);
    clock.advance(300);
    expect(await second).toBeInstanceOf(SmppTimeoutError);
  });

  it('drops a connection whose peer never closes its side once the clock passes the close grace', async () => {
    const clock = new ManualClock();
    // A peer that keeps its side open after our FIN.
    const server = net.createServer({ allowHalfOpen: true }, (socket) => socket.on('error', () => undefined).resume());
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sockets: net.Socket[] = [];
    server.on('connection', (socket) => sockets.push(socket));
    const session = await SmppSession.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port }, { clock });
    cleanups.push(() => sockets.forEach((s) => s.destroy()));
    let closed = false;
    const closing = session.close().then(() => { closed = true; });
    await waitFor('the peer to see our FIN', () => sockets[0]?.readableEnded);
    expect(closed).toBe(false);
    clock.advance(2_000);
    await closing;
    expect(session.closed).toBe(true);
  });
});
