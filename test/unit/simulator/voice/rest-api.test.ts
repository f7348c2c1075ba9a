import twilio from 'twilio';
import { parseVoiceApiUrl, VoiceApiClient } from '../../../../gateway/rest/voice-api-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentials } from '../../../support/simulator-harness';
import { RESTCOMM, TWILIO, rcml, startRig, type VoiceRig } from './voice-harness';

let rig: VoiceRig;

beforeEach(async () => {
  rig = await startRig();
});

afterEach(async () => {
  await rig.stop();
});

describe('the Calls resource refuses bad requests with Twilio codes', () => {
  const valid = () => ({ From: '+15550001111', To: '+491700000040', Url: rig.app.url('/rcml') });
  const cases: [string, (v: Record<string, string>) => Record<string, string>, number, RegExp][] = [
    ['no To', ({ To: _to, ...v }) => v, 21201, /To/],
    ['a To that is not a number', (v) => ({ ...v, To: 'bob' }), 21211, /not a valid phone number/],
    ['no From', ({ From: _from, ...v }) => v, 21213, /From/],
    ['no Url', ({ Url: _url, ...v }) => v, 21205, /Url/],
    ['a Url that is not http', (v) => ({ ...v, Url: 'ftp://example.com/x' }), 21205, /not a valid URL/],
    ['a bad Method', (v) => ({ ...v, Method: 'PUT' }), 21209, /Method must be GET or POST/],
    ['a Timeout out of range', (v) => ({ ...v, Timeout: '0' }), 21208, /Timeout must be an integer from 1 to 600/],
    ['an unknown StatusCallbackEvent', (v) => ({ ...v, StatusCallbackEvent: 'exploded' }), 21626, /StatusCallbackEvent/],
    ['a To not in E.164', (v) => ({ ...v, To: '(555) 050-0002' }), 21211, /E\.164/],
    ['an ApplicationSid', (v) => ({ ...v, ApplicationSid: `AP${'0'.repeat(32)}` }), 21218, /ApplicationSid is not supported/],
    ['bad SendDigits', (v) => ({ ...v, SendDigits: '12x' }), 21206, /SendDigits/],
    ['a bad MachineDetection', (v) => ({ ...v, MachineDetection: 'Maybe' }), 21223, /MachineDetection/],
    ['inline Twiml over 4000 characters', ({ Url: _url, ...v }) => ({ ...v, Twiml: `<Response><Say>${'a'.repeat(4000)}</Say></Response>` }), 32018, /limit is 4000/],
    ['a bad StatusCallback', (v) => ({ ...v, StatusCallback: 'not a url' }), 21609, /StatusCallback is not a valid URL/],
  ];
  for (const [what, change, code, message] of cases) {
    it(`answers 400 ${code} to ${what}`, async () => {
      const response = await rig.rest('POST', `${TWILIO}/Calls.json`, change(valid()));
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code, status: 400, more_info: `https://www.twilio.com/docs/errors/${code}` });
      expect(response.body['message']).toMatch(message);
    });
  }

  it('answers 401 20003 to wrong credentials and 404 20404 to another account or an unknown call', async () => {
    const wrong = `Basic ${Buffer.from(`${credentials.accountSid}:nope`).toString('base64')}`;
    const unauthorised = await rig.rest('POST', `${TWILIO}/Calls.json`, valid(), wrong);
    expect(unauthorised).toMatchObject({ status: 401, body: { code: 20003, status: 401 } });
    const otherAccount = await rig.rest('GET', `/2010-04-01/Accounts/AC${'cd'.repeat(16)}/Calls.json`);
    expect(otherAccount).toMatchObject({ status: 404, body: { code: 20404 } });
    const unknown = await rig.rest('GET', `${RESTCOMM}/Calls/CA${'00'.repeat(16)}.json`);
    expect(unknown).toMatchObject({ status: 404, body: { code: 20404 } });
    const badModify = await rig.rest('POST', `${TWILIO}/Calls/CA${'00'.repeat(16)}.json`, { Status: 'canceled' });
    expect(badModify.status).toBe(404);
  });

  it('answers malformed bodies with 4xx in Twilio\'s shape, and keeps serving', async () => {
    const post = (contentType: string, body: string) => fetch(`${rig.sim.baseUrl}${TWILIO}/Calls.json`, {
      method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`, 'content-type': contentType }, body,
    });
    const badJson = await post('application/json', '{"To":');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ code: 20001, status: 400 });
    const nested = await post('application/json', JSON.stringify({ ...valid(), To: { number: 1 } }));
    expect(await nested.json()).toMatchObject({ code: 20001, message: 'To must be a string' });
    const repeated = await post('application/x-www-form-urlencoded', 'To=%2B491700000040&To=%2B491700000041&From=%2B15550001111&Url=http%3A%2F%2Fx.test%2F');
    expect(await repeated.json()).toMatchObject({ code: 20001, message: 'To was given more than once' });
    const unsupported = await post('text/csv', 'To,From');
    expect(unsupported.status).toBe(415);
    expect(await unsupported.json()).toMatchObject({ code: 20001, status: 415 });
    expect((await rig.rest('POST', `${TWILIO}/Calls.json`, valid())).status).toBe(201);
    const badInspection = await rig.sim.api('/api/calls?status=exploded');
    expect(badInspection).toMatchObject({ status: 400, body: { code: 'bad_request' } });
  });

  it('answers 400 to a modify without Status or Url, or with another Status', async () => {
    const sid = (await rig.rest('POST', `${TWILIO}/Calls.json`, valid())).body['sid'] as string;
    expect((await rig.rest('POST', `${TWILIO}/Calls/${sid}.json`, {})).body).toMatchObject({ code: 20001 });
    expect((await rig.rest('POST', `${TWILIO}/Calls/${sid}.json`, { Status: 'ringing' })).body).toMatchObject({ code: 20001 });
  });

  it('lists calls newest first, filtered, with paging URIs that keep the filter', async () => {
    const sids: string[] = [];
    for (let i = 0; i < 3; i++) sids.push((await rig.rest('POST', `${RESTCOMM}/Calls.json`, valid())).body['sid'] as string);
    await rig.rest('POST', `${RESTCOMM}/Calls.json`, { ...valid(), To: '+491700000041' });
    const first = await rig.rest('GET', `${RESTCOMM}/Calls.json?To=%2B491700000040&PageSize=2`);
    expect(first.status).toBe(200);
    expect((first.body['calls'] as { sid: string }[]).map((c) => c.sid)).toEqual([sids[2], sids[1]]);
    expect(first.body).toMatchObject({ page: 0, page_size: 2, total: 3, num_pages: 2, start: 0, end: 1, previous_page_uri: null });
    const next = await rig.rest('GET', first.body['next_page_uri'] as string);
    expect((next.body['calls'] as { sid: string }[]).map((c) => c.sid)).toEqual([sids[0]]);
    expect(next.body['next_page_uri']).toBeNull();
    const bad = await rig.rest('GET', `${RESTCOMM}/Calls.json?PageSize=5000`);
    expect(bad).toMatchObject({ status: 400, body: { code: 20001 } });
  });
});

describe('the official twilio client pointed at the simulator', () => {
  it('creates, fetches and cancels a call, and lists messages it sent', async () => {
    const client = twilio(credentials.accountSid, credentials.authToken);
    client.api.baseUrl = rig.sim.baseUrl;
    const handset = await rig.handset('+491700000042');
    const call = await client.calls.create({ from: '+15550001111', to: '+491700000042', url: rig.app.url('/rcml'), statusCallbackEvent: ['initiated', 'completed'], statusCallback: rig.app.url('/status') });
    expect(call.sid).toMatch(/^CA/);
    expect(call.status).toBe('queued');
    await handset.waitForFrames('call.incoming');
    const canceled = await client.calls(call.sid).update({ status: 'canceled' });
    expect(canceled.status).toBe('canceled');
    const fetched = await client.calls(call.sid).fetch();
    expect(fetched.status).toBe('canceled');
    expect(fetched.endTime).toBeInstanceOf(Date);

    const message = await client.messages.create({ from: '+15550001111', to: '+491700000042', body: 'hello from the SDK' });
    expect(message.status).toBe('queued');
    const [sms] = await handset.waitForFrames('sms');
    expect(sms).toMatchObject({ from: '+15550001111', text: 'hello from the SDK' });
    const listed = await client.messages.list({ to: '+491700000042' });
    expect(listed.map((m) => m.sid)).toEqual([message.sid]);
    await expect(client.calls.create({ from: '+15550001111', to: 'nobody', url: rig.app.url('/rcml') })).rejects.toMatchObject({ status: 400, code: 21211 });
  });
});

describe("the gateway's own REST client pointed at the simulator", () => {
  for (const base of ['/restcomm/2012-04-24', '/2010-04-01']) {
    it(`places, fetches and cancels a call and sends an SMS on ${base}`, async () => {
      const client = new VoiceApiClient(parseVoiceApiUrl(`http://${credentials.accountSid}:${credentials.authToken}@127.0.0.1:${rig.sim.httpPort}${base}`));
      const handset = await rig.handset('+491700000060');
      const { callSid } = await client.placeCall({ from: '+15550001111', to: '+491700000060', url: rig.app.url('/rcml'), timeoutSeconds: 20, statusCallbackEvents: ['ringing'] });
      await handset.waitForFrames('call.incoming');
      expect((await client.fetchCall(callSid)).status).toBe('ringing');
      expect((await client.cancelCall(callSid)).status).toBe('canceled');
      const sent = await client.send({ to: '+491700000060', from: '+15550001111', text: 'via the gateway' } as Parameters<VoiceApiClient['send']>[0]);
      expect(sent.messageIds[0]).toMatch(/^SM/);
      await handset.waitForFrames('sms');
      await expect(client.fetchCall(`CA${'00'.repeat(16)}`)).rejects.toMatchObject({ status: 404, apiCode: 20404 });
    });
  }
});

