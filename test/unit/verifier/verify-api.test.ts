import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, authHeader, credentials, type RunningStack } from '../../support/stack-harness';

let stack: RunningStack;
beforeAll(async () => { stack = await startStack(); });
afterAll(async () => { await stack.stop(); });

const twilioError = (code: number, status: number) => ({ code, status, more_info: `https://www.twilio.com/docs/errors/${code}`, message: expect.any(String) });

describe('Verify API resources and errors', () => {
  it('answers 401 code 20003 without credentials or with a wrong token', async () => {
    const none = await fetch(`${stack.verifyUrl}/v2/Services`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual(twilioError(20003, 401));
    const wrong = await fetch(`${stack.verifyUrl}/v2/Services`, { headers: { authorization: `Basic ${Buffer.from(`${credentials.accountSid}:nope`).toString('base64')}` } });
    expect(wrong.status).toBe(401);
  });

  it('creates, fetches, updates, lists with paging and deletes services', async () => {
    const created = await stack.verify('/v2/Services', { FriendlyName: 'Acme', CodeLength: '8', Psd2Enabled: 'true' });
    expect(created.status).toBe(201);
    const sid = String(created.body['sid']);
    expect(sid).toMatch(/^VA[0-9a-f]{32}$/);
    expect(created.body).toMatchObject({ friendly_name: 'Acme', code_length: 8, psd2_enabled: true, do_not_share_warning_enabled: false, account_sid: credentials.accountSid, url: `${stack.verifyUrl}/v2/Services/${sid}` });
    expect(String(created.body['date_created'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const updated = await stack.verify(`/v2/Services/${sid}`, { FriendlyName: 'Acme Bank', DoNotShareWarningEnabled: 'true' });
    expect(updated.body).toMatchObject({ friendly_name: 'Acme Bank', do_not_share_warning_enabled: true, code_length: 8 });
    expect((await stack.verify(`/v2/Services/${sid}`)).body['friendly_name']).toBe('Acme Bank');
    for (let i = 0; i < 3; i++) await stack.verify('/v2/Services', { FriendlyName: `S${i}` });
    const page = await stack.verify('/v2/Services?PageSize=2');
    expect((page.body['services'] as unknown[]).length).toBe(2);
    expect(page.body['meta']).toMatchObject({ page: 0, page_size: 2, key: 'services', previous_page_url: null, first_page_url: `${stack.verifyUrl}/v2/Services?PageSize=2&Page=0` });
    const next = String((page.body['meta'] as { next_page_url: string }).next_page_url);
    expect(next.startsWith(`${stack.verifyUrl}/v2/Services?PageSize=2&Page=1`)).toBe(true);
    const second = await stack.verify(next.slice(stack.verifyUrl.length));
    expect((second.body['services'] as unknown[]).length).toBe(2);
    expect((await stack.verify(`/v2/Services/${sid}`, undefined, 'DELETE')).status).toBe(204);
    expect(await stack.verify(`/v2/Services/${sid}`)).toEqual({ status: 404, body: twilioError(20404, 404) });
  });

  it('answers a service without FriendlyName with 400 code 20001, as Twilio does for a missing parameter', async () => {
    const { status, body } = await stack.verify('/v2/Services', {});
    expect(status).toBe(400);
    expect(body).toEqual(twilioError(20001, 400));
    expect(String(body['message'])).toBe('Missing required parameter FriendlyName in the post body');
  });

  it.each([
    [{ FriendlyName: 'x'.repeat(31) }, /FriendlyName/],
    [{ FriendlyName: 'x', CodeLength: '3' }, /CodeLength/],
    [{ FriendlyName: 'x', CodeLength: 'six' }, /CodeLength/],
    [{ FriendlyName: 'x', StatusCallback: 'ftp://nope' }, /StatusCallback/],
  ])('refuses a bad service %j with 400 code 60200', async (form, message) => {
    const { status, body } = await stack.verify('/v2/Services', form as Record<string, string>);
    expect(status).toBe(400);
    expect(body).toEqual(twilioError(60200, 400));
    expect(String(body['message'])).toMatch(message);
  });

  it('validates verification starts and checks with Twilio codes', async () => {
    const sid = String((await stack.verify('/v2/Services', { FriendlyName: 'Acme' })).body['sid']);
    const start = (form: Record<string, string>) => stack.verify(`/v2/Services/${sid}/Verifications`, form);
    expect(await start({ To: '12345', Channel: 'sms' })).toMatchObject({ status: 400, body: { code: 60200 } });
    expect(await start({ To: '+4915112345678', Channel: 'pigeon' })).toMatchObject({ status: 400, body: { code: 60200 } });
    expect(await start({ Channel: 'sms' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await start({ To: '+4915112345678' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await start({ To: '+4915112345678', Channel: 'sms', Locale: 'xx' })).toMatchObject({ status: 400, body: { code: 60200 } });
    expect(await start({ To: '+4915112345678', Channel: 'sms', CustomCode: '1234' })).toMatchObject({ status: 400, body: { code: 60200 } });
    const check = (form: Record<string, string>) => stack.verify(`/v2/Services/${sid}/VerificationCheck`, form);
    expect(await check({ Code: '123456' })).toMatchObject({ status: 400, body: { code: 60221 } });
    expect(await check({ To: '+4915112345678' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await check({ To: '+4915100000000', Code: '123456' })).toMatchObject({ status: 404, body: { code: 20404 } });
    expect(await check({ VerificationSid: 'VE' + '0'.repeat(32), Code: '123456' })).toMatchObject({ status: 404, body: { code: 20404 } });
    expect((await stack.verify(`/v2/Services/VA${'0'.repeat(32)}/Verifications`, { To: '+4915112345678', Channel: 'sms' })).status).toBe(404);
  });

  it('serves /healthz without credentials, and /metrics, /openapi.json and /docs with them', async () => {
    expect((await fetch(`${stack.verifyUrl}/healthz`)).status).toBe(200);
    const headers = { authorization: authHeader };
    const metrics = await (await fetch(`${stack.verifyUrl}/metrics`, { headers })).text();
    expect(metrics).toContain('verigate_gateway_smpp_link_up 1');
    expect(metrics).toContain('verigate_verifications_started_total');
    const openapi = (await (await fetch(`${stack.verifyUrl}/openapi.json`, { headers })).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v2/Services', '/v2/Services/{sid}/Verifications', '/v2/Services/{sid}/VerificationCheck']));
    expect(Object.keys(openapi.paths).some((p) => p.includes('/voice/'))).toBe(false);
    const docs = await fetch(`${stack.verifyUrl}/docs/`, { headers });
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });
});
