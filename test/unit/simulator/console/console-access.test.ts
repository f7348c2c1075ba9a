import { afterEach, describe, expect, it } from 'vitest';
import { TestEventStream } from '../../../support/event-stream';
import { authHeader, credentials, startSimulator, type RunningSimulator } from '../../../support/simulator-harness';

let running: RunningSimulator;

afterEach(async () => {
  await running.stop();
});

async function http(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const response = await fetch(`${running.baseUrl}${path}`, { redirect: 'manual', ...init });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function signIn(token = credentials.authToken) {
  return http('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, next: '/phones/+4915112345678' }).toString() });
}

function sessionCookie(setCookie: string | null): string {
  const match = /^(verigate_console=[^;]+)/.exec(setCookie ?? '');
  if (!match) throw new Error(`no session cookie in ${setCookie}`);
  return match[1]!;
}

describe('the console behind the API credentials', () => {
  it('sends a browser without credentials to the login form, and back where it was going after sign-in', async () => {
    running = await startSimulator();
    const page = await http('/phones/+4915112345678');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Fphones%2F%2B4915112345678');
    const form = await http('/login?next=%2Fphones%2F%2B4915112345678');
    expect(form.text).toContain('name="next" value="/phones/+4915112345678"');

    const wrong = await signIn('not-the-token');
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get('location')).toMatch(/^\/login\?failed=1/);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const right = await signIn();
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/phones/+4915112345678');
    const setCookie = right.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const phone = await http('/phones/+4915112345678', { headers: { cookie: sessionCookie(setCookie) } });
    expect(phone.status).toBe(200);
    expect(phone.text).toContain('+4915112345678');
  });

  it('never redirects a sign-in to another site', async () => {
    running = await startSimulator();
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const answer = await http('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: credentials.authToken, next }).toString() });
      expect(answer.headers.get('location')).toBe('/');
    }
  });

  it('serves the console with Basic auth too, with a session for its scripts and a strict content policy', async () => {
    running = await startSimulator();
    const page = await http('/', { headers: { authorization: authHeader } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.text).toMatch(/<meta name="csrf-token" content="[\w-]{43}">/);
    expect(page.headers.get('set-cookie')).toMatch(/^verigate_console=/);
    const script = await http('/console/assets/console.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await http('/console/assets/..%2F..%2Fsimulator.ts')).status).toBe(404);
    expect((await http('/phones/not-a-number', { headers: { authorization: authHeader } })).status).toBe(400);
  });

  it('lets a session use the API, changes only with its CSRF token, and refuses changes from other sites', async () => {
    running = await startSimulator();
    const page = await http('/', { headers: { authorization: authHeader } });
    const cookie = sessionCookie(page.headers.get('set-cookie'));
    const csrf = /name="csrf-token" content="([\w-]+)"/.exec(page.text)![1]!;

    expect((await http('/api/messages', { headers: { cookie } })).status).toBe(200);
    expect((await http('/api/messages', { method: 'DELETE', headers: { cookie } })).status).toBe(401);
    expect((await http('/api/messages', { method: 'DELETE', headers: { cookie, 'x-verigate-csrf': 'forged' } })).status).toBe(401);
    expect((await http('/api/messages', { method: 'DELETE', headers: { cookie, 'x-verigate-csrf': csrf } })).status).toBe(204);
    expect((await http('/api/messages', { headers: { cookie: 'verigate_console=guessed' } })).status).toBe(401);

    // A form posted by a page on another site, riding on cached Basic credentials.
    const crossSite = await http('/api/scenarios/outage', { method: 'POST', headers: { authorization: authHeader, 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    const foreignOrigin = await http('/api/scenarios/outage', { method: 'POST', headers: { authorization: authHeader, origin: 'http://evil.example' } });
    expect(foreignOrigin.status).toBe(403);
    expect(running.sim.behaviours.defaults.sms).toBe('deliver');
    // Scripts and SDKs send neither header.
    expect((await http('/api/scenarios/outage', { method: 'POST', headers: { authorization: authHeader } })).status).toBe(200);

    // The event stream with the cookie: from a page of this host only.
    const host = `127.0.0.1:${running.httpPort}`;
    const stream = await TestEventStream.connect(`ws://${host}/ws/events`, { cookie, origin: `http://${host}` });
    stream.close();
    await expect(TestEventStream.connect(`ws://${host}/ws/events`, { cookie, origin: 'http://evil.example' })).rejects.toThrow('upgrade refused: 403');
  });

  it('locks out a source after 10 wrong tokens in a minute', async () => {
    running = await startSimulator();
    for (let i = 0; i < 10; i++) expect((await signIn('wrong-token')).status).toBe(303);
    const locked = await signIn();
    expect(locked.status).toBe(429);
    expect(locked.headers.get('set-cookie')).toBeNull();
  });

  it('signs out: the session no longer opens the console', async () => {
    running = await startSimulator();
    const cookie = sessionCookie((await signIn()).headers.get('set-cookie'));
    const out = await http('/logout', { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await http('/', { headers: { cookie } })).status).toBe(303);
  });
});

describe('message retention', () => {
  it('keeps the newest N messages and lists them newest first on request', async () => {
    running = await startSimulator({ maxMessages: 3 });
    for (let i = 1; i <= 5; i++) {
      expect((await running.api('/api/handsets/+491700000001/sms', { method: 'POST', body: { to: '+491700000002', text: `message ${i}` } })).status).toBe(201);
    }
    // MO messages wait for a receiver: at work, so kept.
    expect(running.sim.console.retention.prune()).toBe(0);
    running.sim.store.transaction(() => {
      for (const m of running.sim.store.listMessages()) running.sim.store.setMessageStatus(m.id, 'sent');
    });
    expect(running.sim.console.retention.prune()).toBe(2);
    const { body } = await running.api('/api/messages?order=newest');
    expect((body as { messages: { text: string }[] }).messages.map((m) => m.text)).toEqual(['message 5', 'message 4', 'message 3']);
  });
});