describe('the SMS resources', () => {
  it('sends through the message center to the handset and reports sent then delivered to a signed StatusCallback (Restcomm path)', async () => {
    rig.app.on('/sms-status', '');
    const handset = await rig.handset('+491700000043');
    const created = await rig.rest('POST', `${RESTCOMM}/SMS/Messages.json`, { From: '+15550001111', To: '+491700000043', Body: 'Your code is 123456', StatusCallback: rig.app.url('/sms-status') });
    expect(created.status).toBe(201);
    const sid = created.body['sid'] as string;
    expect(created.body).toMatchObject({ status: 'queued', body: 'Your code is 123456', num_segments: '1', direction: 'outbound-api', api_version: '2012-04-24' });
    expect(created.body['uri']).toBe(`${RESTCOMM}/SMS/Messages/${sid}.json`);
    const [sms] = await handset.waitForFrames('sms');
    expect(sms).toMatchObject({ id: sid, text: 'Your code is 123456' });
    const callbacks = await rig.app.waitFor('/sms-status', 2);
    expect(callbacks.map((c) => c.params['MessageStatus'])).toEqual(['sent', 'delivered']);
    expect(callbacks.every((c) => c.signed && c.params['MessageSid'] === sid && c.params['SmsSid'] === sid)).toBe(true);
    const fetched = await rig.rest('GET', `${RESTCOMM}/SMS/Messages/${sid}.json`);
    expect(fetched.body).toMatchObject({ sid, status: 'delivered', error_code: null });
    // The same store as SMPP submissions.
    const stored = await rig.sim.api(`/api/messages/${sid}`);
    expect(stored.body).toMatchObject({ id: sid, text: 'Your code is 123456', to: '+491700000043' });
  });

  it('follows the number\'s behaviour: undelivered with an error code, or refused at submit (Twilio path)', async () => {
    rig.app.on('/sms-status', '');
    await rig.sim.api('/api/behaviours/+491700000044', { method: 'PUT', body: { sms: 'absent' } });
    await rig.sim.api('/api/behaviours/+491700000045', { method: 'PUT', body: { sms: 'rejected' } });
    await rig.sim.api('/api/behaviours/+491700000046', { method: 'PUT', body: { sms: 'throttled' } });
    const created = await rig.rest('POST', `${TWILIO}/Messages.json`, { From: 'Verigate', To: '+491700000044', Body: 'x', StatusCallback: rig.app.url('/sms-status') });
    expect(created.status).toBe(201);
    const callbacks = await rig.app.waitFor('/sms-status', 2);
    expect(callbacks.map((c) => [c.params['MessageStatus'], c.params['ErrorCode']])).toEqual([['sent', undefined], ['undelivered', '30003']]);
    expect((await rig.rest('GET', `${TWILIO}/Messages/${created.body['sid'] as string}.json`)).body).toMatchObject({ status: 'undelivered', error_code: 30003 });
    expect(await rig.rest('POST', `${TWILIO}/Messages.json`, { From: 'Verigate', To: '+491700000045', Body: 'x' })).toMatchObject({ status: 400, body: { code: 21211 } });
    expect(await rig.rest('POST', `${TWILIO}/Messages.json`, { From: 'Verigate', To: '+491700000046', Body: 'x' })).toMatchObject({ status: 429, body: { code: 20429 } });
  });

  it('refuses a message without Body, To or From, or with a body over 1600 characters', async () => {
    const base = { From: '+15550001111', To: '+491700000047', Body: 'x' };
    expect((await rig.rest('POST', `${TWILIO}/Messages.json`, { ...base, Body: '' })).body).toMatchObject({ code: 21602 });
    expect((await rig.rest('POST', `${TWILIO}/Messages.json`, { From: base.From, Body: 'x' })).body).toMatchObject({ code: 21604 });
    expect((await rig.rest('POST', `${TWILIO}/Messages.json`, { To: base.To, Body: 'x' })).body).toMatchObject({ code: 21603 });
    expect((await rig.rest('POST', `${TWILIO}/Messages.json`, { ...base, From: 'This sender is far too long' })).body).toMatchObject({ code: 21212 });
    expect((await rig.rest('POST', `${TWILIO}/Messages.json`, { ...base, Body: 'x'.repeat(1601) })).body).toMatchObject({ code: 21617 });
    expect((await rig.rest('GET', `${TWILIO}/Messages/SM${'00'.repeat(16)}.json`)).status).toBe(404);
  });
});

