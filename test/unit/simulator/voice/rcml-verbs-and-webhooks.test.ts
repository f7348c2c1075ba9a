import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { authHeader, credentials } from '../../../support/simulator-harness';
import { rcml, startRig, type VoiceRig } from './voice-harness';

const { VoiceResponse } = twilio.twiml;
let rig: VoiceRig;

afterEach(async () => {
  await rig.stop();
});

const client = () => rig.client();

/** Places a call to `to`, answers it from a fresh handset and returns both. */
async function answeredCall(to: string, url: string) {
  const handset = await rig.handset(to);
  const call = await client().calls.create({ from: '+15550001111', to, url });
  await handset.waitForFrames('call.incoming');
  handset.send({ type: 'call.answer', callSid: call.sid });
  return { handset, sid: call.sid };
}

describe('<Record>', () => {
  it('records what the handset sends until the finish key, stores a fetchable WAV and posts RecordingUrl and RecordingDuration to the action', async () => {
    rig = await startRig();
    const response = new VoiceResponse();
    response.say('Leave a message after the beep');
    response.record({ action: '/recorded', finishOnKey: '#', maxLength: 60, timeout: 10, recordingStatusCallback: '/recording-status' });
    rig.app.on('/rcml', response.toString());
    rig.app.on('/recorded', rcml('<Say>Thanks</Say>'));
    rig.app.on('/recording-status', '');
    const { handset, sid } = await answeredCall('+491700000301', rig.app.url('/rcml'));
    const [record] = await handset.waitForFrames('call.record');
    expect(record).toEqual({ type: 'call.record', callSid: sid, maxLength: 60, timeout: 10, finishOnKey: '#' });
    expect(handset.ofType('call.play')).toEqual([{ type: 'call.play', callSid: sid, url: null, digits: null, beep: true }]);
    handset.send({ type: 'call.audio', callSid: sid, seconds: 2.5 });
    handset.send({ type: 'call.dtmf', callSid: sid, digits: '12#' });
    const [recorded] = await rig.app.waitFor('/recorded');
    expect(recorded!.params).toMatchObject({ CallSid: sid, RecordingDuration: '3', Digits: '#' });
    expect(recorded!.signed).toBe(true);
    const url = recorded!.params['RecordingUrl']!;
    expect(url).toMatch(new RegExp(`^${rig.sim.baseUrl}/2010-04-01/Accounts/${credentials.accountSid}/Recordings/RE[0-9a-f]{32}$`));
    const wav = await fetch(`${url}.wav`, { headers: { authorization: authHeader } });
    expect(wav.status).toBe(200);
    const bytes = Buffer.from(await wav.arrayBuffer());
    expect(bytes.subarray(8, 12).toString('ascii')).toBe('WAVE');
    expect(bytes.readUInt32LE(24)).toBe(8_000);
    expect(bytes.length).toBe(44 + 3 * 8_000 * 2);
    // A tone where the handset spoke, silence after what it sent.
    expect(Math.abs(bytes.readInt16LE(44 + 2 * 101))).toBeGreaterThan(1_000);
    expect(bytes.readInt16LE(bytes.length - 2)).toBe(0);
    const [status] = await rig.app.waitFor('/recording-status');
    expect(status!.params).toMatchObject({ RecordingSid: recorded!.params['RecordingSid'], RecordingUrl: url, RecordingStatus: 'completed', RecordingSource: 'RecordVerb' });
    const recording = await client().recordings(recorded!.params['RecordingSid']!).fetch();
    expect(recording).toMatchObject({ callSid: sid, duration: '3', source: 'RecordVerb' });
    await handset.waitForFrames('call.ended');
    expect(handset.ofType('call.say').map((f) => f['text'])).toEqual(['Leave a message after the beep', 'Thanks']);
  });

  it('goes on to the next verb when nothing was recorded before the silence timeout', async () => {
    rig = await startRig();
    rig.app.on('/rcml', rcml('<Record timeout="0" maxLength="1" action="/recorded"/><Say>Nothing heard</Say>'));
    rig.app.on('/recorded', rcml('<Hangup/>'));
    const { handset, sid } = await answeredCall('+491700000302', rig.app.url('/rcml'));
    await handset.waitForFrames('call.record');
    const [said] = await handset.waitForFrames('call.say', 1, 5_000);
    expect(said!['text']).toBe('Nothing heard');
    await rig.waitForStatus(sid, 'completed');
    expect(rig.app.to('/recorded')).toEqual([]);
    expect((await client().calls(sid).recordings.list())).toEqual([]);
  });
});

