import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../support/manual-clock';
import { waitFor } from '../../../support/wait-for';
import { RESTCOMM, TWILIO, rcml, startRig, type VoiceRig } from './voice-harness';

let rig: VoiceRig;
let clock: ManualClock;

afterEach(async () => {
  await rig.stop();
});

async function start() {
  clock = new ManualClock();
  rig = await startRig(clock);
}

async function place(prefix: string, to: string, extra: Record<string, string> = {}): Promise<string> {
  const created = await rig.rest('POST', `${prefix}/Calls.json`, { From: '+15550001111', To: to, Url: rig.app.url('/rcml'), ...extra });
  expect(created.status).toBe(201);
  return created.body['sid'] as string;
}

describe('ring timeout and per-number voice behaviours', () => {
  it('ends no-answer when nobody answers within Timeout, on the injected clock', async () => {
    await start();
    rig.app.on('/status', '');
    const handset = await rig.handset('+491700000010');
    const sid = await place(TWILIO, '+491700000010', { Timeout: '10', StatusCallback: rig.app.url('/status'), StatusCallbackEvent: 'ringing completed' });
    await handset.waitForFrames('call.incoming');
    clock.advance(9_999);
    expect(rig.sim.sim.voice.engine.get(sid)?.status).toBe('ringing');
    clock.advance(1);
    const [ended] = await handset.waitForFrames('call.ended');
    expect(ended!['status']).toBe('no-answer');
    const callbacks = await rig.app.waitFor('/status', 2);
    expect(callbacks.map((c) => [c.params['CallStatus'], c.params['SequenceNumber']])).toEqual([['ringing', '0'], ['no-answer', '1']]);
    const fetched = await rig.rest('GET', `${TWILIO}/Calls/${sid}.json`);
    expect(fetched.body).toMatchObject({ status: 'no-answer', duration: '0', ring_duration: '10' });
  });

  it('rings a number with no socket until the default 60 s Timeout', async () => {
    await start();
    const sid = await place(RESTCOMM, '+491700000011');
    await rig.waitForStatus(sid, 'ringing');
    clock.advance(59_000);
    expect(rig.sim.sim.voice.engine.get(sid)?.status).toBe('ringing');
    clock.advance(1_000);
    expect(rig.sim.sim.voice.engine.get(sid)?.status).toBe('no-answer');
  });

  it('answers by itself after answerAfterMs when the number is set to answer, and runs the RCML without a socket', async () => {
    await start();
    rig.app.on('/rcml', rcml('<Say>Hello robot</Say><Pause length="3"/><Say>Bye</Say>'));
    const set = await rig.sim.api('/api/behaviours/+491700000012', { method: 'PUT', body: { voice: 'answer', answerAfterMs: 2_000 } });
    expect(set.body).toMatchObject({ number: '+491700000012', sms: 'deliver', voice: 'answer', answerAfterMs: 2_000 });
    const sid = await place(TWILIO, '+491700000012');
    await rig.waitForStatus(sid, 'ringing');
    clock.advance(2_000);
    await rig.waitForStatus(sid, 'in-progress');
    await waitFor('the Pause to start', () => rig.sim.sim.voice.engine.get(sid)?.transcript.some((t) => t.kind === 'pause'));
    clock.advance(3_000);
    await rig.waitForStatus(sid, 'completed');
    const call = await rig.call(sid);
    expect((call['transcript'] as { kind: string; text?: string }[]).map((t) => t.text ?? t.kind)).toEqual(['Hello robot', 'pause', 'Bye']);
    expect(call['duration']).toBe(3);
  });

  it('ends busy at once for a number set to busy, and failed for one set to unreachable, without ringing', async () => {
    await start();
    await rig.sim.api('/api/behaviours/+491700000013', { method: 'PUT', body: { voice: 'busy' } });
    await rig.sim.api('/api/behaviours/+491700000014', { method: 'PUT', body: { voice: 'unreachable' } });
    const handset = await rig.handset('+491700000013');
    const busy = await place(TWILIO, '+491700000013');
    const unreachable = await place(TWILIO, '+491700000014');
    await rig.waitForStatus(busy, 'busy');
    await rig.waitForStatus(unreachable, 'failed');
    expect(handset.ofType('call.incoming')).toEqual([]);
    expect((await rig.call(busy))['timeline']).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'busy' })]));
  });

  it('refuses an answer from the handset of a number set to no-answer, with an error frame, and ends no-answer', async () => {
    await start();
    await rig.sim.api('/api/behaviours/491700000015', { method: 'PUT', body: { voice: 'no-answer' } });
    const handset = await rig.handset('+491700000015');
    const sid = await place(TWILIO, '+491700000015', { Timeout: '5' });
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: sid });
    const [error] = await handset.waitForFrames('error');
    expect(error!['message']).toMatch(/set to no-answer/);
    clock.advance(5_000);
    await rig.waitForStatus(sid, 'no-answer');
  });

  it('lists the voice behaviours and refuses an unknown one with 400', async () => {
    await start();
    const listed = await rig.sim.api('/api/behaviours');
    expect(Object.keys((listed.body as { available: { voice: object } }).available.voice)).toEqual(['ring', 'answer', 'busy', 'no-answer', 'unreachable']);
    const bad = await rig.sim.api('/api/behaviours/+491700000016', { method: 'PUT', body: { voice: 'explode' } });
    expect(bad.status).toBe(400);
  });
});

