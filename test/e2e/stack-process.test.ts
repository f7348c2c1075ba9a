// `verigate start` as a user runs it: one process with the simulator and the verifier, driven over
// the Verify API with handsets on the WebSocket, then restarted with a verification pending.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestHandset } from '../support/handset';
import { runCli, startStackProcess, type CliProcess } from '../support/cli-process';
import { waitFor } from '../support/wait-for';

const sid = 'AC' + '5a'.repeat(16);
const token = 'stack-e2e-token-42';
const env = { VERIGATE_ACCOUNT_SID: sid, VERIGATE_AUTH_TOKEN: token };
const auth = { authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}` };
const dir = mkdtempSync(join(tmpdir(), 'verigate-stack-'));
const processes: CliProcess[] = [];

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill('SIGKILL')));
  rmSync(dir, { recursive: true, force: true });
});

async function verify(port: number, path: string, form?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: form ? 'POST' : 'GET',
    headers: { ...auth, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('verigate start, as a process', () => {
  it('verifies a number by SMS, by voice call and by flash call', { timeout: 60_000 }, async () => {
    const stack = await startStackProcess(['--data', join(dir, 'channels.db')], env);
    processes.push(stack);
    const service = String((await verify(stack.verifyPort, '/v2/Services', { FriendlyName: 'Acme' })).body['sid']);
    const phone = await TestHandset.connect(`ws://127.0.0.1:${stack.simPort}/ws/handsets/+4915112360001`, auth);

    await verify(stack.verifyPort, `/v2/Services/${service}/Verifications`, { To: '+4915112360001', Channel: 'sms' });
    const smsCode = /(\d{6})$/.exec(String((await phone.waitForFrames('sms'))[0]!['text']))![1]!;
    expect((await verify(stack.verifyPort, `/v2/Services/${service}/VerificationCheck`, { To: '+4915112360001', Code: smsCode })).body['status']).toBe('approved');

    await verify(stack.verifyPort, `/v2/Services/${service}/Verifications`, { To: '+4915112360001', Channel: 'call' });
    const [call] = await phone.waitForFrames('call.incoming');
    phone.send({ type: 'call.answer', callSid: call!['callSid'] });
    const [say] = await phone.waitForFrames('call.say');
    const spoken = /: ((?:\d, ){5}\d)\.$/.exec(String(say!['text']))![1]!.replace(/, /g, '');
    phone.send({ type: 'call.hangup', callSid: call!['callSid'] });
    expect((await verify(stack.verifyPort, `/v2/Services/${service}/VerificationCheck`, { To: '+4915112360001', Code: spoken })).body['status']).toBe('approved');

    await verify(stack.verifyPort, `/v2/Services/${service}/Verifications`, { To: '+4915112360001', Channel: 'flashcall' });
    const flash = (await phone.waitForFrames('call.incoming', 2))[1]!;
    expect((await verify(stack.verifyPort, `/v2/Services/${service}/VerificationCheck`, { To: '+4915112360001', Code: String(flash['from']) })).body['status']).toBe('approved');
    phone.close();
    expect(await stack.kill('SIGTERM')).toBe(0);
  });

  it('keeps a pending verification across a restart and approves it afterwards', { timeout: 60_000 }, async () => {
    const data = join(dir, 'restart.db');
    const first = await startStackProcess(['--data', data], env);
    processes.push(first);
    const service = String((await verify(first.verifyPort, '/v2/Services', { FriendlyName: 'Acme' })).body['sid']);
    const phone = await TestHandset.connect(`ws://127.0.0.1:${first.simPort}/ws/handsets/+4915112360002`, auth);
    const started = await verify(first.verifyPort, `/v2/Services/${service}/Verifications`, { To: '+4915112360002', Channel: 'sms' });
    const code = /(\d{6})$/.exec(String((await phone.waitForFrames('sms'))[0]!['text']))![1]!;
    phone.close();
    expect(await first.kill('SIGTERM')).toBe(0);

    const second = await startStackProcess(['--data', data], env);
    processes.push(second);
    expect((await verify(second.verifyPort, `/v2/Services/${service}/Verifications/${started.body['sid']}`)).body['status']).toBe('pending');
    const check = await verify(second.verifyPort, `/v2/Services/${service}/VerificationCheck`, { To: '+4915112360002', Code: code });
    expect(check.body).toMatchObject({ status: 'approved', valid: true });
    const output = second.stdout() + second.stderr() + first.stdout() + first.stderr();
    expect(output).not.toContain(code);
    await second.kill('SIGTERM');
  });

  it('names the component of each log line once, simulator or verifier', async () => {
    const stack = runCli(['start', '--data', ':memory:', '--verify-port', '0', '--sim-port', '0', '--smpp-port', '0', '--log-level', 'info'], env);
    processes.push(stack);
    await waitFor('the banner and the bind to the SMSC', () => /^Try:/m.test(stack.stdout()) && stack.stdout().includes('"state":"bound"'), 15_000);
    expect(await stack.kill('SIGTERM')).toBe(0);
    const lines = stack.stdout().split('\n').filter((line) => line.startsWith('{'));
    // JSON.parse keeps the last of two equal keys: count them in the text.
    expect(lines.filter((line) => line.split('"component":').length > 2)).toEqual([]);
    const logged = lines.map((line) => JSON.parse(line) as { component?: string; msg: string });
    expect(logged.find((l) => l.msg === 'SMPP link')?.component).toBe('verifier');
    expect(logged.find((l) => l.msg === 'ESME bound')?.component).toBe('simulator');
  });
});
