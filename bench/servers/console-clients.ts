// BENCH_CONSOLES subscribers of the simulator's event stream (BENCH_EVENTS_URL: `?batch=1` as the console page, or
// one frame per event as a script): each reads and parses every frame. Ready (`LISTENING 0`) once all are subscribed;
// on stop, reports to stderr how many events each got and whether the simulator dropped any of them.
import WebSocket from 'ws';
import { serveUntilTold } from '../lib/server-entry';

await serveUntilTold(async () => {
  const count = Number(process.env['BENCH_CONSOLES']);
  const url = process.env['BENCH_EVENTS_URL']!;
  const events: number[] = [];
  const dropped: boolean[] = [];
  const sockets = await Promise.all(Array.from({ length: count }, (_, i) => new Promise<WebSocket>((resolve, reject) => {
    events[i] = 0;
    dropped[i] = false;
    const socket = new WebSocket(url);
    socket.on('message', (data) => {
      const parsed: unknown = JSON.parse(data.toString());
      events[i]! += Array.isArray(parsed) ? parsed.length : 1;
    });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.on('close', () => { dropped[i] = !stopping; });
  })));
  let stopping = false;
  return {
    port: 0,
    async stop() {
      stopping = true;
      process.stderr.write(`consoles: events ${events.join(',')}; dropped ${dropped.filter(Boolean).length}\n`);
      for (const socket of sockets) socket.close();
    },
  };
});
