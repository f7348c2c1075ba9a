import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { speechMs } from '../../../../simulator/voice/speech-time';
import { ManualClock } from '../../../support/manual-clock';
import { waitFor } from '../../../support/wait-for';
import { RESTCOMM, rcml, startRig, type VoiceRig } from './voice-harness';

const { VoiceResponse } = twilio.twiml;
let rig: VoiceRig;

afterEach(async () => {
  await rig.stop();
});

const client = () => rig.client();

describe('inline Twiml', () => {
  it('runs the Twiml given on create, with no Url to host, and the Twiml given on update of the live call', async () => {
    rig = await startRig();
    rig.app.on('/gathered', (r) => rcml(`<Say>You pressed ${r.params['Digits']}</Say>`));
    const handset = await rig.handset('+491700000101');
    const first = new VoiceResponse();
    first.say('Your code is 4 2');
    first.gather({ numDigits: 1, action: rig.app.url('/gathered') }).say('Press 1 to hear it again');
    const call = await client().calls.create({ from: '+15550001111', to: '+491700000101', twiml: first });
    expect(call.status).toBe('queued');
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: call.sid });
    await handset.waitForFrames('call.gather');
    handset.send({ type: 'call.dtmf', callSid: call.sid, digits: '1' });
    await handset.waitForFrames('call.say', 3);
    expect(handset.ofType('call.say').map((f) => f['text'])).toEqual(['Your code is 4 2', 'Press 1 to hear it again', 'You pressed 1']);
    expect(rig.app.requests.map((r) => r.path)).toEqual(['/gathered']);
  });

  it('replaces what a live call runs when updated with Twiml', async () => {
    rig = await startRig();
    rig.app.on('/rcml', rcml('<Pause length="60"/>'));
    const handset = await rig.handset('+491700000102');
    const call = await client().calls.create({ from: '+15550001111', to: '+491700000102', url: rig.app.url('/rcml') });
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: call.sid });
    await waitFor('the Pause to start', () => rig.sim.sim.voice.engine.get(call.sid)?.transcript.some((t) => t.kind === 'pause'));
    const next = new VoiceResponse();
    next.say('Changed our mind');
    next.hangup();
    const updated = await client().calls(call.sid).update({ twiml: next.toString() });
    expect(updated.status).toBe('in-progress');
    const [ended] = await handset.waitForFrames('call.ended');
    expect(ended!['status']).toBe('completed');
    expect(handset.ofType('call.say').map((f) => f['text'])).toEqual(['Changed our mind']);
  });

  it('uses Url when both are given, with a 32019 warning', async () => {
    rig = await startRig();
    await rig.sim.api('/api/behaviours/+491700000103', { method: 'PUT', body: { voice: 'answer' } });
    rig.app.on('/rcml', rcml('<Say>from the Url</Say>'));
    const call = await client().calls.create({ from: '+15550001111', to: '+491700000103', url: rig.app.url('/rcml'), twiml: '<Response><Say>inline</Say></Response>' });
    await rig.waitForStatus(call.sid, 'completed');
    expect((await rig.call(call.sid))['transcript']).toEqual([expect.objectContaining({ text: 'from the Url' })]);
    expect((await client().calls(call.sid).notifications.list()).map((n) => n.errorCode)).toEqual(['32019']);
  });
});

describe('status callbacks', () => {
  it('sends each event on time, in order, while the app is still answering an earlier one', async () => {
    rig = await startRig();
    rig.app.on('/rcml', rcml('<Hangup/>'));
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let ringingAnswered = false;
    rig.app.on('/status', async (r) => {
      if (r.params['CallStatus'] === 'ringing') {
        await held;
        ringingAnswered = true;
      }
      return '';
    });
    const handset = await rig.handset('+491700000104');
    const call = await client().calls.create({
      from: '+15550001111', to: '+491700000104', url: rig.app.url('/rcml'),
      statusCallback: rig.app.url('/status'), statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: call.sid });
    const callbacks = await rig.app.waitFor('/status', 4);
    // Answered and completed arrived although the app has not yet answered `ringing`.
    expect(ringingAnswered).toBe(false);
    expect(callbacks.map((c) => [c.params['CallStatus'], c.params['SequenceNumber']])).toEqual([
      ['initiated', '0'], ['ringing', '1'], ['in-progress', '2'], ['completed', '3'],
    ]);
    release();
    await rig.sim.sim.voice.drainCallbacks();
    expect(ringingAnswered).toBe(true);
  });
});

