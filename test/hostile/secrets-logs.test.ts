// The whole trace log of `verigate start` while a tester puts tokens, auth tokens and codes into URLs in
// odd spellings: none of them, nor the token of a voice call's RCML URL, nor any code, appears in it.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CodeBook } from '../../verifier/codes';
import { TestHandset } from '../support/handset';
import { startStackProcess, type CliProcess } from '../support/cli-process';

const sid = 'AC' + '3e'.repeat(16);
const authToken = 'Log-Secret-Token-3141';
const codeKey = randomBytes(32);
const basic = `Basic ${Buffer.from(`${sid}:${authToken}`).toString('base64')}`;
const processes: CliProcess[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill('SIGKILL')));
});

async function call(port: number, path: string, form?: Record<string, string>, headers: Record<string, string> = { authorization: basic }): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: form ? 'POST' : 'GET',
    headers: { ...headers, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function refusedUpgrade(url: string): Promise<string> {
  return TestHandset.connect(url).then((phone) => { phone.close(); return 'open'; }, (error: Error) => error.message);
}

describe('secrets in the logs', () => {
  it('logs no token, auth token, RCML token or code of an SMS, a voice and a flash-call verification, at trace level', { timeout: 40_000 }, async () => {
    const stack = await startStackProcess(['--data', ':memory:', '--log-level', 'trace'], { VERIGATE_ACCOUNT_SID: sid, VERIGATE_AUTH_TOKEN: authToken, VERIGATE_CODE_KEY: codeKey.toString('base64') });
    processes.push(stack);
    const { verifyPort, simPort } = stack;
    const to = '+4915112380001';
    const ws = `ws://127.0.0.1:${simPort}/ws/handsets/${encodeURIComponent(to)}`;
    const secrets: string[] = [authToken, encodeURIComponent(authToken)];

    // The handset socket decodes parameter names as the auth code reads them: `access%5Ftoken` logs in,
    // a name that is not `access_token` once decoded does not; both are redacted alike.
    const phone = await TestHandset.connect(`${ws}?access%5Ftoken=${authToken}`);
    expect(await refusedUpgrade(`${ws}?ACCESS_TOKEN=${authToken}`)).toBe('upgrade refused: 401');
    expect(await refusedUpgrade(`${ws}?Access-Token=${authToken}&x=1`)).toBe('upgrade refused: 401');
    expect((await call(verifyPort, `/v2/Services?AuthToken=${authToken}&auth%5Ftoken=${authToken}`, undefined, {})).status).toBe(401);

    const service = String((await call(verifyPort, '/v2/Services', { FriendlyName: 'Acme', CodeLength: '10' })).body['sid']);
    const checks = `/v2/Services/${service}/VerificationCheck`;

    await call(verifyPort, `/v2/Services/${service}/Verifications`, { To: to, Channel: 'sms' });
    const smsCode = /(\d{10})$/.exec(String((await phone.waitForFrames('sms'))[0]!['text']))![1]!;
    secrets.push(smsCode);
    // A careless client puts the code in the query string as well as the body.
    expect((await call(verifyPort, `${checks}?Code=${smsCode}&To=${encodeURIComponent(to)}`, { To: to, Code: smsCode })).body['status']).toBe('approved');

    const voice = await call(verifyPort, `/v2/Services/${service}/Verifications`, { To: to, Channel: 'call' });
    const attempts = voice.body['send_code_attempts'] as { attempt_sid: string }[];
    secrets.push(new CodeBook(codeKey).rcmlToken(attempts[0]!.attempt_sid));
    const [ringing] = await phone.waitForFrames('call.incoming');
    phone.send({ type: 'call.answer', callSid: ringing!['callSid'] });
    const [say] = await phone.waitForFrames('call.say');
    const voiceCode = /: ((?:\d, ){9}\d)\.$/.exec(String(say!['text']))![1]!.replace(/, /g, '');
    secrets.push(voiceCode);
    phone.send({ type: 'call.hangup', callSid: ringing!['callSid'] });
    expect((await call(verifyPort, `${checks}?c%6Fde=${voiceCode}`, { To: to, Code: voiceCode })).body['status']).toBe('approved');

    // A flash call's code is its caller ID (prefix + code, so a 6-digit code: watched as the whole number).
    const flashService = String((await call(verifyPort, '/v2/Services', { FriendlyName: 'Flash' })).body['sid']);
    const flash = await call(verifyPort, `/v2/Services/${flashService}/Verifications`, { To: to, Channel: 'flashcall' });
    secrets.push(new CodeBook(codeKey).rcmlToken((flash.body['send_code_attempts'] as { attempt_sid: string }[])[0]!.attempt_sid));
    const caller = String((await phone.waitForFrames('call.incoming', 2))[1]!['from']);
    secrets.push(caller.slice(1));
    expect((await call(verifyPort, `/v2/Services/${flashService}/VerificationCheck?CODE=${encodeURIComponent(caller)}`, { To: to, Code: caller })).body['status']).toBe('approved');
    phone.close();
    expect(await stack.kill('SIGTERM')).toBe(0);

    const log = stack.stdout() + stack.stderr();
    // The log did see each of these requests, with the secret part replaced.
    expect(log).toContain('access%5Ftoken=[redacted]');
    expect(log).toContain('ACCESS_TOKEN=[redacted]');
    expect(log).toContain('AuthToken=[redacted]&auth%5Ftoken=[redacted]');
    expect(log).toContain('/v2/voice/rcml/[redacted]');
    expect(log).toContain('?c%6Fde=[redacted]');
    for (const secret of secrets) expect(log).not.toContain(secret);
  });
});
