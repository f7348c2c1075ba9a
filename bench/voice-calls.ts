/**
 * Calls per second through the voice network with 1,000 handsets connected:
 * REST create → ring (call.incoming) → answer → RCML fetch → Say → Hangup →
 * call.ended, with 50 calls in flight, next to a bare server doing the same
 * wire steps (see servers/bare-voice-server.ts), each in its own process.
 * Besides the rates, the CPU time each process spends per call: on a shared
 * machine it is steadier than the rate, and it shows which side sets the pace.
 *
 * Env: BENCH_CALLS (per run, default 2000), BENCH_ROUNDS (default 3),
 * BENCH_CPU_PROF=DIR (the server children write V8 CPU profiles there).
 */
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import WebSocket from 'ws';
import { startChildServer, type ChildServer } from './lib/child-server';
import { machineLine, markdownTable, type BenchResult } from './lib/results';
import { envInt, median } from './lib/stats';
import { BENCH_ACCOUNT_SID, BENCH_AUTH_TOKEN } from './servers/bench-credentials';

const HANDSETS = 1_000;
const IN_FLIGHT = 50;
const authorization = `Basic ${Buffer.from(`${BENCH_ACCOUNT_SID}:${BENCH_AUTH_TOKEN}`).toString('base64')}`;
const number = (i: number) => `+4915199${String(i).padStart(6, '0')}`;

/** Serves the RCML every call runs: one Say, then Hangup. */
function rcmlServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/xml' }).end('<?xml version="1.0"?><Response><Say>Your code is 1, 2, 3, 4, 5, 6.</Say><Hangup/></Response>');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/rcml`,
    close: () => new Promise((done) => server.close(() => done())),
  })));
}

/** 1,000 handsets that answer every call and report each call that ends. */
async function connectHandsets(port: number, onEnded: (callSid: string, status: string) => void): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let batch = 0; batch < HANDSETS; batch += 100) {
    await Promise.all(Array.from({ length: 100 }, (_, k) => new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/ws/handsets/${encodeURIComponent(number(batch + k))}`, { headers: { authorization } });
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; callSid: string; status?: string };
        if (frame.type === 'call.incoming') socket.send(JSON.stringify({ type: 'call.answer', callSid: frame.callSid }));
        if (frame.type === 'call.ended') onEnded(frame.callSid, frame.status ?? '');
      });
      socket.once('open', () => resolve());
      socket.once('error', reject);
      sockets.push(socket);
    })));
  }
  return sockets;
}

interface Sample {
  rate: number;
  /** CPU time per call of this (client) process and of the server, in µs. */
  clientUs: number;
  serverUs: number;
  /** CPU time over wall time, 100% = one core. */
  clientBusy: number;
  serverBusy: number;
}

async function measure(server: ChildServer, calls: number, rcmlUrl: string): Promise<Sample> {
  const waiting = new Map<string, () => void>();
  const early = new Set<string>();
  let failed = 0;
  const sockets = await connectHandsets(server.port, (sid, status) => {
    if (status !== 'completed') failed++;
    const done = waiting.get(sid);
    if (done) done();
    else early.add(sid);
  });
  const agent = new Agent({ connections: IN_FLIGHT });
  try {
    let next = 0;
    const clientCpuAtStart = process.cpuUsage();
    const serverCpuAtStart = server.cpuTimeMs() ?? NaN;
    const started = performance.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < calls) {
        const i = next++;
        const response = await request(`http://127.0.0.1:${server.port}/2010-04-01/Accounts/${BENCH_ACCOUNT_SID}/Calls.json`, {
          method: 'POST', dispatcher: agent,
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ From: '+15005550006', To: number(i % HANDSETS), Url: rcmlUrl }).toString(),
        });
        const { sid } = (await response.body.json()) as { sid: string };
        if (response.statusCode !== 201) throw new Error(`create call answered ${response.statusCode}`);
        if (early.delete(sid)) continue;
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`call ${sid} did not end`)), 30_000);
          waiting.set(sid, () => { clearTimeout(timer); waiting.delete(sid); resolve(); });
        });
      }
    }));
    const elapsedMs = performance.now() - started;
    const serverCpuMs = (server.cpuTimeMs() ?? NaN) - serverCpuAtStart;
    const clientCpu = process.cpuUsage(clientCpuAtStart);
    const clientCpuMs = (clientCpu.user + clientCpu.system) / 1000;
    if (failed > 0) throw new Error(`${failed} calls did not complete`);
    return {
      rate: (calls / elapsedMs) * 1000,
      clientUs: (clientCpuMs * 1000) / calls,
      serverUs: (serverCpuMs * 1000) / calls,
      clientBusy: clientCpuMs / elapsedMs,
      serverBusy: serverCpuMs / elapsedMs,
    };
  } finally {
    await agent.close();
    for (const socket of sockets) socket.terminate();
  }
}

