import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICE_SETTINGS } from '../../../verifier/service-settings';
import { authHeader, credentials } from '../../support/stack-harness';
import { twilioStack } from '../../support/twilio-stack';

const env = twilioStack();
const { verify, handset } = env;

/** A POST with a raw body and exactly the headers given (no Content-Type unless set). */
async function rawPost(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${env.stack.verifyUrl}${path}`, { method: 'POST', headers: { authorization: authHeader, ...headers }, body: new TextEncoder().encode(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Resolves with the next MO message the verifier's gateway reads: the barrier after a handset texts. */
function nextMo(): Promise<{ from: string; text: string }> {
  return new Promise((resolve) => env.stack.verifier.gateway.once('mo', resolve));
}

describe('what a migrating app hits first', () => {
  it('lets a test suite reuse one number: approving or canceling ends the send limit of that verification', async () => {
    const service = await verify().services.create({ friendlyName: 'CI suite' });
    for (let round = 0; round < 4; round++) {
      let sid = '';
      for (let send = 0; send < 5; send++) sid = (await verify().services(service.sid).verifications.create({ to: '+4915112380001', channel: 'sms' })).sid;
      expect(await verify().services(service.sid).verifications.create({ to: '+4915112380001', channel: 'sms' }).catch((e: unknown) => e)).toMatchObject({ status: 429, code: 60203 });
      expect((await verify().services(service.sid).verifications(sid).update({ status: round % 2 ? 'approved' : 'canceled' })).status).not.toBe('pending');
    }
  });

  it('answers the sixth check by To with 429 60202', async () => {
    const service = await verify().services.create({ friendlyName: 'Checks' });
    await verify().services(service.sid).verifications.create({ to: '+4915112380002', channel: 'sms' });
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await verify().services(service.sid).verificationChecks.create({ to: '+4915112380002', code: '0000000' })).status);
    expect(statuses).toEqual(['pending', 'pending', 'pending', 'pending', 'max_attempts_reached']);
    expect(await verify().services(service.sid).verificationChecks.create({ to: '+4915112380002', code: '0000000' }).catch((e: unknown) => e)).toMatchObject({ status: 429, code: 60202 });
  });

  it('re-sends the code of the pending verification after the service\'s CodeLength changed, and it verifies', async () => {
    const phone = await handset('+4915112380003');
    const service = await verify().services.create({ friendlyName: 'Lengths', codeLength: 6 });
    await verify().services(service.sid).verifications.create({ to: '+4915112380003', channel: 'sms' });
    await verify().services(service.sid).update({ codeLength: 8 });
    await verify().services(service.sid).verifications.create({ to: '+4915112380003', channel: 'sms' });
    const texts = (await phone.waitForFrames('sms', 2)).map((f) => String(f['text']));
    const codes = texts.map((text) => /: (\d+)$/.exec(text)![1]!);
    expect(codes[0]).toHaveLength(6);
    expect(codes[1]).toBe(codes[0]);
    expect((await verify().services(service.sid).verificationChecks.create({ to: '+4915112380003', code: codes[1]! })).status).toBe('approved');
  });

  it('accepts True and False as older SDKs send them, and a form body without a Content-Type', async () => {
    const created = await rawPost('/v2/Services', 'FriendlyName=Legacy&Psd2Enabled=True&DoNotShareWarningEnabled=False&CustomCodeEnabled=TRUE', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(created).toMatchObject({ status: 201, body: { psd2_enabled: true, do_not_share_warning_enabled: false, custom_code_enabled: true } });
    expect(await rawPost('/v2/Services', 'FriendlyName=Legacy&Psd2Enabled=maybe', { 'content-type': 'application/x-www-form-urlencoded' })).toMatchObject({ status: 400, body: { code: 60200 } });

    const bare = await rawPost('/v2/Services', 'FriendlyName=No%20header&CodeLength=5');
    expect(bare).toMatchObject({ status: 201, body: { friendly_name: 'No header', code_length: 5 } });
    const started = await rawPost(`/v2/Services/${String(bare.body['sid'])}/Verifications`, `To=${encodeURIComponent('+4915112380004')}&Channel=sms`);
    expect(started).toMatchObject({ status: 201, body: { status: 'pending', to: '+4915112380004' } });
  });

  it('answers a missing required parameter with 400 20001, as Twilio does', async () => {
    const service = await verify().services.create({ friendlyName: 'Missing' });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(await rawPost(`/v2/Services/${service.sid}/Verifications`, 'Channel=sms', form)).toMatchObject({ status: 400, body: { code: 20001, message: 'Missing required parameter To in the post body' } });
    expect(await rawPost(`/v2/Services/${service.sid}/Verifications`, `To=${encodeURIComponent('+4915112380005')}`, form)).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await rawPost(`/v2/Services/${service.sid}/VerificationCheck`, `To=${encodeURIComponent('+4915112380005')}`, form)).toMatchObject({ status: 400, body: { code: 20001 } });
  });
});

describe('free text and messages that cannot be sent', () => {
  it('applies Twilio\'s lengths to free-text parameters: 400 60200 naming the parameter', async () => {
    const service = await verify().services.create({ friendlyName: 'Limits', psd2Enabled: true });
    const start = (extra: Record<string, string>) => verify().services(service.sid).verifications.create({ to: '+4915112380006', channel: 'sms', amount: '1', payee: 'Shop', ...extra }).catch((e: unknown) => e);
    for (const [field, value, name] of [['customFriendlyName', 'x'.repeat(31), 'CustomFriendlyName'], ['amount', '9'.repeat(33), 'Amount'], ['payee', 'p'.repeat(65), 'Payee'], ['locale', 'en-' + 'x'.repeat(10), 'Locale']] as const) {
      const refused = await start({ [field]: value });
      expect(refused, name).toMatchObject({ status: 400, code: 60200 });
      expect(String((refused as Error).message)).toContain(name);
    }
    expect(await verify().services.create({ friendlyName: 'n'.repeat(31) }).catch((e: unknown) => e)).toMatchObject({ status: 400, code: 60200 });
    const phone = await handset('+4915112380006');
    const started = await verify().services(service.sid).verifications.create({ to: '+4915112380006', channel: 'sms', amount: '€12.50', payee: 'p'.repeat(64), customFriendlyName: 'n'.repeat(30) });
    expect(started.status).toBe('pending');
    expect(String((await phone.waitForFrames('sms'))[0]!['text'])).toContain('n'.repeat(30));
  });

  it('refuses at start a message that would take more than 10 SMS parts, instead of answering 201 and retrying until expiry', async () => {
    // A service whose name predates the limits (written through the repository): its message cannot be sent.
    const now = Date.now();
    const sid = `VA${'ab'.repeat(16)}`;
    await env.stack.verifier.storage.services.insert({
      sid, accountSid: credentials.accountSid, friendlyName: 'Ж'.repeat(700), codeLength: 6, psd2Enabled: false, doNotShareWarningEnabled: false,
      customCodeEnabled: false, verificationTtl: 600, statusCallback: null, settings: DEFAULT_SERVICE_SETTINGS, createdAt: now, updatedAt: now,
    });
    const refused = await verify().services(sid).verifications.create({ to: '+4915112380007', channel: 'sms' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 400, code: 60200 });
    expect(String((refused as Error).message)).toMatch(/1\d SMS parts, at most 10/);
    // A call says it instead, whatever its length.
    expect((await verify().services(sid).verifications.create({ to: '+4915112380007', channel: 'call' })).status).toBe('pending');
  });
});

describe('STOP and START', () => {
  it('refuses SMS to a number that answered STOP with 21610, and sends again after START', async () => {
    const phone = await handset('+4915112380008');
    const service = await verify().services.create({ friendlyName: 'Opt out' });
    let mo = nextMo();
    phone.send({ type: 'sms.send', to: 'Verigate', text: 'Stop' });
    expect(await mo).toMatchObject({ from: '+4915112380008', text: 'Stop' });
    expect(await verify().services(service.sid).verifications.create({ to: '+4915112380008', channel: 'sms' }).catch((e: unknown) => e))
      .toMatchObject({ status: 400, code: 21610 });
    // A call is not an SMS: the opt-out does not stop it.
    expect((await verify().services(service.sid).verifications.create({ to: '+4915112380008', channel: 'call' })).status).toBe('pending');

    mo = nextMo();
    phone.send({ type: 'sms.send', to: 'Verigate', text: 'START' });
    await mo;
    expect((await verify().services(service.sid).verifications.create({ to: '+4915112380008', channel: 'sms' })).status).toBe('pending');
    await phone.waitForFrames('sms');
  });
});
