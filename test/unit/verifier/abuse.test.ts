import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../gateway/logging/logger';
import { DEFAULT_ABUSE_SETTINGS } from '../../../verifier/abuse/abuse-policy';
import { startStack, authHeader, type RunningStack } from '../../support/stack-harness';
import { TestHandset } from '../../support/handset';

const stacks: RunningStack[] = [];
afterEach(async () => {
  for (const stack of stacks.splice(0)) await stack.stop();
});

async function stack(abuse = {}, extra = {}): Promise<{ stack: RunningStack; start: (to: string, channel?: string) => ReturnType<RunningStack['verify']> }> {
  const s = await startStack({ abuse: { ...DEFAULT_ABUSE_SETTINGS, ...abuse }, ...extra });
  stacks.push(s);
  const sid = String((await s.verify('/v2/Services', { FriendlyName: 'Acme' })).body['sid']);
  return { stack: s, start: (to, channel = 'sms') => s.verify(`/v2/Services/${sid}/Verifications`, { To: to, Channel: channel }) };
}

describe('abuse controls', () => {
  it('allows only listed countries per channel: 403 60605', async () => {
    const { start } = await stack({ allowedCountries: { sms: ['DE'] } });
    expect((await start('+4915112340001')).status).toBe(201);
    expect(await start('+33612345678')).toMatchObject({ status: 403, body: { code: 60605 } });
  });

  it('refuses blocked prefixes: 403 60410', async () => {
    const { start } = await stack({ blockedPrefixes: ['+88'] });
    expect(await start('+881234567890')).toMatchObject({ status: 403, body: { code: 60410 } });
  });

  it('limits the sends of one pending verification: the sixth is 429 60203, and approving or canceling it is the way out, per service', async () => {
    const { stack: s, start } = await stack();
    const to = '+4915112340002';
    const first = await start(to);
    for (let i = 0; i < 4; i++) expect((await start(to)).body['sid']).toBe(first.body['sid']);
    expect(await start(to)).toMatchObject({ status: 429, body: { code: 60203 } });
    // Another service's verification to the same number is not limited by this one.
    const other = String((await s.verify('/v2/Services', { FriendlyName: 'Other' })).body['sid']);
    expect((await s.verify(`/v2/Services/${other}/Verifications`, { To: to, Channel: 'sms' })).status).toBe(201);
    // A CI suite reusing one test number: cancel (or approve) and start again, as often as it likes.
    const service = String(first.body['service_sid']);
    let sid = String(first.body['sid']);
    for (let round = 0; round < 3; round++) {
      expect((await s.verify(`/v2/Services/${service}/Verifications/${sid}`, { Status: round === 1 ? 'approved' : 'canceled' })).status).toBe(200);
      const again = await start(to);
      expect(again.status).toBe(201);
      expect(again.body['sid']).not.toBe(sid);
      sid = String(again.body['sid']);
    }
  });

  it('limits a service when a per-service rate is set: 429 20429', async () => {
    const { start } = await stack({ perService: { max: 2, windowMs: 60_000 } });
    expect((await start('+4915112340003')).status).toBe(201);
    expect((await start('+4915112340004')).status).toBe(201);
    expect(await start('+4915112340005')).toMatchObject({ status: 429, body: { code: 20429 } });
  });

  it('blocks a prefix that starts many verifications and approves few (fraud guard), and stays off when disabled', async () => {
    const guard = { enabled: true, prefixDigits: 5, windowMs: 3_600_000, minStarts: 5, minApprovalRatio: 0.5, blockMs: 3_600_000 };
    const { start } = await stack({ fraudGuard: guard });
    for (let i = 0; i < 5; i++) expect((await start(`+4917012340${String(i).padStart(3, '0')}`)).status).toBe(201);
    expect(await start('+4917012340999')).toMatchObject({ status: 403, body: { code: 60410 } });
    expect(await start('+4917099999999')).toMatchObject({ status: 403, body: { code: 60410 } });
    expect((await start('+4915112340006')).status).toBe(201);

    const off = await stack({ fraudGuard: { ...guard, enabled: false } });
    for (let i = 0; i < 7; i++) expect((await off.start(`+4917012341${String(i).padStart(3, '0')}`)).status).toBe(201);
  });
});

describe('secrecy of codes', () => {
  it('never writes a code to the verifier\'s own output, even at trace level', async () => {
    let output = '';
    const destination = new Writable({ write(chunk, _encoding, done) { output += chunk.toString(); done(); } });
    const logger = createLogger({ level: 'trace', component: 'verifier', destination });
    const { stack: s } = await stack({}, { logger });
    // Ten digits: a shorter code could turn up by chance inside a timestamp.
    const sid = String((await s.verify('/v2/Services', { FriendlyName: 'Secret', CodeLength: '10' })).body['sid']);
    const phone = await TestHandset.connect(s.sim.wsUrl('+4915112340007'), { authorization: authHeader });
    const started = await s.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112340007', Channel: 'sms' });
    const [sms] = await phone.waitForFrames('sms');
    const code = /(\d{10})$/.exec(String(sms!['text']))![1]!;
    expect((await s.verify(`/v2/Services/${sid}/VerificationCheck`, { To: '+4915112340007', Code: code })).body['status']).toBe('approved');
    phone.close();
    expect(output.length).toBeGreaterThan(0);
    expect(output).toContain('incoming request');
    expect(output).not.toContain(code);
    const { storage } = s.verifier;
    const attempts = await storage.attempts.of(String(started.body['sid']));
    const outbox = await Promise.all(attempts.map((attempt) => storage.outbox.get(attempt.outboxId!)));
    const row = JSON.stringify([await storage.verifications.bySid(String(started.body['sid'])), attempts, outbox]);
    expect(outbox[0]).toMatchObject({ status: 'sent' });
    expect(row).not.toContain(code);
  });
});