export async function run(): Promise<BenchResult> {
  const calls = envInt('BENCH_CALLS', 2_000);
  const rounds = envInt('BENCH_ROUNDS', 3);
  const profileDir = process.env['BENCH_CPU_PROF'] ? path.resolve(process.env['BENCH_CPU_PROF']) : undefined;
  const rcml = await rcmlServer();
  const sides = [
    { side: 'bare', label: 'bare-voice', entry: 'bench/servers/bare-voice-server.ts', samples: [] as Sample[] },
    { side: 'verigate', label: 'voice', entry: 'bench/servers/voice-simulator-server.ts', samples: [] as Sample[] },
  ];
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const spec of sides) {
        const server = await startChildServer({
          entry: spec.entry,
          label: spec.label,
          nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, `${spec.label}-round${round}`)}`] : [],
        });
        try {
          const sample = await measure(server, calls, rcml.url);
          spec.samples.push(sample);
          console.log(`  round ${round}/${rounds}  ${spec.side.padEnd(8)}  ${Math.round(sample.rate).toString().padStart(5)} calls/s  ` +
            `server ${sample.serverUs.toFixed(0)} µs/call (${percent(sample.serverBusy)} busy), client ${sample.clientUs.toFixed(0)} µs/call (${percent(sample.clientBusy)})`);
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    await rcml.close();
  }
  const of = (samples: Sample[], pick: (s: Sample) => number) => median(samples.map(pick));
  const ref = of(sides[0]!.samples, (s) => s.rate);
  const sub = of(sides[1]!.samples, (s) => s.rate);
  console.log(`voice: bare ${Math.round(ref)} calls/s, verigate ${Math.round(sub)} calls/s`);
  const cpuTable = markdownTable(['side', 'client CPU µs/call', 'server CPU µs/call', 'client busy', 'server busy'], sides.map(({ side, samples }) => [
    side,
    of(samples, (s) => s.clientUs).toFixed(0),
    of(samples, (s) => s.serverUs).toFixed(0),
    percent(of(samples, (s) => s.clientBusy)),
    percent(of(samples, (s) => s.serverBusy)),
  ]));
  return {
    title: 'Voice calls',
    markdown: [
      markdownTable(['case', 'bare server calls/s', 'verigate calls/s', 'ratio'], [
        [`create → ring → answer → RCML → Say → Hangup, ${HANDSETS} handsets, ${IN_FLIGHT} in flight`, Math.round(ref), Math.round(sub), `${Math.round((sub / ref) * 100)}%`],
      ]),
      '',
      `- **Verigate**: the carrier simulator in its own process; ${calls} calls created over the Twilio path of the REST API, each rung on one`,
      `  of ${HANDSETS} connected handsets that answers at once; the RCML (one Say, then Hangup) comes from an HTTP server in the bench`,
      '  process. A call counts when its handset gets `call.ended` with status `completed`.',
      '- **Reference**: a bare fastify + WebSocket server doing the same wire steps (POST, call.incoming, answer, one RCML',
      '  fetch, call.say, call.ended) with no call records, state machine, signatures or RCML parsing.',
      `- ${rounds} rounds alternated, medians shown; each run in a fresh server process (no warm-up). Goal: at least 80% of the bare server.`,
      `- Measured on: ${machineLine()}.`,
      '',
      'Where the time goes (medians; CPU time of each process over a run, divided by its calls; "busy" is CPU time over',
      'wall time, 100% = one core; the client process also runs the RCML server). The side near 100% sets the pace.',
      '',
      cpuTable,
    ].join('\n'),
  };
}

function percent(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value * 100)}%` : '?';
}
