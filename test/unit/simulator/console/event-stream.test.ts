import { afterEach, describe, expect, it } from 'vitest';
import { TestEsme } from '../../../support/esme';
import { TestEventStream } from '../../../support/event-stream';
import { authHeader, credentials } from '../../../support/simulator-harness';
import { waitFor } from '../../../support/wait-for';
import { rcml, startRig, TWILIO, type VoiceRig } from '../voice/voice-harness';

let rig: VoiceRig;
const closers: (() => void)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await rig.stop();
});

async function events(query = '', headers: Record<string, string> = { authorization: authHeader }): Promise<TestEventStream> {
  const stream = await TestEventStream.connect(`ws://127.0.0.1:${rig.sim.httpPort}/ws/events${query}`, headers);
  closers.push(() => stream.close());
  return stream;
}

describe('the /ws/events stream', () => {
  it('shows an SMS submitted over SMPP as message.created, then message.updated when its receipt went out', async () => {
    rig = await startRig();
    // Receipts later than the stream's gathering interval, so the receipt is a change of its own.
    await rig.sim.api('/api/settings', { method: 'PUT', body: { receiptDelayMs: 300 } });
    const stream = await events();
    const esme = await TestEsme.connect(rig.sim.smppPort);
    closers.push(() => esme.close());
    await esme.bind('transceiver');
    const submitted = await esme.submit({ destination_addr: '4915200000001', short_message: 'Your code is 123456', registered_delivery: 1 });
    const partId = submitted['message_id'] as string;

    const created = await stream.waitFor('message.created');
    expect(created.version).toBe(1);
    expect(created.data).toMatchObject({ direction: 'mt', from: 'Acme', to: '+4915200000001', text: 'Your code is 123456', parts: 1, dataCoding: 0, status: 'delivered' });
    expect(created.data['segments']).toEqual([expect.objectContaining({ messageId: partId })]);

    await esme.waitForDeliveries(1, (pdu) => pdu['receipted_message_id'] === partId);
    const receipted = await stream.waitFor('message.updated', (data) => (data['segments'] as { receipt: string }[])[0]?.receipt === 'sent');
    expect(receipted.data['id']).toBe(created.data['id']);
    expect(receipted.data['segments']).toEqual([expect.objectContaining({ messageId: partId, state: 2, errorCode: 0 })]);
    // The same resource the inspection API returns.
    const { body } = await rig.sim.api(`/api/messages/${String(created.data['id'])}`);
    expect(body).toEqual(receipted.data);
    // created came first.
    expect(stream.events.findIndex((e) => e.type === 'message.created')).toBeLessThan(stream.events.indexOf(receipted));
  });

  it('follows a call from call.created through its transcript to completed, and handsets coming and going', async () => {
    rig = await startRig();
    rig.app.on('/rcml', rcml('<Say>Your code is 4 2</Say><Hangup/>'));
    const stream = await events('?access_token=' + credentials.authToken, {});
    const handset = await rig.handset('+491700000009');
    const connected = await stream.waitFor('handset.connected');
    expect(connected.data).toEqual({ number: '+491700000009', connections: 1 });

    const created = await rig.rest('POST', `${TWILIO}/Calls.json`, { From: '+15550001111', To: '+491700000009', Url: rig.app.url('/rcml') });
    const sid = created.body['sid'] as string;
    const [incoming] = await handset.waitForFrames('call.incoming');
    handset.send({ type: 'call.answer', callSid: incoming!['callSid'] });
    await handset.waitForFrames('call.ended');

    const first = await stream.waitFor('call.created');
    expect(first.data).toMatchObject({ sid, from: '+15550001111', to: '+491700000009' });
    expect(stream.of('call.created')).toHaveLength(1);
    // A call that ends within the stream's gathering interval arrives as call.created in its final state.
    const done = await waitFor('the completed call', () => stream.events.find((e) => e.type.startsWith('call.') && e.data['sid'] === sid && e.data['status'] === 'completed'));
    expect(done.data['transcript']).toEqual([expect.objectContaining({ kind: 'say', text: 'Your code is 4 2' })]);
    expect((done.data['timeline'] as { event: string }[]).map((t) => t.event)).toEqual(expect.arrayContaining(['queued', 'ringing', 'handset.answer', 'in-progress', 'completed']));
    expect(await rig.call(sid)).toEqual(done.data);

    handset.close();
    expect((await stream.waitFor('handset.disconnected')).data).toEqual({ number: '+491700000009', connections: 0 });
  });

  it('reports binds and unbinds, and a reset of messages', async () => {
    rig = await startRig();
    const stream = await events();
    const esme = await TestEsme.connect(rig.sim.smppPort);
    await esme.bind('receiver', 'verigate');
    const bound = await stream.waitFor('bind.changed', (data) => data['state'] === 'bound');
    expect(bound.data).toMatchObject({ systemId: 'verigate', mode: 'receiver' });
    esme.close();
    await stream.waitFor('bind.changed', (data) => data['state'] === 'unbound' && data['sessionId'] === bound.data['sessionId']);
    await rig.sim.api('/api/messages', { method: 'DELETE' });
    await stream.waitFor('messages.cleared');
  });

  it('sends each interval\'s events in one frame, a JSON array, to a `?batch=1` subscriber: the same events in the same order', async () => {
    rig = await startRig();
    const single = await events();
    const batched = await events('?batch=1');
    const esme = await TestEsme.connect(rig.sim.smppPort);
    closers.push(() => esme.close());
    await esme.bind('transceiver');
    const parts = await Promise.all([1, 2, 3].map((i) => esme.submit({ destination_addr: '4915200000001', short_message: `code ${i}`, registered_delivery: 1 })));
    const ids = parts.map((p) => p['message_id'] as string);
    await esme.waitForDeliveries(3, (pdu) => ids.includes(pdu['receipted_message_id'] as string));
    const done = (stream: TestEventStream) => new Set(stream.events
      .filter((e) => (e.data['segments'] as { receipt: string }[] | undefined)?.every((segment) => segment.receipt === 'sent'))
      .map((e) => e.data['id'])).size === 3;
    await waitFor('all three receipts on both streams', () => done(single) && done(batched));
    expect(batched.frames.every(Array.isArray)).toBe(true);
    expect(single.frames.some(Array.isArray)).toBe(false);
    expect(batched.events).toEqual(single.events);
  });

  it('gives a `?changes=1` subscriber message.changed (the fields that change) where others get message.updated: merged, the same resource', async () => {
    rig = await startRig();
    const sender = await TestEsme.connect(rig.sim.smppPort);
    closers.push(() => sender.close());
    await sender.bind('transmitter');
    // With no receiver bound the receipts wait: one message before anyone listens (the console holds no copy of it).
    const early = (await sender.submit({ destination_addr: '4915200000001', short_message: 'early', registered_delivery: 1 }))['message_id'] as string;
    const whole = await events();
    const changes = await events('?changes=1');
    const batched = await events('?batch=1&changes=1');
    const late = (await sender.submit({ destination_addr: '4915200000001', short_message: 'late', registered_delivery: 1 }))['message_id'] as string;
    await changes.waitFor('message.created', (data) => data['text'] === 'late');
    const receiver = await TestEsme.connect(rig.sim.smppPort);
    closers.push(() => receiver.close());
    await receiver.bind('receiver');
    await receiver.waitForDeliveries(2, (pdu) => [early, late].includes(pdu['receipted_message_id'] as string));
    const sent = (data: Record<string, unknown>) => (data['segments'] as { receipt: string }[])[0]?.receipt === 'sent';
    const [wholeEarly, wholeLate] = await Promise.all(['early', 'late'].map((text) => whole.waitFor('message.updated', (data) => data['text'] === text && sent(data))));
    const changedEarly = await changes.waitFor('message.changed', (data) => data['id'] === wholeEarly!.data['id'] && sent(data));
    const changedLate = await changes.waitFor('message.changed', (data) => data['id'] === wholeLate!.data['id'] && sent(data));
    expect(changes.of('message.updated')).toEqual([]);

    for (const [updated, changed] of [[wholeEarly!, changedEarly], [wholeLate!, changedLate]] as const) {
      const resource = (await rig.sim.api(`/api/messages/${String(updated.data['id'])}`)).body as Record<string, unknown>;
      expect(updated.data).toEqual(resource);
      // Only what changes without a rewrite, named as in the resource.
      const segments = resource['segments'] as Record<string, unknown>[];
      expect(changed.data).toEqual({
        id: resource['id'], status: resource['status'], systemId: resource['systemId'], receivedByHandsetAt: resource['receivedByHandsetAt'],
        segments: segments.map(({ messageId, state, errorCode, receipt }) => ({ messageId, state, errorCode, receipt })),
      });
    }
    // The message created while the page listened, merged from its frames as the page does, is the resource.
    const created = changes.of('message.created', (data) => data['id'] === changedLate.data['id'])[0]!.data;
    const merged = { ...created, ...changedLate.data, segments: (created['segments'] as Record<string, unknown>[]).map((s, i) => ({ ...s, ...(changedLate.data['segments'] as Record<string, unknown>[])[i] })) };
    expect(merged).toEqual(wholeLate!.data);
    await waitFor('the same events on the batched stream', () => batched.events.length === changes.events.length);
    expect(batched.events).toEqual(changes.events);
  });

  it('sends a rewritten message (cancel_sm) whole as message.updated to a `?changes=1` subscriber too', async () => {
    rig = await startRig();
    const changes = await events('?changes=1');
    const esme = await TestEsme.connect(rig.sim.smppPort);
    closers.push(() => esme.close());
    await esme.bind('transceiver');
    // Held ten minutes by its schedule: still pending when cancelled.
    const id = (await esme.submit({ destination_addr: '4915200000001', short_message: 'held', registered_delivery: 1, schedule_delivery_time: '000000001000000R' }))['message_id'] as string;
    await changes.waitFor('message.created', (data) => data['status'] === 'scheduled');
    await esme.request('cancel_sm', { message_id: id, source_addr_ton: 5, source_addr: 'Acme', destination_addr: '' });
    const updated = await changes.waitFor('message.updated', (data) => data['status'] === 'cancelled');
    expect(updated.data).toMatchObject({ text: 'held', segments: [{ messageId: id, state: 4 }] });
  });

  it('refuses a subscriber without credentials', async () => {
    rig = await startRig();
    await expect(events('', {})).rejects.toThrow('upgrade refused: 401');
    await expect(events('?access_token=wrong-token', {})).rejects.toThrow('upgrade refused: 401');
  });

  it('drops a subscriber that stops reading, and keeps serving the others', async () => {
    rig = await startRig();
    const slow = await events();
    const fast = await events();
    slow.socket.pause(); // Stops reading: the server's buffer for it grows.
    const text = '中'.repeat(10_000); // 30 KB of UTF-8 per event.
    let sent = 0;
    while (rig.sim.sim.console.hub.subscribers > 1 && sent < 2_000) {
      const batch = Array.from({ length: 20 }, () => rig.sim.api('/api/handsets/+491700000077/sms', { method: 'POST', body: { to: '+491700000078', text } }));
      expect((await Promise.all(batch)).every((answer) => answer.status === 201)).toBe(true);
      sent += 20;
    }
    expect(rig.sim.sim.console.hub.subscribers).toBe(1);
    // The reader that kept up saw every message, the last one included.
    await waitFor('every message on the fast stream', () => fast.of('message.created').length === sent, 15_000);
    slow.socket.resume();
    await slow.waitForClose();
    expect(slow.of('message.created').length).toBeLessThan(sent);
  }, 40_000);
});