describe('<Dial><Conference>', () => {
  it('puts calls of two handsets in one room; the one with endConferenceOnExit ends it for the other', async () => {
    rig = await startRig();
    const host = new VoiceResponse();
    host.dial({ action: '/left' }).conference({ endConferenceOnExit: true }, 'standup');
    const guest = new VoiceResponse();
    guest.dial({ action: '/left' }).conference('standup');
    rig.app.on('/host', host.toString());
    rig.app.on('/guest', guest.toString());
    rig.app.on('/left', rcml('<Say>The conference is over</Say>'));
    const a = await answeredCall('+491700000311', rig.app.url('/host'));
    await a.handset.waitForFrames('call.conference');
    const b = await answeredCall('+491700000312', rig.app.url('/guest'));
    const [joined] = await b.handset.waitForFrames('call.conference');
    expect(joined).toEqual({ type: 'call.conference', callSid: b.sid, name: 'standup', participants: ['+491700000311', '+491700000312'] });
    const [, seenByHost] = await a.handset.waitForFrames('call.conference', 2);
    expect(seenByHost!['participants']).toEqual(['+491700000311', '+491700000312']);
    a.handset.send({ type: 'call.hangup', callSid: a.sid });
    const [left] = await rig.app.waitFor('/left');
    expect(left!.params).toMatchObject({ CallSid: b.sid, DialCallStatus: 'completed' });
    const [said] = await b.handset.waitForFrames('call.say');
    expect(said!['text']).toBe('The conference is over');
  });
});

describe('<Sms> and <Message> inside a call', () => {
  it('sends both to the handset as SMS and goes on', async () => {
    rig = await startRig();
    rig.app.on('/rcml', rcml('<Sms>Code by SMS: 1234</Sms><Message><Body>And by Message</Body></Message><Say>Sent</Say>'));
    const { handset } = await answeredCall('+491700000320', rig.app.url('/rcml'));
    const sms = await handset.waitForFrames('sms', 2);
    expect(sms.map((f) => [f['text'], f['from']])).toEqual([['Code by SMS: 1234', '+15550001111'], ['And by Message', '+15550001111']]);
    await handset.waitForFrames('call.say');
  });
});

describe('<Gather> input and results', () => {
  it('takes a speech result from the handset and posts SpeechResult and Confidence', async () => {
    rig = await startRig();
    const response = new VoiceResponse();
    response.gather({ input: ['speech'], action: '/heard' }).say('Say your account number');
    rig.app.on('/rcml', response.toString());
    rig.app.on('/heard', rcml('<Hangup/>'));
    const { handset, sid } = await answeredCall('+491700000330', rig.app.url('/rcml'));
    const [gather] = await handset.waitForFrames('call.gather');
    expect(gather).toMatchObject({ input: 'speech' });
    handset.send({ type: 'call.dtmf', callSid: sid, digits: '1' });
    handset.send({ type: 'call.speech', callSid: sid, text: 'four two four two', confidence: 0.87 });
    const [heard] = await rig.app.waitFor('/heard');
    expect(heard!.params).toMatchObject({ SpeechResult: 'four two four two', Confidence: '0.87' });
    expect(heard!.params['Digits']).toBeUndefined();
    expect((await rig.call(sid))['transcript']).toContainEqual(expect.objectContaining({ kind: 'dtmf', digits: '1', heard: false }));
  });

  it('requests the action without input when actionOnEmptyResult is true', async () => {
    rig = await startRig();
    rig.app.on('/rcml', rcml('<Gather timeout="0" actionOnEmptyResult="true" action="/empty"/><Say>unreached</Say>'));
    rig.app.on('/empty', rcml('<Say>Nothing? Goodbye</Say>'));
    const { handset } = await answeredCall('+491700000331', rig.app.url('/rcml'));
    const [empty] = await rig.app.waitFor('/empty');
    expect(empty!.params['Digits']).toBe('');
    const [said] = await handset.waitForFrames('call.say');
    expect(said!['text']).toBe('Nothing? Goodbye');
  });

  it('sends <Play digits> to the handset as DTMF', async () => {
    rig = await startRig();
    const response = new VoiceResponse();
    response.play({ digits: '1w2#' });
    rig.app.on('/rcml', response.toString());
    const { handset, sid } = await answeredCall('+491700000332', rig.app.url('/rcml'));
    const [play] = await handset.waitForFrames('call.play');
    expect(play).toEqual({ type: 'call.play', callSid: sid, url: null, digits: '1w2#' });
  });
});

