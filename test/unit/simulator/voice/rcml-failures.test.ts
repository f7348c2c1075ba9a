import twilio from 'twilio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPLICATION_ERROR_TEXT } from '../../../../simulator/voice/call-engine';
import { LOOP_ERROR_CODE, MAX_DOCUMENTS_PER_SECOND } from '../../../../simulator/voice/rcml-interpreter';
import { TWILIO, RESTCOMM, rcml, startRig, type VoiceRig } from './voice-harness';

const { VoiceResponse } = twilio.twiml;
let rig: VoiceRig;

beforeEach(async () => {
  rig = await startRig();
  await rig.sim.api('/api/behaviours/+491700000030', { method: 'PUT', body: { voice: 'answer', answerAfterMs: 0 } });
});

afterEach(async () => {
  await rig.stop();
});

const client = () => rig.client();

async function runAnswered(prefix: string, extra: Record<string, string> = {}) {
  const created = await rig.rest('POST', `${prefix}/Calls.json`, { From: '+15550001111', To: '+491700000030', Url: rig.app.url('/rcml'), StatusCallback: rig.app.url('/status'), ...extra });
  const sid = created.body['sid'] as string;
  await rig.waitForStatus(sid, 'completed');
  return rig.call(sid);
}

describe('an answered call whose RCML cannot be fetched or run completes, with the error in its notifications (as on Twilio)', () => {
  const cases: [string, string | { status: number; body: string; contentType?: string; headers?: Record<string, string> }, number, RegExp][] = [
    ['not XML', 'this is <not xml', 12100, /not well-formed XML/],
    ['an empty answer', '', 12100, /empty/],
    ['a root other than Response', '<?xml version="1.0"?><Document><Say>Hi</Say></Document>', 12100, /root element must be <Response>/],
    ['a document over 64 KiB (chunked, counted as it comes)', rcml(`<Say>${'a'.repeat(70_000)}</Say>`), 11750, /answer is larger than/],
    ['a document over 64 KiB (refused on its Content-Length)', { status: 200, body: rcml(`<Say>${'a'.repeat(70_000)}</Say>`), headers: { 'content-length': String(Buffer.byteLength(rcml(`<Say>${'a'.repeat(70_000)}</Say>`))) } }, 11750, /answer is larger than/],
    ['an HTTP error', { status: 500, body: 'boom' }, 11200, /answered HTTP 500/],
    ['a JSON answer', { status: 200, body: '{"say":"hi"}', contentType: 'application/json' }, 12300, /Content-Type "application\/json"/],
  ];
  for (const [what, answer, code, reason] of cases) {
    it(`logs ${code} on ${what}, says the application error, and reports completed`, async () => {
      rig.app.on('/rcml', answer);
      rig.app.on('/status', '');
      const handset = await rig.handset('+491700000030');
      const call = await runAnswered(TWILIO);
      expect(call).toMatchObject({ status: 'completed', errorCode: code });
      expect(call['errorMessage']).toMatch(reason);
      const [callback] = await rig.app.waitFor('/status');
      expect(callback!.params).toMatchObject({ CallStatus: 'completed', ErrorCode: String(code) });
      const [said] = await handset.waitForFrames('call.say');
      expect(said!['text']).toBe(APPLICATION_ERROR_TEXT);
      const notifications = await client().calls(call['sid'] as string).notifications.list();
      expect(notifications).toEqual([expect.objectContaining({ errorCode: String(code), log: '0', callSid: call['sid'] })]);
      expect(notifications[0]!.messageText).toMatch(reason);
    });
  }

  it('logs 11205 when the app server cannot be reached', async () => {
    const created = await rig.rest('POST', `${TWILIO}/Calls.json`, { From: '+15550001111', To: '+491700000030', Url: 'http://127.0.0.1:1/rcml' });
    const sid = created.body['sid'] as string;
    await rig.waitForStatus(sid, 'completed');
    expect(await rig.call(sid)).toMatchObject({ errorCode: 11205 });
  });

  it('runs FallbackUrl, with ErrorCode and ErrorUrl, when Url fails, and keeps the first error as a notification', async () => {
    rig.app.on('/rcml', '<oops');
    rig.app.on('/fallback', rcml('<Say>Fallback speaking</Say>'));
    const created = await rig.rest('POST', `${RESTCOMM}/Calls.json`, { From: '+15550001111', To: '+491700000030', Url: rig.app.url('/rcml'), FallbackUrl: rig.app.url('/fallback') });
    const sid = created.body['sid'] as string;
    await rig.waitForStatus(sid, 'completed');
    const [fallback] = rig.app.to('/fallback');
    expect(fallback).toMatchObject({ signed: true, params: { ErrorCode: '12100', ErrorUrl: rig.app.url('/rcml'), CallSid: sid } });
    const call = await rig.call(sid);
    expect(call['transcript']).toEqual([expect.objectContaining({ kind: 'say', text: 'Fallback speaking' })]);
    expect(call).toMatchObject({ errorCode: null, notifications: [expect.objectContaining({ code: 12100, level: 'error' })] });
  });

  it('logs an app error in a Gather action the same way', async () => {
    const response = new VoiceResponse();
    response.gather({ numDigits: 1, action: '/gathered' }).say('Press a key');
    rig.app.on('/rcml', response.toString());
    rig.app.on('/gathered', { status: 503, body: 'down' });
    const handset = await rig.handset('+491700000031');
    const call = await client().calls.create({ from: '+15550001111', to: '+491700000031', url: rig.app.url('/rcml') });
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: call.sid });
    await handset.waitForFrames('call.gather');
    handset.send({ type: 'call.dtmf', callSid: call.sid, digits: '5' });
    const [ended] = await handset.waitForFrames('call.ended');
    expect(ended!['status']).toBe('completed');
    expect((await client().calls(call.sid).fetch()).status).toBe('completed');
    expect(await rig.call(call.sid)).toMatchObject({ errorCode: 11200 });
  });
});

