import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, authHeader, credentials, type RunningStack } from '../../support/stack-harness';
import { TestHandset } from '../../support/handset';

let stack: RunningStack;
beforeAll(async () => { stack = await startStack(); });
afterAll(async () => { await stack.stop(); });

/** The official client, pointed at the verifier by changing the Verify domain's base URL. */
function client() {
  const c = twilio(credentials.accountSid, credentials.authToken);
  c.verify.baseUrl = stack.verifyUrl;
  return c;
}

describe('the official twilio npm client', () => {
  it('creates a service, starts, fetches, checks and cancels verifications', async () => {
    const verify = client().verify.v2;
    const service = await verify.services.create({ friendlyName: 'Acme', codeLength: 7 });
    expect(service.sid).toMatch(/^VA[0-9a-f]{32}$/);
    expect(service.codeLength).toBe(7);
    expect((await verify.services(service.sid).fetch()).friendlyName).toBe('Acme');
    expect((await verify.services(service.sid).update({ friendlyName: 'Acme Corp' })).friendlyName).toBe('Acme Corp');
    const listed = await verify.services.list({ limit: 20 });
    expect(listed.map((s) => s.sid)).toContain(service.sid);

    const phone = await TestHandset.connect(stack.sim.wsUrl('+4915112349999'), { authorization: authHeader });
    const started = await verify.services(service.sid).verifications.create({ to: '+4915112349999', channel: 'sms' });
    expect(started).toMatchObject({ status: 'pending', valid: false, channel: 'sms', to: '+4915112349999' });
    expect(started.sendCodeAttempts).toHaveLength(1);
    expect((await verify.services(service.sid).verifications(started.sid).fetch()).status).toBe('pending');
    const [sms] = await phone.waitForFrames('sms');
    const code = /: (\d{7})$/.exec(String(sms!['text']))![1]!;
    const wrong = await verify.services(service.sid).verificationChecks.create({ to: '+4915112349999', code: '0000000' === code ? '1111111' : '0000000' });
    expect(wrong).toMatchObject({ status: 'pending', valid: false });
    const right = await verify.services(service.sid).verificationChecks.create({ verificationSid: started.sid, code });
    expect(right).toMatchObject({ status: 'approved', valid: true });

    const second = await verify.services(service.sid).verifications.create({ to: '+4915112349999', channel: 'sms' });
    const canceled = await verify.services(service.sid).verifications(second.sid).update({ status: 'canceled' });
    expect(canceled.status).toBe('canceled');
    phone.close();
  });

  it('surfaces Verify errors as RestException with Twilio codes', async () => {
    const verify = client().verify.v2;
    const service = await verify.services.create({ friendlyName: 'Errors' });
    const error = await verify.services(service.sid).verificationChecks.create({ to: '+4915100000001', code: '123456' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404, code: 20404 });
    const bad = await verify.services(service.sid).verifications.create({ to: 'not-a-number', channel: 'sms' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, code: 60200 });
    const unauthorized = twilio(credentials.accountSid, 'wrong-token');
    unauthorized.verify.baseUrl = stack.verifyUrl;
    expect(await unauthorized.verify.v2.services.list().catch((e: unknown) => e)).toMatchObject({ status: 401, code: 20003 });
  });
});
