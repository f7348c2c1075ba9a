import { XMLParser } from 'fast-xml-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, authHeader, credentials, type RunningSimulator } from '../../../support/simulator-harness';

let running: RunningSimulator;
const base = `/restcomm/2012-04-24/Accounts/${credentials.accountSid}`;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false });

beforeEach(async () => {
  running = await startSimulator();
});
afterEach(async () => {
  await running.stop();
});

async function call(method: string, path: string, form?: Record<string, string>, accept?: string) {
  const response = await fetch(`${running.baseUrl}${path}`, {
    method,
    headers: { authorization: authHeader, ...(accept ? { accept } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

describe('Restcomm XML answers', () => {
  it('answers Calls without .json in <RestcommResponse> XML, and with .json (or Accept: application/json) in JSON', async () => {
    const form = { From: '+15550001111', To: '+491700000099', Url: 'http://127.0.0.1:9/rcml' };
    const xml = await call('POST', `${base}/Calls`, form);
    expect(xml.status).toBe(201);
    expect(xml.type).toMatch(/^application\/xml/);
    const created = parser.parse(xml.text) as { RestcommResponse: { Call: { Sid: string; Status: string; Direction: string; To: string } } };
    expect(created.RestcommResponse.Call).toMatchObject({ Status: 'queued', Direction: 'outbound-api', To: '+491700000099' });
    expect(created.RestcommResponse.Call.Sid).toMatch(/^CA[0-9a-f]{32}$/);

    const list = parser.parse((await call('GET', `${base}/Calls?PageSize=1`)).text) as { RestcommResponse: { Calls: Record<string, unknown> } };
    expect(list.RestcommResponse.Calls).toMatchObject({ '@page': '0', '@pagesize': '1', '@total': '1', Call: { Sid: created.RestcommResponse.Call.Sid } });

    expect(JSON.parse((await call('GET', `${base}/Calls.json`)).text)).toHaveProperty('calls');
    expect(JSON.parse((await call('GET', `${base}/Calls`, undefined, 'application/json')).text)).toHaveProperty('calls');
  });

  it('answers errors on XML paths as a RestException', async () => {
    const missing = await call('GET', `${base}/Calls/CA${'0'.repeat(32)}`);
    expect(missing.status).toBe(404);
    const parsed = parser.parse(missing.text) as { RestcommResponse: { RestException: { Code: string; Status: string } } };
    expect(parsed.RestcommResponse.RestException).toMatchObject({ Code: '20404', Status: '404' });
  });

  it('answers a call\'s Notifications in XML, each as a <Notification>', async () => {
    const form = { From: '+15550001111', To: '+491700000098', Url: 'http://127.0.0.1:9/rcml', Twiml: '<Response/>' };
    const created = JSON.parse((await call('POST', `${base}/Calls.json`, form)).text) as { sid: string };
    const xml = await call('GET', `${base}/Calls/${created.sid}/Notifications`);
    const parsed = parser.parse(xml.text) as { RestcommResponse: { Notifications: { Notification: { ErrorCode: string; Log: string } } } };
    expect(parsed.RestcommResponse.Notifications.Notification).toMatchObject({ ErrorCode: '32019', Log: '1' });
  });

  it('keeps the Twilio path JSON-only', async () => {
    const twilio = await call('GET', `/2010-04-01/Accounts/${credentials.accountSid}/Calls`);
    expect(twilio.type).toMatch(/^application\/json/);
  });
});