describe('Gather and Pause on the injected clock', () => {
  it('falls through to the next verb when no digits come within timeout, and ends when the document does', async () => {
    await start();
    rig.app.on('/rcml', rcml('<Gather timeout="5" numDigits="1" action="/never"><Say>Press 1</Say></Gather><Say>No input</Say>'));
    const handset = await rig.handset('+491700000020');
    const sid = await place(RESTCOMM, '+491700000020');
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: sid });
    await handset.waitForFrames('call.gather');
    clock.advance(4_999);
    expect(handset.ofType('call.say')).toHaveLength(1);
    clock.advance(1);
    await handset.waitForFrames('call.say', 2);
    await handset.waitForFrames('call.ended');
    expect(handset.ofType('call.say').map((f) => f['text'])).toEqual(['Press 1', 'No input']);
    expect(rig.app.to('/never')).toEqual([]);
  });

  it('stops gathering on finishOnKey, posts what came before it, and ignores digits outside a Gather', async () => {
    await start();
    rig.app.on('/rcml', rcml('<Say>Hi</Say><Gather finishOnKey="*"/><Say>unreached</Say>'));
    rig.app.on('/rcml-action', rcml('<Hangup/>'));
    const handset = await rig.handset('+491700000021');
    const sid = await place(TWILIO, '+491700000021');
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: sid });
    await handset.waitForFrames('call.gather');
    handset.send({ type: 'call.dtmf', callSid: sid, digits: '98*7' });
    // No action attribute: the digits go to the current document's URL.
    const requests = await rig.app.waitFor('/rcml', 2);
    expect(requests[1]!.params).toMatchObject({ Digits: '98', FinishedOnKey: '*' });
  });
});

describe('a handset that connects while its number is ringing', () => {
  it('is offered the ringing call, and can answer it', async () => {
    await start();
    rig.app.on('/rcml', rcml('<Say>Late but here</Say>'));
    const early = await rig.handset('+491700000022');
    const sid = await place(TWILIO, '+491700000022');
    await early.waitForFrames('call.incoming');
    const late = await rig.handset('+491700000022');
    const [incoming] = await late.waitForFrames('call.incoming');
    expect(incoming).toMatchObject({ callSid: sid, from: '+15550001111' });
    late.send({ type: 'call.answer', callSid: sid });
    await late.waitForFrames('call.ended');
    expect(early.ofType('call.incoming')).toHaveLength(1);
    expect(early.ofType('call.say').map((f) => f['text'])).toEqual(['Late but here']);
  });
});
