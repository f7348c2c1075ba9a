import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LISTENER_LIMITS, type ListenerLimits } from '../../gateway/http/listener-limits';
import { buildVerifier } from '../../verifier';
import { startSimulator, credentials } from '../support/simulator-harness';
import { waitFor } from '../support/wait-for';

/** Short figures, so a test sees the limits act; the bound below is derived from them. */
const SHORT: ListenerLimits = { requestTimeoutMs: 1_500, headersTimeoutMs: 1_000, keepAliveTimeoutMs: 500, checkIntervalMs: 200, maxConnections: 50 };
/** A request past its timeout is closed at the next check; the rest is slack for a loaded machine. */
const closedWithin = (timeoutMs: number) => timeoutMs + 2 * SHORT.checkIntervalMs + 3_000;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Trickler {
  socket: Socket;
  received(): string;
  closed: Promise<number>;
}

/** A client that sends `head` and then one byte every 200 ms, for as long as the server keeps the socket open. */
async function trickle(port: number, head: string): Promise<Trickler> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const started = Date.now();
  let received = '';
  socket.on('data', (chunk) => { received += chunk.toString(); });
  socket.on('error', () => {});
  socket.write(head);
  const drip = setInterval(() => { if (socket.writable) socket.write('x', () => {}); }, 200);
  const closed = once(socket, 'close').then(() => {
    clearInterval(drip);
    return Date.now() - started;
  });
  cleanups.push(() => { clearInterval(drip); socket.destroy(); });
  return { socket, received: () => received, closed };
}

/** A client that sends `head`, then nothing. */
async function quiet(port: number, head: string): Promise<Trickler> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const started = Date.now();
  let received = '';
  socket.on('data', (chunk) => { received += chunk.toString(); });
  socket.on('error', () => {});
  if (head) socket.write(head);
  cleanups.push(() => socket.destroy());
  return { socket, received: () => received, closed: once(socket, 'close').then(() => Date.now() - started) };
}

function bodyHead(path: string, extra = ''): string {
  return `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n${extra}\r\n`;
}

async function closedBefore(trickler: Trickler, boundMs: number): Promise<number> {
  let closedAfter: number | undefined;
  void trickler.closed.then((ms) => { closedAfter = ms; });
  return waitFor(`the server to close the trickling socket within ${boundMs} ms`, () => closedAfter, boundMs);
}

async function simulator(limits: Partial<ListenerLimits> = SHORT) {
  const sim = await startSimulator({ listener: limits });
  cleanups.push(() => sim.stop());
  return sim;
}

async function verifier(limits: Partial<ListenerLimits> = SHORT) {
  const v = await buildVerifier({ host: '127.0.0.1', port: 0, credentials, dataFile: ':memory:', listener: limits });
  const { port } = await v.start();
  cleanups.push(() => v.stop());
  return { v, port, url: `http://127.0.0.1:${port}` };
}

