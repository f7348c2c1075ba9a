// The Verify v2 surface beyond services, verifications and checks, driven by the official twilio client:
// API keys, programmable rate limits, attempts and their summary, the safe list, templates, messaging
// configurations, webhooks (signed deliveries) and TOTP factors and challenges.
import { createHash } from 'node:crypto';
import http from 'node:http';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validTwilioSignature } from '../../../gateway/webhooks/twilio-signature';
import { totpCode } from '../../../verifier/totp';
import { DEFAULT_ABUSE_SETTINGS } from '../../../verifier/abuse/abuse-policy';
import { startStack, authHeader, credentials, type RunningStack } from '../../support/stack-harness';
import { TestHandset } from '../../support/handset';
import { waitFor } from '../../support/wait-for';

let stack: RunningStack;
beforeAll(async () => { stack = await startStack(); });
afterAll(async () => { await stack.stop(); });

function client(user = credentials.accountSid, secret = credentials.authToken) {
  const c = twilio(user, secret, { accountSid: credentials.accountSid });
  c.verify.baseUrl = stack.verifyUrl;
  c.api.baseUrl = stack.verifyUrl;
  return c;
}

const restError = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as { status: number; code: number; message: string };
  }
  throw new Error('expected the call to fail');
};

describe('API keys', () => {
  it('creates an SK key whose secret works on every Verify route, lists and renames it, and refuses it once deleted (20003)', async () => {
    const account = client();
    const key = await account.newKeys.create({ friendlyName: 'ci' });
    expect(key.sid).toMatch(/^SK[0-9a-f]{32}$/);
    expect(key.secret.length).toBeGreaterThanOrEqual(32);

    const withKey = client(key.sid, key.secret);
    const service = await withKey.verify.v2.services.create({ friendlyName: 'Keyed' });
    expect((await withKey.verify.v2.services(service.sid).fetch()).sid).toBe(service.sid);
    expect((await account.keys.list()).map((k) => k.sid)).toContain(key.sid);
    expect((await account.keys(key.sid).update({ friendlyName: 'renamed' })).friendlyName).toBe('renamed');

    // A key cannot manage keys, and a wrong secret is refused.
    expect((await restError(withKey.newKeys.create({}))).status).toBe(401);
    expect((await restError(client(key.sid, 'wrong').verify.v2.services(service.sid).fetch())).code).toBe(20003);

    // Stored hashed: the key's row holds the SHA-256 of the secret, never the secret.
    const stored = await stack.verifier.storage.apiKeys.secretHash(credentials.accountSid, key.sid);
    expect(stored).toBe(createHash('sha256').update(key.secret).digest('hex'));
    expect(JSON.stringify(await stack.verifier.storage.apiKeys.get(credentials.accountSid, key.sid))).not.toContain(key.secret);

    await account.keys(key.sid).remove();
    const refused = await restError(withKey.verify.v2.services(service.sid).fetch());
    expect(refused).toMatchObject({ status: 401, code: 20003 });
  });
});

describe('programmable rate limits', () => {
  it('creates rate limits and buckets with Twilio\'s errors, and meters starts by the RateLimits parameter, atomically', async () => {
    const verify = client().verify.v2;
    const service = await verify.services.create({ friendlyName: 'Limited' });
    const limit = await verify.services(service.sid).rateLimits.create({ uniqueName: 'end_user_ip', description: 'per IP' });
    expect(limit.sid).toMatch(/^RK[0-9a-f]{32}$/);
    expect((await restError(verify.services(service.sid).rateLimits.create({ uniqueName: 'end_user_ip' }))).code).toBe(60208);
    expect((await restError(verify.services(service.sid).rateLimits.create({ uniqueName: 'bad name!' }))).code).toBe(60209);
    const bucket = await verify.services(service.sid).rateLimits(limit.sid).buckets.create({ max: 3, interval: 60 });
    expect(bucket).toMatchObject({ max: 3, interval: 60 });
    expect((await restError(verify.services(service.sid).rateLimits(limit.sid).buckets.create({ max: 9, interval: 60 }))).code).toBe(60211);
    expect((await verify.services(service.sid).rateLimits(limit.sid).buckets.list()).map((b) => b.sid)).toEqual([bucket.sid]);

    // Ten concurrent starts from one IP, to ten numbers: exactly three pass.
    const starts = await Promise.allSettled(Array.from({ length: 10 }, (_, i) =>
      verify.services(service.sid).verifications.create({ to: `+4915112350${String(i).padStart(3, '0')}`, channel: 'sms', rateLimits: { end_user_ip: '203.0.113.7' } })));
    expect(starts.filter((s) => s.status === 'fulfilled')).toHaveLength(3);
    const refusals = starts.flatMap((s) => (s.status === 'rejected' ? [s.reason as { status: number; code: number }] : []));
    expect(refusals.every((e) => e.status === 429 && e.code === 60203)).toBe(true);
    // Another IP has its own counter.
    await verify.services(service.sid).verifications.create({ to: '+4915112350999', channel: 'sms', rateLimits: { end_user_ip: '198.51.100.1' } });

    expect((await verify.services(service.sid).rateLimits(limit.sid).buckets(bucket.sid).update({ max: 5 })).max).toBe(5);
    await verify.services(service.sid).rateLimits(limit.sid).remove();
    expect((await restError(verify.services(service.sid).rateLimits(limit.sid).fetch())).code).toBe(20404);
  });
});

