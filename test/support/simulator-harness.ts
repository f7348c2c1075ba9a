import { buildSimulator, type Simulator, type SimulatorOptions } from '../../simulator';

export const credentials = { accountSid: 'AC' + 'ab'.repeat(16), authToken: 'test-auth-token-123' };
export const authHeader = `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`;

export interface RunningSimulator {
  sim: Simulator;
  smppPort: number;
  httpPort: number;
  baseUrl: string;
  wsUrl(number: string): string;
  api(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

/** A simulator on ports chosen at run time, with in-memory SQLite unless a file is given. */
export async function startSimulator(options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  const sim = buildSimulator({
    host: '127.0.0.1',
    httpPort: 0,
    smppPort: 0,
    smppSystemId: 'verigate',
    smppPassword: 'verigate',
    credentials,
    dataFile: ':memory:',
    network: { receiptDelayMs: 0 },
    // Speech takes no time on the real clock, so tests stay fast; tests of timing inject a clock and turn it on.
    voice: { speechTime: false },
    ...options,
  });
  const { httpPort, smppPort } = await sim.start();
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  return {
    sim,
    smppPort,
    httpPort,
    baseUrl,
    wsUrl: (number) => `ws://127.0.0.1:${httpPort}/ws/handsets/${encodeURIComponent(number)}`,
    async api(path, init = {}) {
      const response = await fetch(`${baseUrl}${path}`, {
        method: init.method ?? 'GET',
        headers: { authorization: authHeader, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    stop: () => sim.stop(),
  };
}
