import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { validTwilioSignature } from '../../../gateway/webhooks/twilio-signature';
import { startStack, authHeader, credentials, type RunningStack } from '../../support/stack-harness';
import { TestHandset } from '../../support/handset';
import { ManualClock } from '../../support/manual-clock';
import { waitFor } from '../../support/wait-for';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function stackWithService(form: Record<string, string> = {}, options = {}): Promise<{ stack: RunningStack; sid: string }> {
  const stack = await startStack(options);
  cleanups.push(() => stack.stop());
  const sid = String((await stack.verify('/v2/Services', { FriendlyName: 'Acme', ...form })).body['sid']);
  return { stack, sid };
}

async function handset(stack: RunningStack, number: string): Promise<TestHandset> {
  const h = await TestHandset.connect(stack.sim.wsUrl(number), { authorization: authHeader });
  cleanups.push(() => h.close());
  return h;
}

const codeIn = (text: unknown, length = 6) => new RegExp(`(\\d{${length}})`).exec(String(text))![1]!;

describe('SMS verification', () => {
  it('sends "Ihr Bestätigungscode für Acme lautet: NNNNNN" to a German number (the language of its country, as on Twilio), keeps it pending on a wrong code, approves the right one', async () => {
    const { stack, sid } = await stackWithService();
    const phone = await handset(stack, '+4915112340001');
    const started = await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112340001', Channel: 'sms' });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: 'pending', valid: false, channel: 'sms', to: '+4915112340001' });
    const [sms] = await phone.waitForFrames('sms');
    expect(sms!['text']).toMatch(/^Ihr Bestätigungscode für Acme lautet: \d{6}$/);
    const code = codeIn(sms!['text']);
    const wrong = await stack.verify(`/v2/Services/${sid}/VerificationCheck`, { To: '+4915112340001', Code: code === '000000' ? '111111' : '000000' });
    expect(wrong).toMatchObject({ status: 200, body: { status: 'pending', valid: false } });
    const right = await stack.verify(`/v2/Services/${sid}/VerificationCheck`, { VerificationSid: String(started.body['sid']), Code: code });
    expect(right).toMatchObject({ status: 200, body: { status: 'approved', valid: true, sid: started.body['sid'] } });
    // Approved is final: a second check, and a fetch, answer 404.
    expect((await stack.verify(`/v2/Services/${sid}/VerificationCheck`, { To: '+4915112340001', Code: code })).body['code']).toBe(20404);
    expect((await stack.verify(`/v2/Services/${sid}/Verifications/${started.body['sid']}`)).status).toBe(404);
  });

  it('re-sends the same code as a new attempt on a repeat start, and answers the sixth start with 429 60203', async () => {
    const { stack, sid } = await stackWithService();
    const phone = await handset(stack, '+4915112340002');
    const sids = new Set<unknown>();
    for (let i = 1; i <= 5; i++) {
      const started = await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112340002', Channel: 'sms' });
      expect(started.status).toBe(201);
      expect((started.body['send_code_attempts'] as unknown[]).length).toBe(i);
      sids.add(started.body['sid']);
    }
    expect(sids.size).toBe(1);
    const sixth = await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112340002', Channel: 'sms' });
    expect(sixth).toMatchObject({ status: 429, body: { code: 60203, status: 429 } });
    const texts = (await phone.waitForFrames('sms', 5)).map((f) => codeIn(f['text']));
    expect(new Set(texts).size).toBe(1);
  });

  it('after five wrong checks answers 429 60202, by To as by SID, and refuses the right code too', async () => {
    const { stack, sid } = await stackWithService();
    const phone = await handset(stack, '+4915112340003');
    const started = await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112340003', Channel: 'sms' });
    const code = codeIn((await phone.waitForFrames('sms'))[0]!['text']);
    const wrong = code === '999999' ? '888888' : '999999';
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await stack.verify(`/v2/Services/${sid}/VerificationCheck`, { To: '+4915112340003', Code: wrong })).body['status']);
    expect(statuses).toEqual(['pending', 'pending', 'pending', 'pending', 'max_attempts_reached']);
    const right = await stack.verify(`/v2/Services/${sid}/VerificationCheck`, { To: '+4915112340003', Code: code });
    expect(right).toMatchObject({ status: 429, body: { code: 60202 } });
    const bySid = await stack.verify(`/v2/Services/${sid}/VerificationCheck`, { VerificationSid: String(started.body['sid']), Code: code });
    expect(bySid).toMatchObject({ status: 429, body: { code: 60202 } });
  });

  it('counts at most five of 50 concurrent wrong checks', async () => {
    const { stack, sid } = await stackWithService();
    const started = await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112340004', Channel: 'sms' });
    const results = await Promise.all(Array.from({ length: 50 }, () =>
      stack.verify(`/v2/Services/${sid}/VerificationCheck`, { VerificationSid: String(started.body['sid']), Code: '0000000' })));
    const counted = results.filter((r) => r.status === 200);
    expect(counted.length).toBe(5);
    expect(results.filter((r) => r.status === 429).every((r) => r.body['code'] === 60202)).toBe(true);
    const row = (await stack.verifier.storage.verifications.bySid(String(started.body['sid'])))!;
    expect(row.checks).toBe(5);
  });

  it('expires a pending verification after the service TTL: check and fetch answer 404 20404', async () => {
    const clock = new ManualClock(Date.now());
    const { stack, sid } = await stackWithService({ VerificationTtl: '120' }, { clock });
    const started = await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112340005', Channel: 'sms' });
    clock.advance(119_000);
    expect((await stack.verify(`/v2/Services/${sid}/Verifications/${started.body['sid']}`)).status).toBe(200);
    clock.advance(1_000);
    expect(await stack.verify(`/v2/Services/${sid}/VerificationCheck`, { To: '+4915112340005', Code: '123456' })).toMatchObject({ status: 404, body: { code: 20404 } });
    expect((await stack.verify(`/v2/Services/${sid}/Verifications/${started.body['sid']}`)).status).toBe(404);
  });

  it('fetches and cancels a pending verification by its To number, as Twilio allows', async () => {
    const { stack, sid } = await stackWithService();
    const started = await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112340010', Channel: 'sms' });
    const byNumber = await stack.verify(`/v2/Services/${sid}/Verifications/${encodeURIComponent('+4915112340010')}`);
    expect(byNumber).toMatchObject({ status: 200, body: { sid: started.body['sid'], status: 'pending' } });
    const canceled = await stack.verify(`/v2/Services/${sid}/Verifications/${encodeURIComponent('+4915112340010')}`, { Status: 'canceled' });
    expect(canceled.body).toMatchObject({ sid: started.body['sid'], status: 'canceled' });
    expect((await stack.verify(`/v2/Services/${sid}/Verifications/${encodeURIComponent('+4915112340010')}`)).status).toBe(404);
  });

  it('cancels a pending verification; a check then answers 404', async () => {
    const { stack, sid } = await stackWithService();
    const started = await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112340006', Channel: 'sms' });
    const canceled = await stack.verify(`/v2/Services/${sid}/Verifications/${started.body['sid']}`, { Status: 'canceled' });
    expect(canceled).toMatchObject({ status: 200, body: { status: 'canceled' } });
    expect((await stack.verify(`/v2/Services/${sid}/VerificationCheck`, { To: '+4915112340006', Code: '123456' })).status).toBe(404);
    expect((await stack.verify(`/v2/Services/${sid}/Verifications/${started.body['sid']}`, { Status: 'paused' })).body['code']).toBe(60200);
  });

  it('writes Russian in UCS-2, puts PSD2 amount and payee in the message, adds the do-not-share warning, uses CustomFriendlyName', async () => {
    const { stack, sid } = await stackWithService({ Psd2Enabled: 'true', DoNotShareWarningEnabled: 'true' });
    const phone = await handset(stack, '+79161234567');
    expect((await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+79161234567', Channel: 'sms', Locale: 'ru' })).body['code']).toBe(60200);
    await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+79161234567', Channel: 'sms', Locale: 'ru', Amount: '€12.50', Payee: 'Shop', CustomFriendlyName: 'Банк' });
    const [sms] = await phone.waitForFrames('sms');
    expect(sms!['text']).toMatch(/^Ваш код подтверждения Банк: \d{6}\. Он подтверждает платёж €12\.50 получателю Shop\. Никому не сообщайте этот код\.$/);
    const { body } = await stack.sim.api('/api/messages?to=%2B79161234567');
    expect((body as { messages: { dataCoding: number }[] }).messages[0]!.dataCoding).toBe(8);
    const code = codeIn(sms!['text']);
    expect((await stack.verify(`/v2/Services/${sid}/VerificationCheck`, { To: '+79161234567', Code: code, Amount: '€1', Payee: 'Shop' })).body['status']).toBe('pending');
    expect((await stack.verify(`/v2/Services/${sid}/VerificationCheck`, { To: '+79161234567', Code: code, Amount: '€12.50', Payee: 'Shop' })).body['status']).toBe('approved');
  });

  it('records each attempt\'s delivery from SMPP receipts and posts signed events to the service StatusCallback', async () => {
    const events: Record<string, string>[] = [];
    let valid = true;
    const hook = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const params = Object.fromEntries(new URLSearchParams(raw));
        valid &&= validTwilioSignature(credentials.authToken, req.headers['x-twilio-signature'] as string, `http://127.0.0.1:${(hook.address() as { port: number }).port}/events`, params);
        events.push(params);
        res.end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => hook.close(resolve)));
    const { stack, sid } = await stackWithService({ StatusCallback: `http://127.0.0.1:${(hook.address() as { port: number }).port}/events` });
    await stack.sim.api('/api/behaviours/4915112340008', { method: 'PUT', body: { sms: 'undeliverable' } });
    const phone = await handset(stack, '+4915112340007');
    const delivered = await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112340007', Channel: 'sms' });
    const undelivered = await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112340008', Channel: 'sms' });
    const code = codeIn((await phone.waitForFrames('sms'))[0]!['text']);
    await waitFor('delivery events', () => events.filter((e) => e['EventType'] === 'attempt.delivery' && ['delivered', 'undelivered'].includes(e['DeliveryStatus']!)).length === 2);
    await stack.verify(`/v2/Services/${sid}/VerificationCheck`, { To: '+4915112340007', Code: code });
    await waitFor('the approval event', () => events.some((e) => e['EventType'] === 'verification.approved'));
    expect(valid).toBe(true);
    const delivery = Object.fromEntries(events.filter((e) => e['EventType'] === 'attempt.delivery' && e['DeliveryStatus'] !== 'sent').map((e) => [e['To'], e['DeliveryStatus']]));
    expect(delivery).toEqual({ '+4915112340007': 'delivered', '+4915112340008': 'undelivered' });
    expect(events.some((e) => e['EventType'] === 'verification.pending' && e['To'] === '+4915112340007')).toBe(true);
    expect(JSON.stringify(events)).not.toContain(code);
    const attempts = await Promise.all([delivered, undelivered].map((started) => stack.verifier.storage.attempts.of(String(started.body['sid']))));
    expect(attempts.map((of) => of.map((a) => [a.to, a.deliveryStatus]))).toEqual([[['+4915112340007', 'delivered']], [['+4915112340008', 'undelivered']]]);
  });
});
