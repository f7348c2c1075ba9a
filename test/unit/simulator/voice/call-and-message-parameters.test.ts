import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../support/manual-clock';
import { authHeader } from '../../../support/simulator-harness';
import { waitFor } from '../../../support/wait-for';
import { TWILIO, rcml, startRig, type VoiceRig } from './voice-harness';

let rig: VoiceRig;

afterEach(async () => {
  await rig.stop();
});

const client = () => rig.client();

describe('call parameters', () => {
  it('plays SendDigits to the callee as DTMF right after the answer, before the RCML runs', async () => {
    rig = await startRig();
    rig.app.on('/rcml', rcml('<Say>extension reached</Say>'));
    const handset = await rig.handset('+491700000201');
    const call = await client().calls.create({ from: '+15550001111', to: '+491700000201', url: rig.app.url('/rcml'), sendDigits: 'ww1234#' });
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: call.sid });
    await handset.waitForFrames('call.ended');
    expect(handset.frames.filter((f) => f.type === 'call.dtmf' || f.type === 'call.say').map((f) => f.type)).toEqual(['call.dtmf', 'call.say']);
    expect(handset.ofType('call.dtmf')[0]).toEqual({ type: 'call.dtmf', callSid: call.sid, digits: 'ww1234#' });
  });

  it('tells the app who answered when MachineDetection is on: a handset may answer as a machine, a human by default', async () => {
    rig = await startRig();
    rig.app.on('/rcml', rcml('<Hangup/>'));
    const handset = await rig.handset('+491700000202');
    const byMachine = await client().calls.create({ from: '+15550001111', to: '+491700000202', url: rig.app.url('/rcml'), machineDetection: 'Enable' });
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: byMachine.sid, answeredBy: 'machine' });
    await rig.waitForStatus(byMachine.sid, 'completed');
    const byHuman = await client().calls.create({ from: '+15550001111', to: '+491700000202', url: rig.app.url('/rcml'), machineDetection: 'DetectMessageEnd' });
    await handset.waitForFrames('call.incoming', 2);
    handset.send({ type: 'call.answer', callSid: byHuman.sid });
    await rig.waitForStatus(byHuman.sid, 'completed');
    const fetches = rig.app.to('/rcml');
    expect(fetches.map((r) => r.params['AnsweredBy'])).toEqual(['machine_start', 'human']);
    expect((await client().calls(byMachine.sid).fetch()).answeredBy).toBe('machine_start');
    const plain = await client().calls.create({ from: '+15550001111', to: '+491700000202', url: rig.app.url('/rcml') });
    await handset.waitForFrames('call.incoming', 3);
    handset.send({ type: 'call.answer', callSid: plain.sid, answeredBy: 'machine' });
    await rig.waitForStatus(plain.sid, 'completed');
    expect(rig.app.to('/rcml')[2]!.params['AnsweredBy']).toBeUndefined();
  });

  it('ends a call at its TimeLimit, on the injected clock', async () => {
    const clock = new ManualClock();
    rig = await startRig(clock);
    rig.app.on('/rcml', rcml('<Pause length="600"/>'));
    const handset = await rig.handset('+491700000203');
    const call = await client().calls.create({ from: '+15550001111', to: '+491700000203', url: rig.app.url('/rcml'), timeLimit: 30 });
    await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: call.sid });
    await rig.waitForStatus(call.sid, 'in-progress');
    clock.advance(29_999);
    expect(rig.sim.sim.voice.engine.get(call.sid)?.status).toBe('in-progress');
    clock.advance(1);
    await rig.waitForStatus(call.sid, 'completed');
    expect((await client().calls(call.sid).fetch()).duration).toBe('30');
  });

  it('records the whole call with Record=true: a recording resource, a fetchable WAV and a RecordingStatusCallback', async () => {
    const clock = new ManualClock();
    rig = await startRig(clock);
    rig.app.on('/rcml', rcml('<Pause length="3"/>'));
    rig.app.on('/recording', '');
    await rig.sim.api('/api/behaviours/+491700000204', { method: 'PUT', body: { voice: 'answer' } });
    const call = await client().calls.create({
      from: '+15550001111', to: '+491700000204', url: rig.app.url('/rcml'), record: true, recordingStatusCallback: rig.app.url('/recording'),
    });
    await rig.waitForStatus(call.sid, 'ringing');
    clock.advance(0); // the behaviour answers after 0 ms, on the clock
    await rig.app.waitFor('/rcml');
    await waitFor('the Pause to start', () => rig.sim.sim.voice.engine.get(call.sid)?.transcript.some((t) => t.kind === 'pause'));
    clock.advance(3_000);
    await rig.waitForStatus(call.sid, 'completed');
    const [callback] = await rig.app.waitFor('/recording');
    expect(callback!.params).toMatchObject({ CallSid: call.sid, RecordingStatus: 'completed', RecordingDuration: '3' });
    expect(callback!.signed).toBe(true);
    const recordings = await client().calls(call.sid).recordings.list();
    expect(recordings).toEqual([expect.objectContaining({ sid: callback!.params['RecordingSid'], callSid: call.sid, duration: '3', source: 'OutboundAPI' })]);
    const wav = await fetch(`${callback!.params['RecordingUrl']}.wav`, { headers: { authorization: authHeader } });
    expect(wav.headers.get('content-type')).toBe('audio/x-wav');
    const bytes = Buffer.from(await wav.arrayBuffer());
    expect(bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(bytes.length).toBe(44 + 3 * 8_000 * 2);
  });

  it('deletes an ended call, and answers a DELETE of an unknown one with Twilio\'s 404 body', async () => {
    rig = await startRig();
    const call = await client().calls.create({ from: '+15550001111', to: '+491700000205', url: rig.app.url('/rcml') });
    await expect(client().calls(call.sid).remove()).rejects.toMatchObject({ status: 400, code: 21220 });
    await client().calls(call.sid).update({ status: 'canceled' });
    expect(await client().calls(call.sid).remove()).toBe(true);
    const unknown = await rig.rest('GET', `${TWILIO}/Calls/${call.sid}.json`);
    expect(unknown).toMatchObject({ status: 404, body: { code: 20404, status: 404, more_info: 'https://www.twilio.com/docs/errors/20404' } });
    const response = await fetch(`${rig.sim.baseUrl}${TWILIO}/Calls/${call.sid}.json`, { method: 'DELETE', headers: { authorization: authHeader } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 20404, status: 404 });
  });

  it('filters the call list by StartTime and EndTime as the twilio client sends them', async () => {
    const clock = new ManualClock(Date.parse('2026-11-23T10:00:00Z'));
    rig = await startRig(clock);
    const early = await client().calls.create({ from: '+15550001111', to: '+491700000206', url: rig.app.url('/rcml') });
    await rig.waitForStatus(early.sid, 'ringing');
    await client().calls(early.sid).update({ status: 'canceled' });
    clock.advance(2 * 86_400_000);
    const late = await client().calls.create({ from: '+15550001111', to: '+491700000206', url: rig.app.url('/rcml') });
    await rig.waitForStatus(late.sid, 'ringing');
    const sids = (calls: { sid: string }[]) => calls.map((c) => c.sid);
    expect(sids(await client().calls.list({ startTimeAfter: new Date('2026-11-24T00:00:00Z') }))).toEqual([late.sid]);
    expect(sids(await client().calls.list({ startTimeBefore: new Date('2026-11-24T00:00:00Z') }))).toEqual([early.sid]);
    expect(sids(await client().calls.list({ startTime: new Date('2026-11-23T00:00:00Z') }))).toEqual([early.sid]);
    expect(sids(await client().calls.list({ endTimeAfter: new Date('2026-11-23T00:00:00Z') }))).toEqual([early.sid]);
    expect(await rig.rest('GET', `${TWILIO}/Calls.json?StartTime%3E=yesterday`)).toMatchObject({ status: 400, body: { code: 20001 } });
    await client().calls(late.sid).update({ status: 'canceled' });
  });
});

