import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { EventHub, EventSocket } from './event-hub';

/**
 * `ws://HOST:SIM_PORT/ws/events`: the public event stream (docs/simulator.md).
 * Registered in a scope that already checks credentials. Subscribers only
 * listen; anything they send is ignored.
 */
export function registerEventsSocket(app: FastifyInstance, hub: EventHub): void {
  app.get<{ Querystring: { batch?: string; changes?: string } }>('/ws/events', { websocket: true }, (socket: WebSocket, request) => {
    const { batch, changes } = request.query;
    const unsubscribe = hub.subscribe(eventSocket(socket, request.socket, { batched: batch === '1', changesOnly: changes === '1' }));
    socket.on('close', unsubscribe);
    socket.on('error', () => socket.terminate());
  });
}

const TEXT = { binary: false } as const;

/**
 * The `ws` socket as the hub uses it, through `ws`'s own `send` (the hub
 * checks `bufferedAmount` before each batch). `batched`: the whole batch in
 * one frame, a JSON array (what the console page asks for: one send per
 * interval, whatever the traffic). Otherwise one frame per event, sent with
 * the connection corked (the request's socket, which `ws` writes to), so the
 * batch leaves in one write instead of one per frame. `changesOnly`: the
 * batch's brief form (`?changes=1`).
 */
function eventSocket(socket: WebSocket, connection: Duplex, { batched, changesOnly }: { batched: boolean; changesOnly: boolean }): EventSocket {
  return {
    get bufferedAmount() { return socket.bufferedAmount; },
    get readyState() { return socket.readyState; },
    changesOnly,
    send(batch) {
      const frames = changesOnly ? batch.changes : batch.whole;
      if (batched) return socket.send(frames.joined, TEXT);
      connection.cork();
      try {
        for (const frame of frames.frames) socket.send(frame, TEXT);
      } finally {
        connection.uncork();
      }
    },
    terminate: () => socket.terminate(),
  };
}