describe('slow HTTP clients', () => {
  it('the simulator closes a body trickled after a 401 once the request timeout passes, while another client is served', async () => {
    const sim = await simulator();
    const slow = await trickle(sim.httpPort, bodyHead('/api/handsets/+4915112340001/sms'));
    await waitFor('the 401', () => slow.received().startsWith('HTTP/1.1 401'));
    const health = await fetch(`${sim.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    await closedBefore(slow, closedWithin(SHORT.requestTimeoutMs));
    expect((await fetch(`${sim.baseUrl}/healthz`)).status).toBe(200);
  });

  it('the verifier closes a body trickled after a 401 once the request timeout passes, while another client is served', async () => {
    const { url, port } = await verifier();
    const slow = await trickle(port, bodyHead('/v2/Services'));
    await waitFor('the 401', () => slow.received().startsWith('HTTP/1.1 401'));
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await closedBefore(slow, closedWithin(SHORT.requestTimeoutMs));
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('close a connection that trickles its headers once the headers timeout passes, and one that sends nothing once the request timeout passes', async () => {
    const sim = await simulator();
    const { port } = await verifier();
    for (const target of [sim.httpPort, port]) {
      const headers = await trickle(target, 'GET /healthz HTTP/1.1\r\nX-Slow: ');
      const silent = await quiet(target, '');
      await closedBefore(headers, closedWithin(SHORT.headersTimeoutMs));
      expect(headers.received()).toMatch(/^HTTP\/1.1 408/);
      await closedBefore(silent, closedWithin(SHORT.requestTimeoutMs));
    }
  });

  it('close an idle keep-alive connection after the keep-alive timeout', async () => {
    const sim = await simulator();
    const client = await quiet(sim.httpPort, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await waitFor('the answer', () => client.received().includes('"ok"'));
    await closedBefore(client, closedWithin(SHORT.keepAliveTimeoutMs));
  });

  it('refuse connections beyond the cap, and serve again once one closes', async () => {
    const sim = await simulator({ ...SHORT, requestTimeoutMs: 15_000, headersTimeoutMs: 15_000, maxConnections: 2 });
    const server = sim.sim.http.server as Server;
    const open = new Set<Socket>();
    server.on('connection', (socket: Socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    const held = [connect(sim.httpPort, '127.0.0.1'), connect(sim.httpPort, '127.0.0.1')];
    for (const socket of held) cleanups.push(() => socket.destroy());
    await waitFor('the server to hold both', () => open.size === 2);
    const dropped = once(server, 'drop');
    const extra = connect(sim.httpPort, '127.0.0.1');
    extra.on('error', () => {});
    let received = '';
    extra.on('data', (chunk) => { received += chunk.toString(); });
    extra.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await dropped;
    await once(extra, 'close');
    expect(received).toBe('');
    held[0]!.destroy();
    await waitFor('the server to let one go', () => open.size === 1);
    const health = await fetch(`${sim.baseUrl}/healthz`, { headers: { connection: 'close' } });
    expect(health.status).toBe(200);
  });

  it('close a refused WebSocket upgrade instead of keeping its socket', async () => {
    const sim = await simulator();
    const upgrade = await trickle(sim.httpPort, 'GET /ws/handsets/not-a-number HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n'
      + 'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    await closedBefore(upgrade, closedWithin(SHORT.requestTimeoutMs));
    expect(upgrade.received()).toMatch(/^HTTP\/1.1 401/);
  });

  it('the verifier, which has no WebSocket, answers a request asking for an upgrade as plain HTTP', async () => {
    const { port } = await verifier();
    const client = await quiet(port, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    await waitFor('the answer', () => client.received().includes('"ok"'));
    expect(client.received()).toMatch(/^HTTP\/1.1 200 /);
  });

  it('default to figures that close any slow request well within 60 s', async () => {
    const sim = await simulator({});
    const { v } = await verifier({});
    for (const server of [sim.sim.http.server, v.http.server] as Server[]) {
      expect(server.headersTimeout).toBe(DEFAULT_LISTENER_LIMITS.headersTimeoutMs);
      expect(server.requestTimeout).toBe(DEFAULT_LISTENER_LIMITS.requestTimeoutMs);
      expect(server.keepAliveTimeout).toBe(DEFAULT_LISTENER_LIMITS.keepAliveTimeoutMs);
      expect(server.maxConnections).toBe(DEFAULT_LISTENER_LIMITS.maxConnections);
      expect(server.timeout).toBe(DEFAULT_LISTENER_LIMITS.requestTimeoutMs);
      const checkEvery = (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval;
      expect(checkEvery).toBe(DEFAULT_LISTENER_LIMITS.checkIntervalMs);
      // The latest a slow request can be closed: its timeout, plus one check interval.
      expect(Math.max(server.headersTimeout, server.requestTimeout) + checkEvery).toBeLessThan(60_000);
    }
  });

  it('refuse a bad figure at build time, naming it', async () => {
    await expect(buildVerifier({ host: '127.0.0.1', port: 0, credentials, dataFile: ':memory:', listener: { headersTimeoutMs: 40_000 } }))
      .rejects.toThrow(/listener\.headersTimeoutMs .* must not exceed listener\.requestTimeoutMs/);
  });
});
