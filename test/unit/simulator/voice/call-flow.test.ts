import { afterEach, describe, expect, it } from 'vitest';
import { credentials } from '../../../support/simulator-harness';
import { RESTCOMM, TWILIO, rcml, startRig, type VoiceRig } from './voice-harness';

let rig: VoiceRig;

afterEach(async () => {
  await rig.stop();
});

const ALL_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];

async function codeCallFlow(prefix: string, method: 'GET' | 'POST') {
  rig = await startRig();
  const { app } = rig;
  app.on('/rcml', rcml('<Say voice="alice" language="de-DE">Your code is 1 2 3 4</Say><Gather numDigits="4" action="/gathered" timeout="5"><Say>Enter the code</Say></Gather><Say>We got nothing</Say>'));
  app.on('/gathered', (r) => rcml(`<Say>You entered ${r.params['Digits']}</Say><Hangup/><Say>never said</Say>`));
  app.on('/status', '');
  const handset = await rig.handset('+491700000001');

  const created = await rig.rest('POST', `${prefix}/Calls.json`, {
    From: '+15550001111',
    To: '+491700000001',
    Url: app.url('/rcml'),
    Method: method,
    StatusCallback: app.url('/status'),
    StatusCallbackEvent: ALL_EVENTS,
    Timeout: '30',
  });
  expect(created.status).toBe(201);
  const sid = created.body['sid'] as string;
  expect(sid).toMatch(/^CA[0-9a-f]{32}$/);
  expect(created.body).toMatchObject({ status: 'queued', direction: 'outbound-api', from: '+15550001111', to: '+491700000001', account_sid: credentials.accountSid });
  expect(created.body['uri']).toBe(`${prefix}/Calls/${sid}.json`);

  const [incoming] = await handset.waitForFrames('call.incoming');
  expect(incoming).toEqual({ type: 'call.incoming', callSid: sid, from: '+15550001111', to: '+491700000001' });
  handset.send({ type: 'call.answer', callSid: sid });

  await handset.waitForFrames('call.gather');
  expect(handset.ofType('call.say').map((f) => f['text'])).toEqual(['Your code is 1 2 3 4', 'Enter the code']);
  expect(handset.ofType('call.say')[0]).toMatchObject({ callSid: sid, voice: 'alice', language: 'de-DE' });
  expect(handset.ofType('call.gather')[0]).toEqual({ type: 'call.gather', callSid: sid, input: 'dtmf', numDigits: 4, timeout: 5, finishOnKey: '#' });
  handset.send({ type: 'call.dtmf', callSid: sid, digits: '12' });
  handset.send({ type: 'call.dtmf', callSid: sid, digits: '34' });

  const [ended] = await handset.waitForFrames('call.ended');
  expect(ended).toEqual({ type: 'call.ended', callSid: sid, status: 'completed' });
  expect(handset.ofType('call.say').map((f) => f['text'])).toEqual(['Your code is 1 2 3 4', 'Enter the code', 'You entered 1234']);

  // The first fetch used the method asked for; every request carried the standard parameters and a valid signature.
  const [fetch] = app.to('/rcml');
  expect(fetch!.method).toBe(method);
  expect(fetch!.params).toMatchObject({
    CallSid: sid, AccountSid: credentials.accountSid, From: '+15550001111', To: '+491700000001',
    CallStatus: 'in-progress', Direction: 'outbound-api', ApiVersion: prefix.startsWith('/restcomm') ? '2012-04-24' : '2010-04-01',
  });
  expect(fetch!.signed).toBe(true);
  const [gathered] = app.to('/gathered');
  expect(gathered).toMatchObject({ method: 'POST', signed: true, params: { Digits: '1234', CallSid: sid } });

  const callbacks = await app.waitFor('/status', 4);
  // Restcomm says `answered` where Twilio says `in-progress`; both say `initiated` first.
  const answered = prefix.startsWith('/restcomm') ? 'answered' : 'in-progress';
  expect(callbacks.map((c) => c.params['CallStatus'])).toEqual(['initiated', 'ringing', answered, 'completed']);
  expect(callbacks.map((c) => c.params['SequenceNumber'])).toEqual(['0', '1', '2', '3']);
  expect(callbacks.every((c) => c.signed && c.method === 'POST')).toBe(true);
  expect(callbacks[3]!.params).toMatchObject({ CallSid: sid, CallDuration: '0', Direction: 'outbound-api' });
  expect(callbacks[3]!.params['Timestamp']).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);

  const fetched = await rig.rest('GET', `${prefix}/Calls/${sid}.json`);
  expect(fetched.status).toBe(200);
  expect(fetched.body).toMatchObject({ sid, status: 'completed', duration: '0' });
  expect(fetched.body['end_time']).toEqual(expect.stringMatching(/\+0000$/));

  const inspected = await rig.sim.api('/api/calls?to=491700000001');
  const [call] = (inspected.body as { calls: Record<string, unknown>[] }).calls;
  expect(call).toMatchObject({ sid, status: 'completed' });
  expect((call!['timeline'] as { event: string }[]).map((t) => t.event)).toEqual(
    expect.arrayContaining(['queued', 'ringing', 'handset.answer', 'in-progress', 'rcml.fetch', 'completed']),
  );
  expect(call!['transcript']).toEqual([
    expect.objectContaining({ kind: 'say', text: 'Your code is 1 2 3 4' }),
    expect.objectContaining({ kind: 'say', text: 'Enter the code' }),
    expect.objectContaining({ kind: 'dtmf', digits: '12', heard: true }),
    expect.objectContaining({ kind: 'dtmf', digits: '34', heard: true }),
    expect.objectContaining({ kind: 'gather', digits: '1234', outcome: 'finished' }),
    expect.objectContaining({ kind: 'say', text: 'You entered 1234' }),
  ]);
}

