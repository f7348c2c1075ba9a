import { describe, expect, it } from 'vitest';
import { basicAuthMatches } from '../../../../gateway/auth/basic-auth';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('basicAuthMatches', () => {
  const credentials = { accountSid: `AC${'a'.repeat(32)}`, authToken: 't'.repeat(32) };

  it('accepts the account SID and auth token, in the canonical form and in others a client may send', () => {
    expect(basicAuthMatches(basic(credentials.accountSid, credentials.authToken), credentials)).toBe(true);
    expect(basicAuthMatches(basic(credentials.accountSid, credentials.authToken).replace('Basic', 'basic'), credentials)).toBe(true);
    expect(basicAuthMatches(`${basic(credentials.accountSid, credentials.authToken)}  `, credentials)).toBe(true);
  });

  it('refuses a wrong token, a wrong SID, another scheme, garbage and no header', () => {
    expect(basicAuthMatches(basic(credentials.accountSid, 'x'.repeat(32)), credentials)).toBe(false);
    expect(basicAuthMatches(basic(`AC${'b'.repeat(32)}`, credentials.authToken), credentials)).toBe(false);
    expect(basicAuthMatches(`Bearer ${credentials.authToken}`, credentials)).toBe(false);
    expect(basicAuthMatches('Basic !!!', credentials)).toBe(false);
    expect(basicAuthMatches('', credentials)).toBe(false);
    expect(basicAuthMatches(undefined, credentials)).toBe(false);
  });

  it('follows a changed token: the old header is refused at once, the new one accepted', () => {
    const rotating = { accountSid: credentials.accountSid, authToken: 'old'.repeat(11) };
    const before = basic(rotating.accountSid, rotating.authToken);
    expect(basicAuthMatches(before, rotating)).toBe(true);
    rotating.authToken = 'new'.repeat(11);
    expect(basicAuthMatches(before, rotating)).toBe(false);
    expect(basicAuthMatches(basic(rotating.accountSid, rotating.authToken), rotating)).toBe(true);
  });
});