describe('attempts, safe list, templates, messaging configurations', () => {
  it('lists attempts with filters, fetches one, and summarises conversion', async () => {
    const verify = client().verify.v2;
    const service = await verify.services.create({ friendlyName: 'Reported' });
    const phone = await TestHandset.connect(stack.sim.wsUrl('+4915112351001'), { authorization: authHeader });
    const started = await verify.services(service.sid).verifications.create({ to: '+4915112351001', channel: 'sms' });
    await verify.services(service.sid).verifications.create({ to: '+4915112351002', channel: 'sms' });
    const code = /(\d{6})$/.exec(String((await phone.waitForFrames('sms'))[0]!['text']))![1]!;
    await verify.services(service.sid).verificationChecks.create({ verificationSid: started.sid, code });

    const attempts = await verify.verificationAttempts.list({ verifyServiceSid: service.sid });
    expect(attempts).toHaveLength(2);
    const converted = await verify.verificationAttempts.list({ verifyServiceSid: service.sid, status: 'converted' });
    expect(converted.map((a) => a.verificationSid)).toEqual([started.sid]);
    expect(await verify.verificationAttempts.list({ verifyServiceSid: service.sid, country: 'FR' })).toHaveLength(0);
    const one = await verify.verificationAttempts(started.sendCodeAttempts[0]!.attempt_sid as string).fetch();
    expect(one).toMatchObject({ verificationSid: started.sid, conversionStatus: 'converted', channel: 'sms' });
    const summary = await verify.verificationAttemptsSummary().fetch({ verifyServiceSid: service.sid });
    expect(summary).toMatchObject({ totalAttempts: 2, totalConverted: 1, totalUnconverted: 1, conversionRatePercentage: '50' });
    phone.close();
  });

  it('keeps a safe list, lists templates, and stores messaging configurations with Twilio\'s conflict code', async () => {
    const verify = client().verify.v2;
    const entry = await verify.safelist.create({ phoneNumber: '+4915112352000' });
    expect(entry).toMatchObject({ phoneNumber: '+4915112352000' });
    expect((await verify.safelist('+4915112352000').fetch()).sid).toBe(entry.sid);
    await verify.safelist('+4915112352000').remove();
    expect((await restError(verify.safelist('+4915112352000').fetch())).code).toBe(20404);

    const templates = await verify.templates.list();
    expect(templates.length).toBeGreaterThan(0);
    expect(JSON.stringify(templates[0]!.translations)).toContain('{{code}}');

    const service = await verify.services.create({ friendlyName: 'Configured' });
    const mg = 'MG' + 'a'.repeat(32);
    const config = await verify.services(service.sid).messagingConfigurations.create({ country: 'de', messagingServiceSid: mg });
    expect(config).toMatchObject({ country: 'DE', messagingServiceSid: mg });
    expect((await restError(verify.services(service.sid).messagingConfigurations.create({ country: 'DE', messagingServiceSid: mg }))).code).toBe(60213);
    expect((await verify.services(service.sid).messagingConfigurations('DE').update({ messagingServiceSid: 'MG' + 'b'.repeat(32) })).messagingServiceSid).toBe('MG' + 'b'.repeat(32));
    await verify.services(service.sid).messagingConfigurations('DE').remove();
    expect(await verify.services(service.sid).messagingConfigurations.list()).toHaveLength(0);
  });

  it('answers push, passkeys and forms with 60204 and a reason', async () => {
    const verify = client().verify.v2;
    const service = await verify.services.create({ friendlyName: 'Pushless' });
    const refused = await restError(verify.services(service.sid).accessTokens.create({ identity: 'user-0001', factorType: 'push' }));
    expect(refused).toMatchObject({ status: 400, code: 60204 });
    expect((await restError(verify.forms('form-push').fetch())).code).toBe(60204);
  });
});