describe('a call through the REST API', () => {
  it('rings the handset, runs Say and Gather after answer, posts the digits signed, hangs up completed (Restcomm path)', async () => {
    await codeCallFlow(RESTCOMM, 'POST');
  });

  it('does the same on the Twilio path, fetching the RCML with GET', async () => {
    await codeCallFlow(TWILIO, 'GET');
  });

  it('ends busy when the handset rejects it, and tells the StatusCallback', async () => {
    rig = await startRig();
    rig.app.on('/status', '');
    const handset = await rig.handset('+491700000002');
    const created = await rig.rest('POST', `${TWILIO}/Calls.json`, { From: '+15550001111', To: '491700000002', Url: rig.app.url('/rcml'), StatusCallback: rig.app.url('/status') });
    const sid = created.body['sid'] as string;
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.reject', callSid: sid, reason: 'busy' });
    const [ended] = await handset.waitForFrames('call.ended');
    expect(ended!['status']).toBe('busy');
    const [callback] = await rig.app.waitFor('/status');
    expect(callback!.params).toMatchObject({ CallStatus: 'busy', SequenceNumber: '0', CallDuration: '0' });
    expect(rig.app.to('/rcml')).toEqual([]);
  });

  it('is canceled while ringing through Status=canceled, and then cannot be redirected', async () => {
    rig = await startRig();
    const handset = await rig.handset('+491700000003');
    const created = await rig.rest('POST', `${RESTCOMM}/Calls`, { From: '+15550001111', To: '+491700000003', Url: rig.app.url('/rcml') });
    const sid = created.body['sid'] as string;
    await handset.waitForFrames('call.incoming');
    const canceled = await rig.rest('POST', `${RESTCOMM}/Calls/${sid}`, { Status: 'canceled' });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ sid, status: 'canceled' });
    const [ended] = await handset.waitForFrames('call.ended');
    expect(ended!['status']).toBe('canceled');
    handset.send({ type: 'call.answer', callSid: sid });
    const [error] = await handset.waitForFrames('error');
    expect(error!['message']).toBe(`call ${sid} is canceled, not ringing`);
    const redirect = await rig.rest('POST', `${RESTCOMM}/Calls/${sid}.json`, { Url: rig.app.url('/other') });
    expect(redirect.status).toBe(400);
    expect(redirect.body).toMatchObject({ code: 21220, status: 400 });
  });

  it('hangs up a live call with Status=completed, and redirects one with Url', async () => {
    rig = await startRig();
    rig.app.on('/rcml', rcml('<Gather timeout="60"><Say>Press something</Say></Gather>'));
    rig.app.on('/other', rcml('<Say>Redirected</Say><Gather timeout="60"/>'));
    const handset = await rig.handset('+491700000004');
    const sid = (await rig.rest('POST', `${TWILIO}/Calls.json`, { From: '+15550001111', To: '+491700000004', Url: rig.app.url('/rcml') })).body['sid'] as string;
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: sid });
    await handset.waitForFrames('call.gather');
    const redirected = await rig.rest('POST', `${TWILIO}/Calls/${sid}.json`, { Url: rig.app.url('/other'), Method: 'GET' });
    expect(redirected.body['status']).toBe('in-progress');
    await handset.waitForFrames('call.gather', 2);
    expect(handset.ofType('call.say').map((f) => f['text'])).toEqual(['Press something', 'Redirected']);
    expect(rig.app.to('/other')[0]).toMatchObject({ method: 'GET', signed: true });
    const completed = await rig.rest('POST', `${TWILIO}/Calls/${sid}.json`, { Status: 'completed' });
    expect(completed.body['status']).toBe('completed');
    const [ended] = await handset.waitForFrames('call.ended');
    expect(ended!['status']).toBe('completed');
  });

  it('ends completed when the handset hangs up during the RCML', async () => {
    rig = await startRig();
    rig.app.on('/rcml', rcml('<Say>Hello</Say><Pause length="30"/><Say>Still there?</Say>'));
    const handset = await rig.handset('+491700000005');
    const sid = (await rig.rest('POST', `${TWILIO}/Calls.json`, { From: '+15550001111', To: '+491700000005', Url: rig.app.url('/rcml') })).body['sid'] as string;
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: sid });
    await handset.waitForFrames('call.say');
    handset.send({ type: 'call.hangup', callSid: sid });
    await rig.waitForStatus(sid, 'completed');
    const call = await rig.call(sid);
    expect((call['transcript'] as { kind: string }[]).map((t) => t.kind)).toEqual(['say', 'pause']);
  });
});
