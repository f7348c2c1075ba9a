import { afterEach, describe, expect, it } from 'vitest';
import { startStack, authHeader, type RunningStack } from '../../support/stack-harness';
import { TestHandset } from '../../support/handset';
import { waitFor } from '../../support/wait-for';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{ stack: RunningStack; sid: string; phone: (n: string) => Promise<TestHandset> }> {
  const stack = await startStack();
  cleanups.push(() => stack.stop());
  const sid = String((await stack.verify('/v2/Services', { FriendlyName: 'Acme' })).body['sid']);
  return {
    stack,
    sid,
    async phone(number) {
      const handset = await TestHandset.connect(stack.sim.wsUrl(number), { authorization: authHeader });
      cleanups.push(() => handset.close());
      return handset;
    },
  };
}

describe('voice code (Channel=call)', () => {
  it('rings the phone, reads the code digit by digit twice, repeats it on 1, and the check approves it', async () => {
    const { stack, sid, phone } = await setup();
    const handset = await phone('+4915112350001');
    const started = await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112350001', Channel: 'call' });
    expect(started).toMatchObject({ status: 201, body: { channel: 'call', status: 'pending' } });
    const [incoming] = await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: incoming!['callSid'] });
    const says = await handset.waitForFrames('call.say', 2);
    const digits = /: ((?:\d, ){5}\d)\.$/.exec(String(says[0]!['text']))![1]!;
    // A German number hears German, said as de-DE.
    expect(says[0]).toMatchObject({ text: `Ihr Bestätigungscode für Acme lautet: ${digits}.`, language: 'de-DE' });
    expect(says[1]).toMatchObject({ text: `Noch einmal, Ihr Code lautet: ${digits}.`, language: 'de-DE' });
    await handset.waitForFrames('call.gather');
    handset.send({ type: 'call.dtmf', callSid: incoming!['callSid'], digits: '1' });
    await waitFor('the code read again', () => handset.ofType('call.say').filter((f) => String(f['text']).includes(digits)).length >= 4);
    handset.send({ type: 'call.hangup', callSid: incoming!['callSid'] });
    const code = digits.replace(/, /g, '');
    const check = await stack.verify(`/v2/Services/${sid}/VerificationCheck`, { To: '+4915112350001', Code: code });
    expect(check.body).toMatchObject({ status: 'approved', valid: true });
    await waitFor('the call to be recorded as completed', async () =>
      (await stack.verifier.storage.attempts.of(String(started.body['sid'])))[0]?.deliveryStatus === 'completed');
  });

  it('refuses RCML fetches without a valid X-Twilio-Signature', async () => {
    const { stack, sid } = await setup();
    await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112350002', Channel: 'call' });
    let call: { url: string } | undefined;
    for (let i = 0; i < 100 && !call; i++) {
      call = ((await stack.sim.api('/api/calls?to=%2B4915112350002')).body as { calls: { url: string }[] }).calls[0];
      if (!call) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (!call) throw new Error('the verifier placed no call');
    expect(call.url).toMatch(/\/v2\/voice\/rcml\/[A-Za-z0-9_-]{43}$/);
    const unsigned = await fetch(call.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'CallSid=CA1' });
    expect(unsigned.status).toBe(403);
    const forged = await fetch(call.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'AAAA' }, body: 'CallSid=CA1' });
    expect(forged.status).toBe(403);
  });
});

describe('flash call (Channel=flashcall)', () => {
  it('calls from the prefix followed by the code, cancels once it rang, and accepts the full caller ID or its last digits', async () => {
    const { stack, sid, phone } = await setup();
    const handset = await phone('+4915112350003');
    const started = await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112350003', Channel: 'flashcall' });
    expect(started.body).toMatchObject({ channel: 'flashcall', status: 'pending' });
    const [incoming] = await handset.waitForFrames('call.incoming');
    const callerId = String(incoming!['from']);
    expect(callerId).toMatch(/^\+4930990\d{6}$/);
    const [ended] = await handset.waitForFrames('call.ended');
    expect(ended).toMatchObject({ callSid: incoming!['callSid'], status: 'canceled' });
    expect((await stack.verify(`/v2/Services/${sid}/VerificationCheck`, { To: '+4915112350003', Code: callerId })).body['status']).toBe('approved');

    await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112350003', Channel: 'flashcall' });
    const second = await handset.waitForFrames('call.incoming', 2);
    const lastDigits = String(second[1]!['from']).slice(-6);
    expect((await stack.verify(`/v2/Services/${sid}/VerificationCheck`, { To: '+4915112350003', Code: '123' })).body['status']).toBe('pending');
    expect((await stack.verify(`/v2/Services/${sid}/VerificationCheck`, { To: '+4915112350003', Code: lastDigits })).body['status']).toBe('approved');
  });

  it('says a short message and hangs up when a flash call is answered', async () => {
    const { stack, sid, phone } = await setup();
    await stack.sim.api('/api/behaviours/4915112350004', { method: 'PUT', body: { voice: 'answer', answerAfterMs: 0 } });
    const handset = await phone('+4915112350004');
    await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112350004', Channel: 'flashcall' });
    const [say] = await handset.waitForFrames('call.say');
    expect(say).toMatchObject({ text: 'Dies war ein Bestätigungsanruf. Sie können jetzt auflegen.', language: 'de-DE' });
    const [ended] = await handset.waitForFrames('call.ended');
    expect(ended!['status']).toBe('completed');
  });
});
