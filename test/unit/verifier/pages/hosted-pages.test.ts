import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, authHeader, credentials, type RunningStack } from '../../../support/stack-harness';
import { storedVerifications } from '../../../support/stored-verifications';
import { TestHandset } from '../../../support/handset';
import type { VerifierOptions } from '../../../../verifier';
import { Browser, csrfOf, decode, textOf, type Page } from './browser';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function stack(options: Partial<VerifierOptions> = {}): Promise<RunningStack> {
  const s = await startStack(options);
  cleanups.push(() => s.stop());
  return s;
}

async function handset(s: RunningStack, number: string): Promise<TestHandset> {
  const h = await TestHandset.connect(s.sim.wsUrl(number), { authorization: authHeader });
  cleanups.push(() => h.close());
  return h;
}

const codeIn = (text: unknown) => /(\d{6})/.exec(String(text))![1]!;
const tokenOf = (page: Page) => decode(/<textarea[^>]*id="token"[^>]*>([^<]+)<\/textarea>/.exec(page.body)![1]!);

/** Opens `/` and asks for a code for `phone` by `channel`; answers the code form. */
async function startVerification(browser: Browser, phone: string, channel: string): Promise<Page> {
  const start = await browser.get('/');
  expect(start.status).toBe(200);
  const posted = await browser.post('/', { csrf: csrfOf(start), phone, channel });
  expect(posted.status).toBe(303);
  expect(posted.location).toBe('/code');
  return browser.get('/code');
}

/** Every URL the browser asked for or was sent to is free of the code and of any SID. */
function expectCleanUrls(browser: Browser, code: string): void {
  expect(browser.urls.length).toBeGreaterThan(0);
  for (const url of browser.urls) {
    expect(url).not.toContain(code);
    expect(url).not.toMatch(/V[AEL][0-9a-f]{32}/);
    expect(new URL(url).search).toBe('');
  }
}