describe('<Dial> with several numbers', () => {
  it('rings them all at once; the first to answer is bridged and the others are canceled', async () => {
    rig = await startRig();
    const response = new VoiceResponse();
    const dial = response.dial({ action: '/dialed', timeout: 20 });
    dial.number('+491700000111');
    dial.number('+491700000112');
    dial.number('+491700000113');
    rig.app.on('/rcml', response.toString());
    rig.app.on('/dialed', rcml('<Hangup/>'));
    await rig.sim.api('/api/behaviours/+491700000110', { method: 'PUT', body: { voice: 'answer' } });
    const phones = await Promise.all(['+491700000111', '+491700000112', '+491700000113'].map((n) => rig.handset(n)));
    const call = await client().calls.create({ from: '+15550001111', to: '+491700000110', url: rig.app.url('/rcml') });
    const incoming = await Promise.all(phones.map(async (p) => (await p.waitForFrames('call.incoming'))[0]!));
    // All three ring before anyone answers.
    const legs = incoming.map((f) => f['callSid'] as string);
    expect(legs.map((sid) => rig.sim.sim.voice.engine.get(sid)?.status)).toEqual(['ringing', 'ringing', 'ringing']);
    phones[1]!.send({ type: 'call.answer', callSid: legs[1] });
    const [first] = await phones[0]!.waitForFrames('call.ended');
    const [third] = await phones[2]!.waitForFrames('call.ended');
    expect([first!['status'], third!['status']]).toEqual(['canceled', 'canceled']);
    phones[1]!.send({ type: 'call.hangup', callSid: legs[1] });
    const [dialed] = await rig.app.waitFor('/dialed');
    expect(dialed!.params).toMatchObject({ DialCallSid: legs[1], DialCallStatus: 'completed', CallSid: call.sid });
    const children = await client().calls.list({ parentCallSid: call.sid });
    expect(children.map((c) => c.status).sort()).toEqual(['canceled', 'canceled', 'completed']);
  });
});

describe('speech takes time, on the injected clock', () => {
  it('keeps the call in progress while a Say is spoken, and starts the Gather after it', async () => {
    const clock = new ManualClock();
    rig = await startRig(clock, { speechTime: true });
    const text = 'Your verification code is 1 2 3 4 5 6.';
    const ms = speechMs(text, 'Polly.Joanna');
    const response = new VoiceResponse();
    response.say({ voice: 'Polly.Joanna' }, text);
    response.gather({ numDigits: 1, timeout: 5 });
    rig.app.on('/rcml', response.toString());
    const handset = await rig.handset('+491700000120');
    const call = await client().calls.create({ from: '+15550001111', to: '+491700000120', url: rig.app.url('/rcml') });
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: call.sid });
    await handset.waitForFrames('call.say');
    clock.advance(ms - 1);
    // A frame the server answers with an error is a barrier: anything it sent before has arrived.
    handset.send({ type: 'call.dtmf', callSid: `CA${'0'.repeat(32)}`, digits: '1' });
    await handset.waitForFrames('error');
    expect(handset.ofType('call.gather')).toEqual([]);
    clock.advance(1);
    const [gather] = await handset.waitForFrames('call.gather');
    expect(gather).toMatchObject({ timeout: 5 });
    clock.advance(5_000);
    await rig.waitForStatus(call.sid, 'completed');
    const fetched = await client().calls(call.sid).fetch();
    expect(Number(fetched.duration)).toBe(Math.round((ms + 5_000) / 1000));
  });

  it('repeats a Say with loop="0" until the call ends', async () => {
    const clock = new ManualClock();
    rig = await startRig(clock, { speechTime: true });
    const response = new VoiceResponse();
    response.say({ loop: 0, voice: 'alice' }, 'Hold on');
    rig.app.on('/rcml', response.toString());
    const handset = await rig.handset('+491700000121');
    const call = await client().calls.create({ from: '+15550001111', to: '+491700000121', url: rig.app.url('/rcml') });
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: call.sid });
    await handset.waitForFrames('call.say');
    for (let i = 2; i <= 4; i++) {
      clock.advance(speechMs('Hold on', 'alice'));
      await handset.waitForFrames('call.say', i);
    }
    handset.send({ type: 'call.hangup', callSid: call.sid });
    await rig.waitForStatus(call.sid, 'completed');
  });
});

