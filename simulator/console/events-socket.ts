import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { EventHub, EventSocket } from './event-hub';

/**
 * `ws://HOST:SIM_PORT/ws/events`: the public event stream (docs/simulator.md).
 * Registered in a scope that already checks credentials. Subscribers only
 * listen; anything they send is ignored.
 */
export function registerEventsSocket(app: FastifyInstance, hub: EventHub): void {
  app.get('/ws/events', { websocket: true }, (socket: WebSocket) => {
    const unsubscribe = hub.subscribe(eventSocket(socket));
    socket.on('close', unsubscribe);
    socket.on('error', () => socket.terminate());
  });
}

/**
 * The `ws` socket as the hub uses it. Every subscriber is handed the same
 * payloads, so they are framed once (RFC 6455 text frames) into one buffer
 * that is written straight to each TCP socket: one write per subscriber per
 * batch. Safe because these sockets carry nothing else from us (no
 * compression, no other frames) until `ws` closes them.
 */
function eventSocket(socket: WebSocket): EventSocket {
  // `ws` keeps its TCP socket private; the hub's writes bypass only its framing.
  const tcp = (socket as unknown as { _socket?: Socket })._socket;
  if (!tcp) throw new Error('the WebSocket has no TCP socket');
  return {
    get bufferedAmount() { return socket.bufferedAmount; },
    get readyState() { return socket.readyState; },
    send(payloads) {
      if (!tcp.destroyed) tcp.write(framed(payloads));
    },
    terminate: () => socket.terminate(),
  };
}

let lastPayloads: readonly Buffer[] | undefined;
let lastFramed: Buffer = Buffer.alloc(0);

/** The payloads as final, unmasked text frames (RFC 6455 §5.2); the last result is kept, as subscribers ask in a row. */
function framed(payloads: readonly Buffer[]): Buffer {
  if (payloads === lastPayloads) return lastFramed;
  const parts: Buffer[] = [];
  for (const payload of payloads) {
    const length = payload.length;
    let header: Buffer;
    if (length < 126) {
      header = Buffer.from([0x81, length]);
    } else if (length < 65_536) {
      header = Buffer.alloc(4);
      header[0] = 0x81;
      header[1] = 126;
      header.writeUInt16BE(length, 2);
    } else {
      header = Buffer.alloc(10);
      header[0] = 0x81;
      header[1] = 127;
      header.writeBigUInt64BE(BigInt(length), 2);
    }
    parts.push(header, payload);
  }
  lastPayloads = payloads;
  lastFramed = Buffer.concat(parts);
  return lastFramed;
}
