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
 * The `ws` socket as the hub uses it. Every subscriber gets the same frame, so
 * the frame header is built once per frame and the bytes are written straight
 * to each TCP socket, corked for a burst: per subscriber a frame costs two
 * buffered writes. Safe because these sockets carry nothing else from us
 * (no compression, nothing else sent) until `ws` closes them.
 */
function eventSocket(socket: WebSocket): EventSocket {
  // `ws` keeps its TCP socket private; the hub's writes bypass only its framing.
  const tcp = (socket as unknown as { _socket?: Socket })._socket;
  if (!tcp) throw new Error('the WebSocket has no TCP socket');
  return {
    get bufferedAmount() { return socket.bufferedAmount; },
    get readyState() { return socket.readyState; },
    send(data) {
      if (tcp.destroyed) return;
      tcp.write(headerFor(data));
      tcp.write(data);
    },
    terminate: () => socket.terminate(),
    cork: () => tcp.cork(),
    uncork: () => tcp.uncork(),
  };
}

let lastPayload: Buffer | undefined;
let lastHeader: Buffer = Buffer.alloc(0);

/** RFC 6455 §5.2 header of a final, unmasked text frame; the last one is kept, as all subscribers ask in a row. */
function headerFor(payload: Buffer): Buffer {
  if (payload === lastPayload) return lastHeader;
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
  lastPayload = payload;
  lastHeader = header;
  return header;
}
