// BENCH_CONSOLES browser consoles on the simulator's event stream (BENCH_EVENTS_URL): each reads and parses every
// frame, as the console page does. Ready (`LISTENING 0`) once all are subscribed; on stop, reports to stderr how many
// frames each got and whether the simulator dropped any of them.
import WebSocket from 'ws';
import { serveUntilTold } from '../lib/server-entry';

await serveUntilTold(async () => {
  const count = Number(process.env['BENCH_CONSOLES']);
  const url = process.env['BENCH_EVENTS_URL']!;
  const frames: number[] = [];
  const dropped: boolean[] = [];
  const sockets = await Promise.all(Array.from({ length: count }, (_, i) => new Promise<WebSocket>((resolve, reject) => {
    frames[i] = 0;
    dropped[i] = false;
    const socket = new WebSocket(url);
    socket.on('message', (data) => {
      JSON.parse(data.toString());
      frames[i]!++;
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
      process.stderr.write(`consoles: frames ${frames.join(',')}; dropped ${dropped.filter(Boolean).length}\n`);
      for (const socket of sockets) socket.close();
    },
  };
});