describe('webhook HTTP as Twilio does it', () => {
  it('follows 302 (as a GET without the parameters) and 307 (as it was) from the app, signing each request', async () => {
    rig = await startRig();
    rig.app.on('/rcml', { status: 302, body: '', headers: { location: '/moved' } });
    rig.app.on('/moved', rcml('<Gather numDigits="1" action="/keep"/>'));
    rig.app.on('/keep', { status: 307, body: '', headers: { location: '/kept' } });
    rig.app.on('/kept', rcml('<Say>followed</Say>'));
    const { handset, sid } = await answeredCall('+491700000340', rig.app.url('/rcml'));
    await handset.waitForFrames('call.gather');
    handset.send({ type: 'call.dtmf', callSid: sid, digits: '7' });
    const [said] = await handset.waitForFrames('call.say');
    expect(said!['text']).toBe('followed');
    const [moved] = rig.app.to('/moved');
    expect(moved).toMatchObject({ method: 'GET', signed: true });
    expect(moved!.params['CallSid']).toBeUndefined();
    const [kept] = rig.app.to('/kept');
    expect(kept).toMatchObject({ method: 'POST', signed: true, params: { Digits: '7', CallSid: sid } });
  });

  it('gives up after 10 HTTP redirects with 11215', async () => {
    rig = await startRig();
    rig.app.on('/rcml', { status: 301, body: '', headers: { location: '/rcml' } });
    const { sid } = await answeredCall('+491700000341', rig.app.url('/rcml'));
    await rig.waitForStatus(sid, 'completed');
    expect(await rig.call(sid)).toMatchObject({ errorCode: 11215 });
    expect(rig.app.to('/rcml')).toHaveLength(11);
  });

  it('sends Basic auth from user:pass@ in Url and StatusCallback, signing the URL the app sees', async () => {
    rig = await startRig();
    rig.app.on('/rcml', rcml('<Hangup/>'));
    rig.app.on('/status', '');
    const withCredentials = (path: string) => rig.app.url(path).replace('http://', 'http://app%40user:s3cret@');
    const handset = await rig.handset('+491700000342');
    const call = await client().calls.create({ from: '+15550001111', to: '+491700000342', url: withCredentials('/rcml'), statusCallback: withCredentials('/status') });
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: call.sid });
    const [status] = await rig.app.waitFor('/status');
    const [fetched] = rig.app.to('/rcml');
    const basic = `Basic ${Buffer.from('app@user:s3cret').toString('base64')}`;
    expect(fetched).toMatchObject({ authorization: basic, signed: true });
    expect(status).toMatchObject({ authorization: basic, signed: true });
    expect(JSON.stringify(await rig.call(call.sid))).not.toContain('s3cret');
  });

  it('plays an audio answer instead of parsing it', async () => {
    rig = await startRig();
    rig.app.on('/rcml', { status: 200, body: 'RIFF....', contentType: 'audio/x-wav' });
    const { handset, sid } = await answeredCall('+491700000343', rig.app.url('/rcml'));
    const [play] = await handset.waitForFrames('call.play');
    expect(play).toMatchObject({ callSid: sid, url: expect.stringContaining('/rcml') });
    await rig.waitForStatus(sid, 'completed');
    expect(await rig.call(sid)).toMatchObject({ errorCode: null });
  });
});
