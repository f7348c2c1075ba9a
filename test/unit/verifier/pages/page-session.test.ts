import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hostedPagesSettings } from '../../../../verifier/pages';
import { PAGE_COOKIE, PageSessions } from '../../../../verifier/pages/page-session';
import { ManualClock } from '../../../support/manual-clock';

const cookieOf = (setCookie: string) => setCookie.split(';')[0]!;

describe('page sessions', () => {
  it('round-trip through a sealed cookie and keep the pending verification', () => {
    const sessions = new PageSessions(randomBytes(32), new ManualClock(), 1800);
    const session = { ...sessions.fresh(), pending: { sid: 'VE0123456789abcdef0123456789abcdef', to: '+4915112370001', channel: 'sms' as const } };
    const header = sessions.setCookie(session, false);
    expect(header).toMatch(new RegExp(`^${PAGE_COOKIE}=[\\w-]+; Path=/; Max-Age=1800; HttpOnly; SameSite=Strict$`));
    expect(header).not.toContain('VE0123');
    expect(sessions.read(`other=1; ${cookieOf(header)}`)).toMatchObject({ csrf: session.csrf, pending: session.pending });
    expect(sessions.setCookie(session, true)).toMatch(/; Secure$/);
  });

  it('refuse a cookie that was changed, sealed under another key, or is past its life', () => {
    const clock = new ManualClock();
    const sessions = new PageSessions(randomBytes(32), clock, 60);
    const cookie = cookieOf(sessions.setCookie(sessions.fresh(), false));
    const value = cookie.slice(PAGE_COOKIE.length + 1);
    const flipped = Buffer.from(value, 'base64url');
    flipped[flipped.length - 1]! ^= 1;
    expect(sessions.read(`${PAGE_COOKIE}=${flipped.toString('base64url')}`)).toBeUndefined();
    expect(new PageSessions(randomBytes(32), clock, 60).read(cookie)).toBeUndefined();
    expect(sessions.read(`${PAGE_COOKIE}=`)).toBeUndefined();
    expect(sessions.read(undefined)).toBeUndefined();
    clock.advance(59_999);
    expect(sessions.read(cookie)).toBeDefined();
    clock.advance(1);
    expect(sessions.read(cookie)).toBeUndefined();
  });

  it('match the CSRF token only when it equals the session\'s', () => {
    const session = new PageSessions(randomBytes(32), new ManualClock(), 60).fresh();
    expect(PageSessions.csrfMatches(session, session.csrf)).toBe(true);
    expect(PageSessions.csrfMatches(session, `${session.csrf}x`)).toBe(false);
    expect(PageSessions.csrfMatches(session, undefined)).toBe(false);
    expect(PageSessions.csrfMatches(undefined, session.csrf)).toBe(false);
  });
});

describe('hosted pages settings', () => {
  it('overlay the defaults and fail naming the setting that is wrong', () => {
    expect(hostedPagesSettings({ limits: { startsPerIp: { max: 3, windowMs: 1000 } } }).limits).toMatchObject({
      startsPerIp: { max: 3, windowMs: 1000 },
      startsPerNumber: { max: 5 },
    });
    expect(() => hostedPagesSettings({ limits: { checksPerNumber: { max: 0, windowMs: 1000 } } })).toThrow(/hostedPages\.limits\.checksPerNumber/);
    expect(() => hostedPagesSettings({ serviceName: ' ' })).toThrow(/hostedPages\.serviceName/);
  });
});
