import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ABUSE_SETTINGS, type FraudGuardSettings } from '../../verifier/abuse/abuse-policy';
import { credentials, startStack, type RunningStack } from '../support/stack-harness';
import { storedVerifications } from '../support/stored-verifications';
import { Browser, csrfOf, decode } from '../unit/verifier/pages/browser';

const stacks: RunningStack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
});

const strictGuard: FraudGuardSettings = { enabled: true, prefixDigits: 5, windowMs: 3_600_000, minStarts: 5, minApprovalRatio: 0.5, blockMs: 3_600_000 };

async function stack(fraudGuard: FraudGuardSettings): Promise<RunningStack> {
  // The page limits are raised so that the fraud guard, not the per-IP limit, is what answers.
  const s = await startStack({
    abuse: { ...DEFAULT_ABUSE_SETTINGS, fraudGuard },
    hostedPages: { limits: { startsPerIp: { max: 1_000, windowMs: 900_000 } } },
  });
  stacks.push(s);
  return s;
}

async function apiStart(s: RunningStack, service: string, to: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return s.verify(`/v2/Services/${service}/Verifications`, { To: to, Channel: 'sms' });
}

async function newService(s: RunningStack, name: string): Promise<string> {
  return String((await s.verify('/v2/Services', { FriendlyName: name })).body['sid']);
}

/** An anonymous visitor of the hosted pages, in a fresh browser, asking for a code. */
async function pageStart(s: RunningStack, phone: string): Promise<{ status: number; body: string }> {
  const browser = new Browser(s.verifyUrl);
  const posted = await browser.post('/', { csrf: csrfOf(await browser.get('/')), phone, channel: 'sms' });
  return { status: posted.status, body: decode(posted.body) };
}

describe('fraud guard as a weapon', () => {
  it('anonymous page starts that trip the guard block only page starts to that prefix, never an API caller', async () => {
    const s = await stack(strictGuard);
    for (let i = 0; i < 5; i++) expect((await pageStart(s, `+4917012340${String(i).padStart(3, '0')}`)).status).toBe(303);
    const blocked = await pageStart(s, '+4917012340999');
    expect(blocked.status).toBe(403);
    expect(blocked.body).toContain('We cannot send codes to this number');

    // The authenticated API, in its own service and even in the pages' own service, is not blocked.
    const api = await newService(s, 'Api');
    expect((await apiStart(s, api, '+4917012340998')).status).toBe(201);
    const hosted = (await storedVerifications(s.verifier.storage, credentials.accountSid)).find((v) => v.serviceName === 'Verigate')!.serviceSid;
    expect((await apiStart(s, hosted, '+4917012340997')).status).toBe(201);
    // Page starts to another prefix go on.
    expect((await pageStart(s, '+4915112340001')).status).toBe(303);
  });

  it('counts and blocks per service: one service\'s unanswered starts do not block another\'s', async () => {
    const s = await stack(strictGuard);
    const noisy = await newService(s, 'Noisy');
    const quiet = await newService(s, 'Quiet');
    for (let i = 0; i < 5; i++) expect((await apiStart(s, noisy, `+4916012340${String(i).padStart(3, '0')}`)).status).toBe(201);
    expect(await apiStart(s, noisy, '+4916012340999')).toMatchObject({ status: 403, body: { code: 60410 } });
    expect((await apiStart(s, quiet, '+4916012340999')).status).toBe(201);
  });

  it('judges approvals too: a prefix whose starts are approved stays open', async () => {
    const s = await stack(strictGuard);
    const service = await newService(s, 'Honest');
    for (let i = 0; i < 8; i++) {
      const started = await apiStart(s, service, `+4916112340${String(i).padStart(3, '0')}`);
      expect(started.status).toBe(201);
      expect((await s.verify(`/v2/Services/${service}/Verifications/${String(started.body['sid'])}`, { Status: 'approved' })).status).toBe(200);
    }
  });

  it('with the default settings, a test suite leaving 40 verifications unfinished on one prefix is not blocked', async () => {
    const s = await stack(DEFAULT_ABUSE_SETTINGS.fraudGuard);
    const service = await newService(s, 'CI');
    for (let i = 0; i < 40; i++) expect((await apiStart(s, service, `+1555010${String(i).padStart(4, '0')}`)).status).toBe(201);
  });
});
