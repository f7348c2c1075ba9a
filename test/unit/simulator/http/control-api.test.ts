import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, credentials, type RunningSimulator } from '../../../support/simulator-harness';
import { TestEsme } from '../../../support/esme';

let running: RunningSimulator;

beforeEach(async () => {
  running = await startSimulator();
});

afterEach(async () => {
  await running.stop();
});

describe('control API', () => {
  it('answers 401 with a Basic challenge when credentials are missing or wrong', async () => {
    const none = await fetch(`${running.baseUrl}/api/messages`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(await none.json()).toMatchObject({ code: 'unauthorized', status: 401 });
    const wrong = await fetch(`${running.baseUrl}/api/messages`, {
      headers: { authorization: `Basic ${Buffer.from(`${credentials.accountSid}:nope`).toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
  });

  it('serves /healthz without credentials', async () => {
    expect((await fetch(`${running.baseUrl}/healthz`)).status).toBe(200);
  });

  it('filters messages by to and from, counts them, and forgets them all on DELETE', async () => {
    const esme = await TestEsme.connect(running.smppPort);
    await esme.bind('transmitter');
    await esme.submit({ destination_addr: '491800000001', short_message: Buffer.from('one') });
    await esme.submit({ destination_addr: '491800000002', short_message: Buffer.from('two') });
    await esme.submit({ source_addr: '4930000', source_addr_ton: 1, destination_addr: '491800000002', short_message: Buffer.from('three') });
    const texts = async (query: string) =>
      ((await running.api(`/api/messages${query}`)).body as { messages: { text: string }[] }).messages.map((m) => m.text);
    expect(await texts('')).toEqual(['one', 'two', 'three']);
    expect(await texts('?to=491800000002')).toEqual(['two', 'three']);
    expect(await texts('?to=%2B491800000002&from=4930000')).toEqual(['three']);
    expect((await running.api('/api/messages/count')).body).toEqual({ count: 3 });
    expect((await running.api('/api/messages', { method: 'DELETE' })).status).toBe(204);
    expect(await texts('')).toEqual([]);
    expect((await running.api('/api/messages/count')).body).toEqual({ count: 0 });
    esme.close();
  });

  it('rejects bad bodies with 400 and a message naming the field', async () => {
    const noText = await running.api('/api/handsets/491800000003/sms', { method: 'POST', body: { to: '1' } });
    expect(noText.status).toBe(400);
    expect((noText.body as { message: string }).message).toMatch(/text/);
    const notJson = await fetch(`${running.baseUrl}/api/settings`, {
      method: 'PUT',
      headers: { authorization: `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`, 'content-type': 'application/json' },
      body: '{"receiptDelayMs":',
    });
    expect(notJson.status).toBe(400);
    const negative = await running.api('/api/settings', { method: 'PUT', body: { receiptDelayMs: -1 } });
    expect(negative.status).toBe(400);
    const badNumber = await running.api('/api/handsets/abc/messages');
    expect(badNumber.status).toBe(400);
  });

  it('answers unknown routes with 404 in the same error shape', async () => {
    const { status, body } = await running.api('/api/nothing-here');
    expect(status).toBe(404);
    expect(body).toMatchObject({ code: 'not_found', status: 404 });
  });
});
