import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { EventHub } from './event-hub';

/**
 * `ws://HOST:SIM_PORT/ws/events`: the public event stream (docs/simulator.md).
 * Registered in a scope that already checks credentials. Subscribers only
 * listen; anything they send is ignored.
 */
export function registerEventsSocket(app: FastifyInstance, hub: EventHub): void {
  app.get('/ws/events', { websocket: true }, (socket: WebSocket) => {
    const unsubscribe = hub.subscribe(socket);
    socket.on('close', unsubscribe);
    socket.on('error', () => socket.terminate());
  });
}
