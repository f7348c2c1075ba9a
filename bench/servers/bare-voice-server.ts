// The reference of the voice benchmark: the same wire steps with nothing else — a form POST creates a
// "call", the handset's socket gets call.incoming, its call.answer triggers one RCML fetch, and the
// handset gets call.say and call.ended. No call records, no state machine, no signatures, no parsing.
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import websocket from '@fastify/websocket';
import { request } from 'undici';
import type { WebSocket } from 'ws';
import { serveUntilTold } from '../lib/server-entry';

await serveUntilTold(async () => {
  const app = Fastify({ logger: false });
  await app.register(formbody);
  await app.register(websocket);
  const sockets = new Map<string, WebSocket>();
  const calls = new Map<string, { to: string; url: string }>();
  app.get<{ Params: { number: string } }>('/ws/handsets/:number', { websocket: true }, (socket, req) => {
    const number = `+${req.params.number.replace(/^\+/, '')}`;
    sockets.set(number, socket);
    socket.on('message', async (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; callSid: string };
      const call = calls.get(frame.callSid);
      if (frame.type !== 'call.answer' || !call) return;
      const rcml = await (await request(call.url, { method: 'POST' })).body.text();
      const text = /<Say>([^<]*)<\/Say>/.exec(rcml)?.[1] ?? '';
      socket.send(JSON.stringify({ type: 'call.say', callSid: frame.callSid, text }));
      socket.send(JSON.stringify({ type: 'call.ended', callSid: frame.callSid, status: 'completed' }));
      calls.delete(frame.callSid);
    });
  });
  app.post<{ Body: Record<string, string> }>('/2010-04-01/Accounts/:account/Calls.json', async (req, reply) => {
    const sid = `CA${randomBytes(16).toString('hex')}`;
    calls.set(sid, { to: req.body['To']!, url: req.body['Url']! });
    sockets.get(req.body['To']!)?.send(JSON.stringify({ type: 'call.incoming', callSid: sid, from: req.body['From'], to: req.body['To'] }));
    return reply.code(201).send({ sid, status: 'queued' });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, stop: () => app.close() };
});
