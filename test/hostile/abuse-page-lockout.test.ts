import { afterEach, describe, expect, it } from 'vitest';
import { startStack, authHeader, type RunningStack } from '../support/stack-harness';
import { TestHandset } from '../support/handset';
import { PAGE_COOKIE } from '../../verifier/pages/page-session';
import { Browser, csrfOf, decode, type Page } from '../unit/verifier/pages/browser';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Every browser here comes from 127.0.0.1; an attacker and a victim do not share an IP, so the
// per-IP limits are raised and the per-number limits keep their defaults.
async function stack(): Promise<RunningStack> {
  const s = await startStack({ hostedPages: { limits: { startsPerIp: { max: 100, windowMs: 900_000 }, checksPerIp: { max: 100, windowMs: 900_000 } } } });
  cleanups.push(() => s.stop());
  return s;
}

async function handset(s: RunningStack, number: string): Promise<TestHandset> {
  const h = await TestHandset.connect(s.sim.wsUrl(number), { authorization: authHeader });
  cleanups.push(() => h.close());
  return h;
}

const codeIn = (text: unknown) => /(\d{6})/.exec(String(text))![1]!;

async function startOnPages(browser: Browser, phone: string): Promise<Page> {
  const posted = await browser.post('/', { csrf: csrfOf(await browser.get('/')), phone, channel: 'sms' });
  expect(posted.status).toBe(303);
  return browser.get('/code');
}

/** An attacker without the phone: five wrong codes from its own page session. */
async function burnChecks(attacker: Browser, page: Page): Promise<string> {
  let answer = page;
  for (let i = 0; i < 5; i++) answer = await attacker.post('/code', { csrf: csrfOf(answer), code: '000000' });
  return decode(answer.body);
}

describe('hosted pages: lockout by someone without the phone', () => {
  it('an attacker who starts for the victim\'s number after the victim cannot use up the victim\'s checks', async () => {
    const s = await stack();
    const phone = await handset(s, '+4915112360001');
    const victim = new Browser(s.verifyUrl);
    const victimPage = await startOnPages(victim, '+4915112360001');
    const [victimSms] = await phone.waitForFrames('sms');

    const attacker = new Browser(s.verifyUrl);
    const attackerPage = await startOnPages(attacker, '+4915112360001');
    expect(await burnChecks(attacker, attackerPage)).toContain('No attempts left');

    const done = await victim.post('/code', { csrf: csrfOf(victimPage), code: codeIn(victimSms!['text']) });
    expect(done.status).toBe(200);
    expect(decode(done.body)).toContain('+4915112360001 is verified');
  });

  it('an attacker who starts first and burns the checks still leaves the victim a code that works', async () => {
    const s = await stack();
    const phone = await handset(s, '+4915112360002');
    const attacker = new Browser(s.verifyUrl);
    const attackerPage = await startOnPages(attacker, '+4915112360002');
    await phone.waitForFrames('sms');
    expect(await burnChecks(attacker, attackerPage)).toContain('No attempts left');

    const victim = new Browser(s.verifyUrl);
    const victimPage = await startOnPages(victim, '+4915112360002');
    const sms = await phone.waitForFrames('sms', 2);
    const done = await victim.post('/code', { csrf: csrfOf(victimPage), code: codeIn(sms[1]!['text']) });
    expect(done.status).toBe(200);
    expect(decode(done.body)).toContain('+4915112360002 is verified');
  });

  it('a replayed page cookie counts against its own session only: the number\'s check allowance stays for the victim', async () => {
    const s = await stack();
    const phone = await handset(s, '+4915112360003');
    const attacker = new Browser(s.verifyUrl);
    const old = await startOnPages(attacker, '+4915112360003');
    await phone.waitForFrames('sms');
    const cookie = `${PAGE_COOKIE}=${attacker.cookies.get(PAGE_COOKIE)!}`;
    const csrf = csrfOf(old);

    // The same old cookie, twenty times: more than the 15 checks a number gets per window.
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const replay = await fetch(`${s.verifyUrl}/code`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, code: '000000' }).toString(),
        redirect: 'manual',
      });
      statuses.push(replay.status);
    }
    expect(statuses.slice(0, 4)).toEqual([422, 422, 422, 422]);
    expect(statuses).toContain(429);

    const victim = new Browser(s.verifyUrl);
    const victimPage = await startOnPages(victim, '+4915112360003');
    const sms = await phone.waitForFrames('sms', 2);
    const wrong = await victim.post('/code', { csrf: csrfOf(victimPage), code: '000000' });
    expect(wrong.status).toBe(422);
    const done = await victim.post('/code', { csrf: csrfOf(wrong), code: codeIn(sms[1]!['text']) });
    expect(done.status).toBe(200);
    expect(decode(done.body)).toContain('+4915112360003 is verified');
  });
});
