import { parseSmppUrl } from '../../gateway/smpp';
import { parseVoiceApiUrl } from '../../gateway/rest/voice-api-client';
import { buildVerifier, type Verifier, type VerifierOptions } from '../../verifier';
import { startSimulator, credentials, authHeader, type RunningSimulator } from './simulator-harness';

export { credentials, authHeader };

export interface RunningStack {
  sim: RunningSimulator;
  verifier: Verifier;
  verifyUrl: string;
  /** Form-encoded call to the Verify API with the account's credentials. */
  verify(path: string, form?: Record<string, string>, method?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/** Simulator and verifier in this process, wired through real sockets (SMPP over TCP, REST over HTTP). */
export async function startStack(options: Partial<VerifierOptions> = {}): Promise<RunningStack> {
  const sim = await startSimulator();
  const verifier = await buildVerifier({
    host: '127.0.0.1',
    port: 0,
    credentials,
    dataFile: ':memory:',
    smpp: parseSmppUrl(`smpp://verigate:verigate@127.0.0.1:${sim.smppPort}`),
    voiceApi: parseVoiceApiUrl(`http://${credentials.accountSid}:${credentials.authToken}@127.0.0.1:${sim.httpPort}/restcomm/2012-04-24`),
    gatewayTuning: { dispatcher: { pollMs: 20, backoff: { initialMs: 20, maxMs: 100, jitter: 0 } }, smppClient: { reconnect: { initialMs: 20, maxMs: 100, jitter: 0 } } },
    ...options,
  });
  const { port } = await verifier.start();
  await verifier.gateway.smppClient?.waitUntilBound();
  const verifyUrl = `http://127.0.0.1:${port}`;
  return {
    sim,
    verifier,
    verifyUrl,
    async verify(path, form, method) {
      const response = await fetch(`${verifyUrl}${path}`, {
        method: method ?? (form ? 'POST' : 'GET'),
        headers: { authorization: authHeader, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        body: form ? new URLSearchParams(form).toString() : undefined,
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    async stop() {
      await verifier.stop();
      await sim.stop();
    },
  };
}