describe('message parameters', () => {
  it('accepts MessagingServiceSid without From, and sends an MMS to the handset as a frame with its media URLs', async () => {
    rig = await startRig();
    const handset = await rig.handset('+491700000210');
    const service = `MG${'ab'.repeat(16)}`;
    const message = await client().messages.create({ to: '+491700000210', messagingServiceSid: service, body: 'see this', mediaUrl: ['https://cdn.test/a.png', 'https://cdn.test/b.jpg'] });
    expect(message).toMatchObject({ messagingServiceSid: service, from: '+15005550006', numMedia: '2' });
    const [mms] = await handset.waitForFrames('mms');
    expect(mms).toMatchObject({ id: message.sid, from: '+15005550006', text: 'see this', media: ['https://cdn.test/a.png', 'https://cdn.test/b.jpg'] });
    expect((await client().messages(message.sid).fetch()).status).toBe('delivered');
    await expect(client().messages.create({ to: '+491700000210', from: '+15550001111', mediaUrl: ['ftp://x'] })).rejects.toMatchObject({ code: 21620 });
    await expect(client().messages.create({ to: '+491700000210', messagingServiceSid: 'MG1' , body: 'x' })).rejects.toMatchObject({ code: 21701 });
    await expect(client().messages.create({ to: '(555) 050-0002', from: '+15550001111', body: 'x' })).rejects.toMatchObject({ code: 21211 });
  });

  it('redacts, cancels a scheduled message, deletes, and filters by DateSent', async () => {
    const clock = new ManualClock(Date.parse('2026-11-23T10:00:00Z'));
    rig = await startRig(clock);
    const handset = await rig.handset('+491700000211');
    const sent = await client().messages.create({ to: '+491700000211', from: '+15550001111', body: 'secret 123456' });
    await handset.waitForFrames('sms');
    const redacted = await client().messages(sent.sid).update({ body: '' });
    expect(redacted.body).toBe('');
    await expect(client().messages(sent.sid).update({ status: 'canceled' })).rejects.toMatchObject({ status: 400, code: 20001 });

    const service = `MG${'cd'.repeat(16)}`;
    const scheduled = await client().messages.create({ to: '+491700000211', messagingServiceSid: service, body: 'later', scheduleType: 'fixed', sendAt: new Date('2026-11-23T12:00:00Z') });
    expect(scheduled.status).toBe('scheduled');
    const canceled = await client().messages(scheduled.sid).update({ status: 'canceled' });
    expect(canceled.status).toBe('canceled');
    const kept = await client().messages.create({ to: '+491700000211', messagingServiceSid: service, body: 'at noon', scheduleType: 'fixed', sendAt: new Date('2026-11-23T12:00:00Z') });
    clock.advance(2 * 3_600_000);
    await handset.waitForFrames('sms', 2);
    expect(handset.ofType('sms').map((f) => f['text'])).toEqual(['secret 123456', 'at noon']);
    expect((await client().messages(kept.sid).fetch()).status).not.toBe('scheduled');

    expect((await client().messages.list({ dateSentAfter: new Date('2026-11-23T11:00:00Z') })).map((m) => m.sid)).toEqual([kept.sid]);
    expect((await client().messages.list({ dateSent: new Date('2026-11-23T00:00:00Z') })).map((m) => m.sid).sort()).toEqual([kept.sid, sent.sid].sort());
    expect(await client().messages(sent.sid).remove()).toBe(true);
    await expect(client().messages(sent.sid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
  });
});
