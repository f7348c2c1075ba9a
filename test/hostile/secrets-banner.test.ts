// The start-up banner and everything a process prints: real secrets never appear, the development
// defaults do (a developer needs them to try the stack).
import { afterEach, describe, expect, it } from 'vitest';
import { TestHandset } from '../support/handset';
import { runCli, startSimulatorProcess, startStackProcess, startVerifierProcess, type CliProcess } from '../support/cli-process';

const sid = 'AC' + '7c'.repeat(16);
const authToken = 'Tok/en+Secret=77:x';
const smppPassword = 'Zq8#Lm2!';
const processes: CliProcess[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill('SIGKILL')));
});

/** Every spelling in which a secret could leak: as is, percent-encoded, and inside a Basic header. */
function spellings(secret: string): string[] {
  return [secret, encodeURIComponent(secret), Buffer.from(`${sid}:${secret}`).toString('base64')];
}

function expectNoSecrets(output: string): void {
  for (const secret of [authToken, smppPassword]) {
    for (const spelling of spellings(secret)) expect(output).not.toContain(spelling);
  }
}

async function verify(port: number, path: string, form?: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: form ? 'POST' : 'GET',
    headers: { authorization: `Basic ${Buffer.from(`${sid}:${authToken}`).toString('base64')}`, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

/** One SMS and one voice verification, so every request, SMPP and webhook path has logged. */
async function verifyBySmsAndCall(verifyPort: number, simPort: number, to: string): Promise<void> {
  const service = String((await verify(verifyPort, '/v2/Services', { FriendlyName: 'Acme' }))['sid']);
  const phone = await TestHandset.connect(`ws://127.0.0.1:${simPort}/ws/handsets/${encodeURIComponent(to)}?access_token=${encodeURIComponent(authToken)}`);
  await verify(verifyPort, `/v2/Services/${service}/Verifications`, { To: to, Channel: 'sms' });
  const code = /(\d{6})$/.exec(String((await phone.waitForFrames('sms'))[0]!['text']))![1]!;
  expect((await verify(verifyPort, `/v2/Services/${service}/VerificationCheck`, { To: to, Code: code }))['status']).toBe('approved');
  await verify(verifyPort, `/v2/Services/${service}/Verifications`, { To: to, Channel: 'call' });
  const [call] = await phone.waitForFrames('call.incoming');
  phone.send({ type: 'call.answer', callSid: call!['callSid'] });
  await phone.waitForFrames('call.say');
  phone.send({ type: 'call.hangup', callSid: call!['callSid'] });
  phone.close();
}

describe('secrets in the start-up banner and the output', () => {
  it('never echoes a password in a refused setting', async () => {
    const cli = runCli(['verifier', '--data', ':memory:', '--public-url', `ftp://user:${smppPassword}@example.net`]);
    processes.push(cli);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toContain('--public-url: "ftp://user:[redacted]@example.net" is not an http(s) URL');
    expectNoSecrets(cli.stdout() + cli.stderr());
  });

  it('shows the development defaults in the banner of `verigate start`', { timeout: 30_000 }, async () => {
    const stack = await startStackProcess(['--data', ':memory:']);
    processes.push(stack);
    const banner = stack.stdout();
    expect(banner).toMatch(/Auth token\s+verigate-dev-auth-token\s+\(development default; set VERIGATE_AUTH_TOKEN\)/);
    expect(banner).toContain(`smpp://verigate:verigate@127.0.0.1:${stack.smppPort}`);
    expect(banner).toContain('curl -u AC0123456789abcdef0123456789abcdef:verigate-dev-auth-token ');
  });

  it('never prints a real auth token or SMPP password from `verigate start`, even at trace level', { timeout: 40_000 }, async () => {
    const stack = await startStackProcess(['--data', ':memory:', '--smpp-password', smppPassword, '--log-level', 'trace'], { VERIGATE_ACCOUNT_SID: sid, VERIGATE_AUTH_TOKEN: authToken });
    processes.push(stack);
    const banner = stack.stdout();
    expect(banner).toMatch(/Auth token\s+•+\s+\(set from VERIGATE_AUTH_TOKEN\)/);
    expect(banner).toMatch(/smpp:\/\/verigate:•+@127\.0\.0\.1:\d+\s+\(password set from --smpp-password\)/);
    expect(banner).toContain(`curl -u ${sid}:"$VERIGATE_AUTH_TOKEN" `);
    await verifyBySmsAndCall(stack.verifyPort, stack.simPort, '+4915112370001');
    expect(await stack.kill('SIGTERM')).toBe(0);
    expect(stack.stderr() + stack.stdout()).toContain('incoming request');
    expectNoSecrets(stack.stdout() + stack.stderr());
  });

  it('never prints the passwords of --smpp and --voice-api URLs from `verigate verifier`, nor the simulator its own', { timeout: 40_000 }, async () => {
    const env = { VERIGATE_ACCOUNT_SID: sid, VERIGATE_AUTH_TOKEN: authToken, VERIGATE_SMPP_PASSWORD: smppPassword };
    const sim = await startSimulatorProcess(['--receipt-delay', '0', '--log-level', 'trace'], env);
    processes.push(sim);
    expect(sim.stdout()).toMatch(/\(password set from VERIGATE_SMPP_PASSWORD\)/);
    const verifier = await startVerifierProcess([
      '--data', ':memory:', '--log-level', 'trace',
      '--smpp', `smpp://verigate:${encodeURIComponent(smppPassword)}@127.0.0.1:${sim.smppPort}`,
      '--voice-api', `http://${sid}:${encodeURIComponent(authToken)}@127.0.0.1:${sim.httpPort}/restcomm/2012-04-24`,
    ], { VERIGATE_ACCOUNT_SID: sid, VERIGATE_AUTH_TOKEN: authToken });
    processes.push(verifier);
    expect(verifier.stdout()).toMatch(/SMS route\s+smpp:\/\/verigate:\*+@127\.0\.0\.1:\d+/);
    await verifyBySmsAndCall(verifier.verifyPort, sim.httpPort, '+4915112370002');
    expect(await verifier.kill('SIGTERM')).toBe(0);
    expect(await sim.kill('SIGTERM')).toBe(0);
    expectNoSecrets(sim.stdout() + sim.stderr() + verifier.stdout() + verifier.stderr());
  });
});