describe('hosted pages: SMS', () => {
  it('verifies a number end to end with the code from the handset and shows a session token that verifies against the JWKS', async () => {
    const s = await stack();
    const phone = await handset(s, '+4915112350001');
    const browser = new Browser(s.verifyUrl);

    const codeForm = await startVerification(browser, '+49 151 1235 0001', 'sms');
    expect(codeForm.status).toBe(200);
    expect(textOf(codeForm, 'code-hint')).toContain('+4915112350001');
    expect(codeForm.body).toContain('<label for="code">Enter the code we sent you</label>');

    const [sms] = await phone.waitForFrames('sms');
    expect(sms!['text']).toMatch(/^Ihr Bestätigungscode für Verigate lautet: \d{6}$/);
    const code = codeIn(sms!['text']);

    const done = await browser.post('/code', { csrf: csrfOf(codeForm), code });
    expect(done.status).toBe(200);
    expect(decode(done.body)).toContain('+4915112350001 is verified');
    const token = tokenOf(done);

    const jwks = createRemoteJWKSet(new URL(`${s.verifyUrl}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: s.verifyUrl, algorithms: ['ES256'] });
    expect(payload).toMatchObject({ sub: '+4915112350001', iss: s.verifyUrl, amr: ['sms'], phone_number_verified: true });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: decodeProtectedHeader(token).kid });
    expect(protectedHeader.kid).toBeTruthy();

    // The hosted service exists, named by the setting, and the verification is approved.
    const stored = await storedVerifications(s.verifier.storage, credentials.accountSid);
    expect(stored.map((v) => ({ status: v.status, name: v.serviceName }))).toEqual([{ status: 'approved', name: 'Verigate' }]);
    expectCleanUrls(browser, code);
    // The pending verification is forgotten: the code form sends the browser back to the start.
    expect((await browser.get('/code')).location).toBe('/');
  });

  it('keeps the page session in an HttpOnly, SameSite=Strict cookie and sends a strict CSP on every page', async () => {
    const s = await stack();
    const browser = new Browser(s.verifyUrl);
    const start = await browser.get('/');
    expect(start.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    const csp = start.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(start.headers.get('cache-control')).toBe('no-store');
    expect(start.headers.get('x-frame-options')).toBe('DENY');
    const cookie = browser.setCookies[0]!;
    expect(cookie).toMatch(/^verigate_page=[A-Za-z0-9_-]+; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    // Sealed: neither the CSRF token nor anything else readable in the cookie.
    expect(Buffer.from(browser.cookies.get('verigate_page')!, 'base64url').toString('latin1')).not.toContain(csrfOf(start));
  });

  it('shows the code form again with the error and the attempts left after a wrong code, then the failure page when none are left', async () => {
    const s = await stack();
    const phone = await handset(s, '+4915112350002');
    const browser = new Browser(s.verifyUrl);
    let page = await startVerification(browser, '+4915112350002', 'sms');
    const code = codeIn((await phone.waitForFrames('sms'))[0]!['text']);
    const wrong = code === '000000' ? '111111' : '000000';

    const left: string[] = [];
    for (let i = 0; i < 4; i++) {
      page = await browser.post('/code', { csrf: csrfOf(page), code: wrong });
      expect(page.status).toBe(422);
      expect(page.body).toMatch(/<input[^>]*id="code"[^>]*aria-invalid="true"/);
      expect(page.body).toMatch(/<input[^>]*id="code"[^>]*aria-describedby="code-hint code-error"/);
      expect(page.body).toContain('role="alert"');
      left.push(textOf(page, 'code-error')!);
    }
    expect(left).toEqual([
      'That code is not right. 4 attempts left.',
      'That code is not right. 3 attempts left.',
      'That code is not right. 2 attempts left.',
      'That code is not right. 1 attempt left.',
    ]);
    const failed = await browser.post('/code', { csrf: csrfOf(page), code: wrong });
    expect(failed.status).toBe(200);
    expect(failed.body).toContain('<h1>Verification failed</h1>');
    expect(failed.body).toMatch(/role="alert"[^]*0 attempts left/);
    // Even the right code is too late now; the browser is back at the start.
    expect((await browser.get('/code')).location).toBe('/');
    expectCleanUrls(browser, code);
  });

  it('shows the expired page when the verification is no longer pending', async () => {
    const s = await stack();
    const browser = new Browser(s.verifyUrl);
    const page = await startVerification(browser, '+4915112350003', 'sms');
    const [stored] = await storedVerifications(s.verifier.storage, credentials.accountSid);
    const { sid, serviceSid: service } = stored!;
    expect((await s.verify(`/v2/Services/${service}/Verifications/${sid}`, { Status: 'canceled' })).status).toBe(200);
    const expired = await browser.post('/code', { csrf: csrfOf(page), code: '123456' });
    expect(expired.body).toContain('<h1>This code has expired</h1>');
  });

  it('re-sends the same code on "Send a new text" without leaving the code form', async () => {
    const s = await stack();
    const phone = await handset(s, '+4915112350004');
    const browser = new Browser(s.verifyUrl);
    const page = await startVerification(browser, '+4915112350004', 'sms');
    const resent = await browser.post('/code/resend', { csrf: csrfOf(page) });
    expect(resent.status).toBe(200);
    expect(resent.body).toContain('We sent you a new text message.');
    const texts = (await phone.waitForFrames('sms', 2)).map((f) => codeIn(f['text']));
    expect(texts[0]).toBe(texts[1]);
    const done = await browser.post('/code', { csrf: csrfOf(resent), code: texts[0]! });
    expect(decode(done.body)).toContain('+4915112350004 is verified');
  });

  it('answers a number that is not E.164 with the form again, the error announced and tied to the field, the input kept and escaped', async () => {
    const s = await stack();
    const browser = new Browser(s.verifyUrl);
    const start = await browser.get('/');
    const page = await browser.post('/', { csrf: csrfOf(start), phone: '0151 "<b>"', channel: 'sms' });
    expect(page.status).toBe(422);
    expect(page.body).toMatch(/<input[^>]*id="phone"[^>]*aria-describedby="phone-hint phone-error"[^>]*aria-invalid="true"/);
    expect(page.body).toMatch(/<p class="error" id="phone-error" role="alert">This is not a phone number in international format/);
    expect(page.body).toContain('value="0151 &#34;&#60;b&#62;&#34;"');
    expect(page.body).not.toContain('<b>');
    expect(await storedVerifications(s.verifier.storage, credentials.accountSid)).toEqual([]);
  });
});

describe('hosted pages: flash call', () => {
  it('asks for the number that just called and verifies with the caller ID of the ringing call', async () => {
    const s = await stack();
    const phone = await handset(s, '+4915112350011');
    const browser = new Browser(s.verifyUrl);
    const codeForm = await startVerification(browser, '+4915112350011', 'flashcall');
    expect(codeForm.body).toContain('<label for="code">Enter the number that just called you</label>');
    expect(codeForm.body).toMatch(/<input type="tel" id="code"/);

    // The call rings; nobody answers. Its caller ID is the code.
    const [incoming] = await phone.waitForFrames('call.incoming');
    const callerId = String(incoming!['from']);
    expect(callerId).toMatch(/^\+4930990\d{6}$/);
    expect(phone.ofType('call.answer')).toEqual([]);

    const done = await browser.post('/code', { csrf: csrfOf(codeForm), code: callerId });
    expect(done.status).toBe(200);
    expect(decode(done.body)).toContain('+4915112350011 is verified');
    const { payload } = await jwtVerify(tokenOf(done), createRemoteJWKSet(new URL(`${s.verifyUrl}/.well-known/jwks.json`)), { issuer: s.verifyUrl });
    expect(payload).toMatchObject({ sub: '+4915112350011', amr: ['tel'] });
    expectCleanUrls(browser, callerId.slice(-6));
  });

  it('says a wrong caller number is not the one that called, with the attempts left', async () => {
    const s = await stack();
    const phone = await handset(s, '+4915112350012');
    const browser = new Browser(s.verifyUrl);
    const codeForm = await startVerification(browser, '+4915112350012', 'flashcall');
    const callerId = String((await phone.waitForFrames('call.incoming'))[0]!['from']);
    const wrong = callerId.endsWith('000000') ? '+4930990111111' : '+4930990000000';
    const page = await browser.post('/code', { csrf: csrfOf(codeForm), code: wrong });
    expect(page.status).toBe(422);
    expect(textOf(page, 'code-error')).toBe('That is not the number that called you. 4 attempts left.');
  });
});

describe('hosted pages: CSRF', () => {
  it('answers 403 to a POST without the CSRF field, with another session\'s token, or without the cookie, and starts nothing', async () => {
    const s = await stack();
    const alice = new Browser(s.verifyUrl);
    const mallory = new Browser(s.verifyUrl);
    const aliceToken = csrfOf(await alice.get('/'));
    const malloryToken = csrfOf(await mallory.get('/'));
    const form = { phone: '+4915112350021', channel: 'sms' };

    const missing = await alice.post('/', form);
    expect(missing.status).toBe(403);
    expect(missing.body).toContain('role="alert"');
    expect(missing.body).toContain('<h1>Your session has expired</h1>');
    expect((await alice.post('/', { ...form, csrf: malloryToken })).status).toBe(403);
    const cookieless = new Browser(s.verifyUrl);
    expect((await cookieless.post('/', { ...form, csrf: aliceToken })).status).toBe(403);
    // A forged cookie value is refused like a missing one.
    const forged = new Browser(s.verifyUrl);
    forged.cookies.set('verigate_page', Buffer.from(JSON.stringify({ csrf: 'x', exp: Date.now() + 60_000 })).toString('base64url'));
    expect((await forged.post('/', { ...form, csrf: 'x' })).status).toBe(403);
    expect((await alice.post('/code', { code: '123456' })).status).toBe(403);
    expect(await storedVerifications(s.verifier.storage, credentials.accountSid)).toEqual([]);

    // The right token passes.
    expect((await alice.post('/', { ...form, csrf: aliceToken })).status).toBe(303);
  });
});

describe('hosted pages: rate limits', () => {
  it('answers a friendly 429 page with Retry-After when one client IP starts too often', async () => {
    const s = await stack({ hostedPages: { limits: { startsPerIp: { max: 2, windowMs: 60_000 } } } });
    const browser = new Browser(s.verifyUrl);
    const statuses: number[] = [];
    let last: Page | undefined;
    for (const n of ['+4915112350031', '+4915112350032', '+4915112350033']) {
      const start = await browser.get('/');
      last = await browser.post('/', { csrf: csrfOf(start), phone: n, channel: 'sms' });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([303, 303, 429]);
    expect(last!.headers.get('retry-after')).toBe('60');
    expect(last!.body).toContain('<h1>Too many attempts</h1>');
    expect(last!.body).toMatch(/role="alert"[^]*Please wait 1 minutes/);
    expect(await storedVerifications(s.verifier.storage, credentials.accountSid)).toHaveLength(2);
  });

  it('limits starts per phone number across browsers, and checks per number', async () => {
    const s = await stack({ hostedPages: { limits: { startsPerNumber: { max: 1, windowMs: 60_000 }, checksPerNumber: { max: 2, windowMs: 60_000 } } } });
    const first = new Browser(s.verifyUrl);
    let page = await startVerification(first, '+4915112350034', 'sms');
    const second = new Browser(s.verifyUrl);
    const other = await second.post('/', { csrf: csrfOf(await second.get('/')), phone: '+4915112350034', channel: 'call' });
    expect(other.status).toBe(429);

    const checks: number[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await first.post('/code', { csrf: csrfOf(page), code: '000001' });
      checks.push(answer.status);
      if (answer.status === 422) page = answer;
    }
    expect(checks).toEqual([422, 422, 429]);
  });
});

describe('hosted pages: accessibility basics', () => {
  it('labels every input, states the language, autofocuses the first field, and loads nothing external', async () => {
    const s = await stack();
    const browser = new Browser(s.verifyUrl);
    const start = await browser.get('/');
    const code = await startVerification(browser, '+4915112350041', 'sms');
    for (const page of [start, code]) {
      expect(page.body).toMatch(/^<!doctype html><html lang="en">/);
      expect(page.body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(page.body).not.toMatch(/<script|\bsrc=|<link|https?:\/\//);
      const inputs = [...page.body.matchAll(/<(input|textarea)\b([^>]*)>/g)].map((m) => m[2]!).filter((attrs) => !attrs.includes('type="hidden"'));
      expect(inputs.length).toBeGreaterThan(0);
      for (const attrs of inputs) {
        const id = /\bid="([^"]+)"/.exec(attrs)![1]!;
        expect(page.body, `label for #${id}`).toContain(`<label for="${id}">`);
        const described = /aria-describedby="([^"]+)"/.exec(attrs)?.[1];
        for (const ref of described?.split(' ') ?? []) expect(page.body, `#${ref} exists`).toContain(`id="${ref}"`);
      }
      expect(page.body.match(/\bautofocus\b/g)).toHaveLength(1);
    }
    expect(start.body).toMatch(/<input type="tel" id="phone"[^>]*autofocus/);
    expect(start.body).toContain('<legend>How should we send your code?</legend>');
    expect([...start.body.matchAll(/type="radio"[^>]*value="(\w+)"/g)].map((m) => m[1])).toEqual(['sms', 'call', 'flashcall']);
    expect(code.body).toMatch(/<input[^>]*id="code"[^>]*autocomplete="one-time-code"[^>]*autofocus/);
  });
});