describe('RCML Twilio would only warn about: a 12200 notification, and the call carries on', () => {
  it('skips unknown, wrong-case and unsimulated verbs and bad attribute values, running the rest', async () => {
    rig.app.on('/rcml', rcml('<Teleport/><say>lower case</say><Say loop="many">still said</Say><Enqueue>support</Enqueue><Say/><Say>the end</Say>'));
    const call = await runAnswered(TWILIO);
    expect(call).toMatchObject({ status: 'completed', errorCode: null });
    expect((call['transcript'] as { text?: string }[]).map((t) => t.text)).toEqual(['still said', 'the end']);
    const notifications = await client().calls(call['sid'] as string).notifications.list();
    expect(notifications.map((n) => [n.errorCode, n.log])).toEqual(Array(5).fill(['12200', '1']));
    expect(notifications.map((n) => n.requestUrl)).toEqual(Array(5).fill(rig.app.url('/rcml')));
  });
});

describe('the steps of one call are bounded', () => {
  it(`cuts a Redirect loop off after ${MAX_DOCUMENTS_PER_SECOND} documents in one second with ${LOOP_ERROR_CODE}`, async () => {
    rig.app.on('/rcml', rcml('<Say>Around we go</Say><Redirect method="GET">/rcml</Redirect>'));
    const call = await runAnswered(TWILIO);
    expect(call).toMatchObject({ status: 'completed', errorCode: LOOP_ERROR_CODE });
    expect(rig.app.to('/rcml')).toHaveLength(MAX_DOCUMENTS_PER_SECOND);
    expect(rig.app.to('/rcml').slice(1).every((r) => r.method === 'GET' && r.signed)).toBe(true);
    // Still serving: the next call runs normally.
    rig.app.on('/rcml', rcml('<Say>Fine again</Say>'));
    const next = await rig.rest('POST', `${TWILIO}/Calls.json`, { From: '+15550001111', To: '+491700000030', Url: rig.app.url('/rcml') });
    await rig.waitForStatus(next.body['sid'] as string, 'completed');
    expect(await rig.call(next.body['sid'] as string)).toMatchObject({ errorCode: null });
  });

  it('cuts off loops through <Pause length="0"> and <Gather timeout="0"> the same way', async () => {
    rig.app.on('/rcml', rcml('<Pause length="0"/><Gather timeout="0" action="/rcml"/><Redirect>/rcml</Redirect>'));
    const call = await runAnswered(TWILIO);
    expect(call).toMatchObject({ status: 'completed', errorCode: LOOP_ERROR_CODE });
    expect(rig.app.to('/rcml')).toHaveLength(MAX_DOCUMENTS_PER_SECOND);
  });
});

describe('Reject', () => {
  for (const reason of ['busy', 'rejected'] as const) {
    it(`ends busy on <Reject reason="${reason}">, with the reason in the timeline`, async () => {
      const response = new VoiceResponse();
      response.reject({ reason });
      rig.app.on('/rcml', response.toString());
      const created = await rig.rest('POST', `${TWILIO}/Calls.json`, { From: '+15550001111', To: '+491700000030', Url: rig.app.url('/rcml') });
      await rig.waitForStatus(created.body['sid'] as string, 'busy');
      const call = await rig.call(created.body['sid'] as string);
      expect(call['timeline']).toContainEqual(expect.objectContaining({ event: 'busy', detail: `<Reject reason="${reason}">` }));
    });
  }
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
    handset.send({ type: 'call.speech', callSid: sid, text: 'hello', confidence: 7 });
    handset.send({ type: 'call.audio', callSid: sid, seconds: -1 });
    handset.send({ type: 'call.answer', callSid: sid, answeredBy: 'robot' });
    const errors = await handset.waitForFrames('error', 6);
    expect(errors.map((e) => e['message'])).toEqual([
      'no call CA00000000000000000000000000000000 to +491700000031',
      `call ${sid} is ringing, not in progress`,
      '"callSid" must be a non-empty string',
      '"confidence" must be a number from 0 to 1',
      '"seconds" must be a number above 0 and at most 3600',
      '"answeredBy" must be "human", "machine" or "fax"',
    ]);
    const [otherError] = await other.waitForFrames('error');
    expect(otherError!['message']).toBe(`no call ${sid} to +491700000032`);
    // The call was not disturbed.
    expect(rig.sim.sim.voice.engine.get(sid)?.status).toBe('ringing');
  });
});

describe('input resets the loop bound', () => {
  it(`lets a caller go round a menu more than ${MAX_DOCUMENTS_PER_SECOND} times when each round has input`, async () => {
    const response = new VoiceResponse();
    response.gather({ numDigits: 1, action: '/menu' });
    rig.app.on('/menu', response.toString());
    const handset = await rig.handset('+491700000033');
    const call = await client().calls.create({ from: '+15550001111', to: '+491700000033', url: rig.app.url('/menu') });
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: call.sid });
    const rounds = MAX_DOCUMENTS_PER_SECOND + 5;
    for (let i = 1; i <= rounds; i++) {
      await handset.waitForFrames('call.gather', i);
      handset.send({ type: 'call.dtmf', callSid: call.sid, digits: '1' });
    }
    await handset.waitForFrames('call.gather', rounds + 1);
    expect(rig.sim.sim.voice.engine.get(call.sid)).toMatchObject({ status: 'in-progress', errorCode: null });
    await client().calls(call.sid).update({ status: 'completed' });
  });
});