describe('Dial and Sms verbs', () => {
  it('rings the dialled handset as a child leg and posts DialCallStatus to the action', async () => {
    rig.app.on('/rcml', rcml('<Say>Connecting</Say><Dial action="/dialed" timeout="20"><Number>+491700000049</Number></Dial>'));
    rig.app.on('/dialed', rcml('<Sms to="+491700000048">Thanks for calling</Sms><Hangup/>'));
    const caller = await rig.handset('+491700000048');
    const callee = await rig.handset('+491700000049');
    const sid = (await rig.rest('POST', `${TWILIO}/Calls.json`, { From: '+15550001111', To: '+491700000048', Url: rig.app.url('/rcml') })).body['sid'] as string;
    await caller.waitForFrames('call.incoming');
    caller.send({ type: 'call.answer', callSid: sid });
    const [incoming] = await callee.waitForFrames('call.incoming');
    const childSid = incoming!['callSid'] as string;
    expect(incoming).toMatchObject({ from: '+15550001111', to: '+491700000049' });
    callee.send({ type: 'call.answer', callSid: childSid });
    await rig.waitForStatus(childSid, 'in-progress');
    callee.send({ type: 'call.hangup', callSid: childSid });
    const [dialed] = await rig.app.waitFor('/dialed');
    expect(dialed!.params).toMatchObject({ DialCallSid: childSid, DialCallStatus: 'completed', CallSid: sid });
    expect(dialed!.signed).toBe(true);
    const [sms] = await caller.waitForFrames('sms');
    expect(sms).toMatchObject({ text: 'Thanks for calling', from: '+15550001111' });
    await rig.waitForStatus(sid, 'completed');
    const child = await rig.rest('GET', `${TWILIO}/Calls/${childSid}.json`);
    expect(child.body).toMatchObject({ parent_call_sid: sid, direction: 'outbound-dial', status: 'completed' });
    const transcript = (await rig.call(sid))['transcript'] as { kind: string }[];
    expect(transcript.map((t) => t.kind)).toEqual(['say', 'dial', 'sms']);
  });

  it('reports busy to the Dial action when the dialled handset rejects, then continues', async () => {
    rig.app.on('/rcml', rcml('<Dial action="/dialed"><Number>+491700000051</Number></Dial>'));
    rig.app.on('/dialed', (r) => rcml(`<Say>Dial said ${r.params['DialCallStatus']}</Say>`));
    await rig.sim.api('/api/behaviours/+491700000050', { method: 'PUT', body: { voice: 'answer' } });
    await rig.sim.api('/api/behaviours/+491700000051', { method: 'PUT', body: { voice: 'busy' } });
    const sid = (await rig.rest('POST', `${TWILIO}/Calls.json`, { From: '+15550001111', To: '+491700000050', Url: rig.app.url('/rcml') })).body['sid'] as string;
    await rig.waitForStatus(sid, 'completed');
    expect((await rig.call(sid))['transcript']).toEqual([
      expect.objectContaining({ kind: 'dial', number: '+491700000051', status: 'busy' }),
      expect.objectContaining({ kind: 'say', text: 'Dial said busy' }),
    ]);
  });
});