describe('a handset is a phone line', () => {
  it('is busy to a second call while in a call', async () => {
    rig = await startRig();
    rig.app.on('/rcml', rcml('<Pause length="60"/>'));
    rig.app.on('/status', '');
    const handset = await rig.handset('+491700000130');
    const first = await client().calls.create({ from: '+15550001111', to: '+491700000130', url: rig.app.url('/rcml') });
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: first.sid });
    await rig.waitForStatus(first.sid, 'in-progress');
    const second = await client().calls.create({ from: '+15550002222', to: '+491700000130', url: rig.app.url('/rcml'), statusCallback: rig.app.url('/status') });
    await rig.waitForStatus(second.sid, 'busy');
    const [callback] = await rig.app.waitFor('/status');
    expect(callback!.params).toMatchObject({ CallSid: second.sid, CallStatus: 'busy' });
    expect(handset.ofType('call.incoming').map((f) => f['callSid'])).toEqual([first.sid]);
  });

  it('rings a second call as a waiting call when call waiting is on', async () => {
    rig = await startRig(undefined, { callWaiting: true });
    rig.app.on('/rcml', rcml('<Pause length="60"/>'));
    const handset = await rig.handset('+491700000131');
    const first = await client().calls.create({ from: '+15550001111', to: '+491700000131', url: rig.app.url('/rcml') });
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: first.sid });
    await rig.waitForStatus(first.sid, 'in-progress');
    const second = await client().calls.create({ from: '+15550002222', to: '+491700000131', url: rig.app.url('/rcml') });
    const [, waiting] = await handset.waitForFrames('call.incoming', 2);
    expect(waiting).toEqual({ type: 'call.incoming', callSid: second.sid, from: '+15550002222', to: '+491700000131', waiting: true });
    const settings = await rig.sim.api('/api/voice/settings', { method: 'PUT', body: { callWaiting: false } });
    expect(settings.body).toMatchObject({ callWaiting: false });
    const bad = await rig.sim.api('/api/voice/settings', { method: 'PUT', body: { callWaiting: 'sometimes' } });
    expect(bad.status).toBe(400);
  });

  it('ends the call it answered when its socket drops', async () => {
    rig = await startRig();
    rig.app.on('/rcml', rcml('<Pause length="60"/>'));
    rig.app.on('/status', '');
    const handset = await rig.handset('+491700000132');
    const call = await client().calls.create({ from: '+15550001111', to: '+491700000132', url: rig.app.url('/rcml'), statusCallback: rig.app.url('/status') });
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: call.sid });
    await rig.waitForStatus(call.sid, 'in-progress');
    handset.socket.terminate();
    await rig.waitForStatus(call.sid, 'completed');
    const [callback] = await rig.app.waitFor('/status');
    expect(callback!.params).toMatchObject({ CallStatus: 'completed' });
    expect((await rig.call(call.sid))['timeline']).toContainEqual(expect.objectContaining({ event: 'completed', detail: "the handset's connection dropped" }));
  });

  it('keeps a call answered by the number\'s behaviour when an unrelated socket of the number drops', async () => {
    rig = await startRig();
    rig.app.on('/rcml', rcml('<Pause length="60"/>'));
    await rig.sim.api('/api/behaviours/+491700000133', { method: 'PUT', body: { voice: 'answer' } });
    const handset = await rig.handset('+491700000133');
    const call = await client().calls.create({ from: '+15550001111', to: '+491700000133', url: rig.app.url(`/rcml`) });
    await rig.waitForStatus(call.sid, 'in-progress');
    handset.socket.terminate();
    await waitFor('the hub to see the line down', () => !rig.sim.sim.hub.isConnected('+491700000133'));
    expect(rig.sim.sim.voice.engine.get(call.sid)?.status).toBe('in-progress');
    await client().calls(call.sid).update({ status: 'completed' });
  });
});

describe('Restcomm path', () => {
  it('reports initiated and answered as Restcomm does', async () => {
    rig = await startRig();
    await rig.sim.api('/api/behaviours/+491700000140', { method: 'PUT', body: { voice: 'answer' } });
    rig.app.on('/rcml', rcml('<Hangup/>'));
    rig.app.on('/status', '');
    await rig.rest('POST', `${RESTCOMM}/Calls.json`, { From: '+15550001111', To: '+491700000140', Url: rig.app.url('/rcml'), StatusCallback: rig.app.url('/status'), StatusCallbackEvent: ['initiated', 'answered'] });
    const callbacks = await rig.app.waitFor('/status', 2);
    expect(callbacks.map((c) => c.params['CallStatus'])).toEqual(['initiated', 'answered']);
  });
});