describe('webhooks and TOTP', () => {
  it('binds a TOTP factor, verifies it, approves a challenge, and posts signed events to a subscribed webhook', async () => {
    const received: { body: URLSearchParams; signature: string | undefined; url: string }[] = [];
    const sink = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      request.on('end', () => {
        received.push({ body: new URLSearchParams(body), signature: request.headers['x-twilio-signature'] as string | undefined, url: `http://127.0.0.1:${(sink.address() as { port: number }).port}${request.url}` });
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    try {
      const verify = client().verify.v2;
      const service = await verify.services.create({ friendlyName: 'Authenticator' });
      const hook = await verify.services(service.sid).webhooks.create({
        friendlyName: 'events', eventTypes: ['factor.verified', 'challenge.approved'], webhookUrl: `http://127.0.0.1:${(sink.address() as { port: number }).port}/verify-events`,
      });
      expect(hook).toMatchObject({ status: 'enabled', version: 'v2', eventTypes: ['factor.verified', 'challenge.approved'] });

      const entity = verify.services(service.sid).entities('user-00000042');
      const factor = await entity.newFactors.create({ friendlyName: 'phone app', factorType: 'totp' });
      expect(factor.status).toBe('unverified');
      const secret = (factor.binding as { secret: string; uri: string }).secret;
      expect((factor.binding as { uri: string }).uri).toMatch(/^otpauth:\/\/totp\//);
      // The seed is sealed at rest.
      const stored = await stack.verifier.storage.totp.factor(factor.entitySid, factor.sid);
      expect(stored?.secretSealed).toMatch(/^[\w-]{40,}$/);
      expect(JSON.stringify(stored)).not.toContain(secret);
      const config = { timeStep: 30, skew: 1, codeLength: 6, alg: 'sha1' as const };

      const wrong = await entity.factors(factor.sid).update({ authPayload: totpCode(secret, config, Date.now()) === '000000' ? '111111' : '000000' });
      expect(wrong.status).toBe('unverified');
      const verified = await entity.factors(factor.sid).update({ authPayload: totpCode(secret, config, Date.now()) });
      expect(verified.status).toBe('verified');

      const challenge = await entity.challenges.create({ factorSid: factor.sid, authPayload: totpCode(secret, config, Date.now()) });
      expect(challenge.status).toBe('approved');
      const pending = await entity.challenges.create({ factorSid: factor.sid });
      expect(pending.status).toBe('pending');
      // Five wrong answers, then 60308, and the right code no longer approves it.
      for (let i = 0; i < 5; i++) await entity.challenges(pending.sid).update({ authPayload: '000000' === totpCode(secret, config, Date.now()) ? '111111' : '000000' });
      expect((await restError(entity.challenges(pending.sid).update({ authPayload: totpCode(secret, config, Date.now()) }))).code).toBe(60308);
      expect((await entity.challenges(pending.sid).fetch()).status).toBe('pending');
      expect((await entity.challenges.list({ status: 'approved' })).map((c) => c.sid)).toEqual([challenge.sid]);

      const events = await waitFor('two webhook deliveries', () => received.length >= 2 && received, 10_000);
      expect(events.map((e) => e.body.get('type')).sort()).toEqual(['challenge.approved', 'factor.verified']);
      for (const event of events) {
        const params = Object.fromEntries(event.body.entries());
        expect(validTwilioSignature(credentials.authToken, event.signature, event.url, params)).toBe(true);
        expect(JSON.stringify(params)).not.toContain(secret);
      }
      expect((await restError(entity.newFactors.create({ friendlyName: 'push', factorType: 'push' }))).code).toBe(60204);
      await entity.factors(factor.sid).remove();
      expect(await entity.factors.list()).toHaveLength(0);
    } finally {
      await new Promise((resolve) => sink.close(resolve));
    }
  });
});

describe('the safe list and the fraud guard', () => {
  it('lets a safe-listed number through a prefix the fraud guard blocked', async () => {
    const guarded = await startStack({ abuse: { fraudGuard: { ...DEFAULT_ABUSE_SETTINGS.fraudGuard, minStarts: 3 } } });
    try {
      const c = twilio(credentials.accountSid, credentials.authToken);
      c.verify.baseUrl = guarded.verifyUrl;
      const verify = c.verify.v2;
      const service = await verify.services.create({ friendlyName: 'Guarded' });
      for (let i = 0; i < 3; i++) await verify.services(service.sid).verifications.create({ to: `+4915112360${String(i).padStart(3, '0')}`, channel: 'sms' });
      expect((await restError(verify.services(service.sid).verifications.create({ to: '+4915112360100', channel: 'sms' }))).code).toBe(60410);
      await verify.safelist.create({ phoneNumber: '+4915112360200' });
      expect((await verify.services(service.sid).verifications.create({ to: '+4915112360200', channel: 'sms' })).status).toBe('pending');
      expect((await restError(verify.services(service.sid).verifications.create({ to: '+4915112360300', channel: 'sms' }))).code).toBe(60410);
    } finally {
      await guarded.stop();
    }
  });
});
