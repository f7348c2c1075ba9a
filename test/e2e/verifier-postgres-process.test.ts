// `verigate verifier --database` as operators run it: two verifier processes on one throwaway PostgreSQL,
// one `verigate simulator` (receipts to any bind), the Verify API over real HTTP. A verification started on
// one instance is sent, delivered, and checked on the other.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { available, postgres } from '../support/components';
import { startSimulatorProcess, startVerifierProcess, type CliProcess } from '../support/cli-process';
import { startPostgres, type ThrowawayPostgres } from '../support/postgres';
import { waitFor } from '../support/wait-for';

const runs = available(postgres(), 'verifiers on PostgreSQL');
const sid = 'AC' + '9d'.repeat(16);
const token = 'postgres-e2e-token';
const env = { VERIGATE_ACCOUNT_SID: sid, VERIGATE_AUTH_TOKEN: token, VERIGATE_CODE_KEY: randomBytes(32).toString('base64') };
const auth = { authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}` };

async function verify(port: number, path: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.runIf(runs)('two verifier processes on one PostgreSQL', () => {
  let server: ThrowawayPostgres;
  let sim: CliProcess & { smppPort: number; httpPort: number };
  const verifiers: (CliProcess & { verifyPort: number })[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    // The throwaway cluster trusts loopback, so the password is ignored by the server: it is here to be hidden.
    const url = (await server.createDatabase('verigate')).replace('verigate@', 'verigate:hunter22@');
    sim = await startSimulatorProcess(['--receipt-delay', '0', '--receipt-routing', 'any'], env);
    const smpp = `smpp://verigate:verigate@127.0.0.1:${sim.smppPort}`;
    // Both at once: they meet on the migrations, which one applies while the other waits.
    verifiers.push(...(await Promise.all([0, 1].map(() => startVerifierProcess(['--database', url, '--smpp', smpp, '--fraud-guard', 'off'], env)))));
  }, 40_000);
  afterAll(async () => {
    for (const v of verifiers) await v.kill();
    await sim?.kill();
    await server?.stop();
  });

  it('each banner names the database without its password', () => {
    for (const v of verifiers) {
      expect(v.stdout()).toMatch(/Data\s+postgres:\/\/verigate:\[redacted\]@127\.0\.0\.1:\d+\/verigate/);
      expect(v.stdout() + v.stderr()).not.toContain('hunter22');
    }
  });

  it('a verification started on one instance is delivered and approved on the other', async () => {
    const [one, two] = verifiers as [CliProcess & { verifyPort: number }, CliProcess & { verifyPort: number }];
    const service = await verify(one.verifyPort, '/v2/Services', { FriendlyName: 'Acme' });
    expect(service.status).toBe(201);
    const serviceSid = service.body['sid'] as string;
    const to = '+4915112345670';
    const started = await verify(one.verifyPort, `/v2/Services/${serviceSid}/Verifications`, { To: to, Channel: 'sms' });
    expect(started.status).toBe(201);

    let code = '';
    await waitFor('the SMS at the handset', async () => {
      const response = await fetch(`http://127.0.0.1:${sim.httpPort}/api/messages?to=${encodeURIComponent(to)}`, { headers: auth });
      const { messages } = (await response.json()) as { messages: { text: string }[] };
      code = /\b(\d{6})\b/.exec(messages[0]?.text ?? '')?.[1] ?? '';
      return code !== '';
    }, 10_000);

    // The receipt came to either instance's bind (the simulator spreads them); both see the delivery.
    for (const port of [one.verifyPort, two.verifyPort]) {
      await waitFor('the delivery receipt recorded', async () => {
        const response = await fetch(`http://127.0.0.1:${port}/v2/Attempts?VerificationSid=${started.body['sid'] as string}`, { headers: auth });
        const { attempts } = (await response.json()) as { attempts: { channel_data: { status: string } }[] };
        return attempts[0]?.channel_data.status === 'delivered';
      }, 10_000);
    }

    // The other instance checks the code: a wrong one counts, the right one approves, and it is then gone on both.
    const wrong = await verify(two.verifyPort, `/v2/Services/${serviceSid}/VerificationCheck`, { To: to, Code: code === '000000' ? '111111' : '000000' });
    expect(wrong.body).toMatchObject({ status: 'pending', valid: false });
    const right = await verify(two.verifyPort, `/v2/Services/${serviceSid}/VerificationCheck`, { To: to, Code: code });
    expect(right.body).toMatchObject({ status: 'approved', valid: true, sid: started.body['sid'] });
    const again = await verify(one.verifyPort, `/v2/Services/${serviceSid}/VerificationCheck`, { To: to, Code: code });
    expect(again.status).toBe(404);
  });

  it('limits hold across the instances: 50 wrong checks spread over both count 5, 20 starts for one number send 5', async () => {
    const [one, two] = verifiers as [CliProcess & { verifyPort: number }, CliProcess & { verifyPort: number }];
    const serviceSid = (await verify(one.verifyPort, '/v2/Services', { FriendlyName: 'Limits' })).body['sid'] as string;
    const to = '+4915112345671';
    const starts = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      verify((i % 2 ? one : two).verifyPort, `/v2/Services/${serviceSid}/Verifications`, { To: to, Channel: 'sms' })));
    expect(starts.filter((r) => r.status === 201)).toHaveLength(5);
    expect(starts.filter((r) => r.status !== 201).every((r) => r.status === 429 && r.body['code'] === 60203)).toBe(true);
    // Every start joined the one pending verification of the number.
    expect(new Set(starts.filter((r) => r.status === 201).map((r) => r.body['sid'])).size).toBe(1);

    const checks = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      verify((i % 2 ? one : two).verifyPort, `/v2/Services/${serviceSid}/VerificationCheck`, { To: to, Code: '0000000' })));
    expect(checks.filter((r) => r.status === 200)).toHaveLength(5);
    expect(checks.filter((r) => r.status !== 200).every((r) => r.status === 429 && r.body['code'] === 60202)).toBe(true);
  });
});
