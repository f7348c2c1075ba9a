import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_REDIRECTS_WITHOUT_INPUT } from '../../../../simulator/voice/rcml-interpreter';
import { TWILIO, RESTCOMM, rcml, startRig, type VoiceRig } from './voice-harness';

let rig: VoiceRig;

beforeEach(async () => {
  rig = await startRig();
  await rig.sim.api('/api/behaviours/+491700000030', { method: 'PUT', body: { voice: 'answer', answerAfterMs: 0 } });
});

afterEach(async () => {
  await rig.stop();
});

async function runAnswered(prefix: string, extra: Record<string, string> = {}) {
  const created = await rig.rest('POST', `${prefix}/Calls.json`, { From: '+15550001111', To: '+491700000030', Url: rig.app.url('/rcml'), StatusCallback: rig.app.url('/status'), ...extra });
  const sid = created.body['sid'] as string;
  await rig.waitForStatus(sid, 'failed').catch(() => undefined);
  return rig.call(sid);
}

describe('RCML that cannot be run ends the call as failed, and the simulator keeps going', () => {
  const cases: [string, string | { status: number; body: string }, number, RegExp][] = [
    ['not XML', 'this is <not xml', 12100, /not well-formed XML/],
    ['an empty answer', '', 12100, /empty/],
    ['a root other than Response', '<?xml version="1.0"?><Document><Say>Hi</Say></Document>', 12102, /root element must be <Response>/],
    ['a verb nested wrongly', rcml('<Gather><Dial>+491700000099</Dial></Gather>'), 12101, /<Dial> is not allowed inside <Gather>/],
    ['an unknown verb', rcml('<Say>Hi</Say><Teleport/>'), 12101, /unknown verb <Teleport>/],
    ['a bad attribute', rcml('<Gather numDigits="many"/>'), 12200, /<Gather> numDigits must be an integer/],
    ['an HTTP error', { status: 500, body: 'boom' }, 11200, /answered HTTP 500/],
  ];
  for (const [what, answer, code, reason] of cases) {
    it(`fails with ${code} on ${what}`, async () => {
      rig.app.on('/rcml', answer);
      rig.app.on('/status', '');
      const call = await runAnswered(TWILIO);
      expect(call).toMatchObject({ status: 'failed', errorCode: code });
      expect(call['errorMessage']).toMatch(reason);
      const [callback] = await rig.app.waitFor('/status');
      expect(callback!.params).toMatchObject({ CallStatus: 'failed', ErrorCode: String(code) });
    });
  }

  it('fails with 11205 when the app server cannot be reached', async () => {
    const created = await rig.rest('POST', `${TWILIO}/Calls.json`, { From: '+15550001111', To: '+491700000030', Url: 'http://127.0.0.1:1/rcml' });
    const sid = created.body['sid'] as string;
    await rig.waitForStatus(sid, 'failed');
    expect(await rig.call(sid)).toMatchObject({ errorCode: 11205 });
  });

  it('runs FallbackUrl, with ErrorCode and ErrorUrl, when Url fails', async () => {
    rig.app.on('/rcml', '<oops');
    rig.app.on('/fallback', rcml('<Say>Fallback speaking</Say>'));
    const created = await rig.rest('POST', `${RESTCOMM}/Calls.json`, { From: '+15550001111', To: '+491700000030', Url: rig.app.url('/rcml'), FallbackUrl: rig.app.url('/fallback') });
    const sid = created.body['sid'] as string;
    await rig.waitForStatus(sid, 'completed');
    const [fallback] = rig.app.to('/fallback');
    expect(fallback).toMatchObject({ signed: true, params: { ErrorCode: '12100', ErrorUrl: rig.app.url('/rcml'), CallSid: sid } });
    expect((await rig.call(sid))['transcript']).toEqual([expect.objectContaining({ kind: 'say', text: 'Fallback speaking' })]);
  });

  it(`cuts a Redirect loop off after ${MAX_REDIRECTS_WITHOUT_INPUT} redirects with 11215`, async () => {
    rig.app.on('/rcml', rcml('<Say>Around we go</Say><Redirect method="GET">/rcml</Redirect>'));
    const call = await runAnswered(TWILIO);
    expect(call).toMatchObject({ status: 'failed', errorCode: 11215 });
    expect(rig.app.to('/rcml')).toHaveLength(MAX_REDIRECTS_WITHOUT_INPUT + 1);
    expect(rig.app.to('/rcml').slice(1).every((r) => r.method === 'GET' && r.signed)).toBe(true);
    // Still serving: the next call runs normally.
    rig.app.on('/rcml', rcml('<Say>Fine again</Say>'));
    const next = await rig.rest('POST', `${TWILIO}/Calls.json`, { From: '+15550001111', To: '+491700000030', Url: rig.app.url('/rcml') });
    await rig.waitForStatus(next.body['sid'] as string, 'completed');
  });

  it('ends busy on <Reject reason="busy">', async () => {
    rig.app.on('/rcml', rcml('<Reject reason="busy"/>'));
    const created = await rig.rest('POST', `${TWILIO}/Calls.json`, { From: '+15550001111', To: '+491700000030', Url: rig.app.url('/rcml') });
    await rig.waitForStatus(created.body['sid'] as string, 'busy');
  });
});

describe('handset frames about calls', () => {
  it('answers a frame naming an unknown call, another number\'s call or a call in the wrong state with an error frame', async () => {
    const handset = await rig.handset('+491700000031');
    const other = await rig.handset('+491700000032');
    const created = await rig.rest('POST', `${TWILIO}/Calls.json`, { From: '+15550001111', To: '+491700000031', Url: rig.app.url('/rcml') });
    const sid = created.body['sid'] as string;
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.dtmf', callSid: 'CA00000000000000000000000000000000', digits: '1' });
    other.send({ type: 'call.answer', callSid: sid });
    handset.send({ type: 'call.dtmf', callSid: sid, digits: '1' });
    handset.send('{"type":"call.answer"}');
    const errors = await handset.waitForFrames('error', 3);
    expect(errors.map((e) => e['message'])).toEqual([
      'no call CA00000000000000000000000000000000 to +491700000031',
      `call ${sid} is ringing, not in progress`,
      '"callSid" must be a non-empty string',
    ]);
    const [otherError] = await other.waitForFrames('error');
    expect(otherError!['message']).toBe(`no call ${sid} to +491700000032`);
    // The call was not disturbed.
    expect(rig.sim.sim.voice.engine.get(sid)?.status).toBe('ringing');
  });
});
