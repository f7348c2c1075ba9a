import { SignJWT, type JWTPayload } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionTokens, SigningKeys, SESSION_TOKEN_ALG } from '../../../../verifier/session';
import { openStorage } from '../../../../verifier/store/open-storage';
import { ManualClock } from '../../../support/manual-clock';

const ISSUER = 'https://verify.example.test';
const AUDIENCE = 'AC' + 'ab'.repeat(16);
const TTL = 600;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Session tokens and their signing keys, so a test can sign what the verifier never would, with its real key. */
async function withRealKey() {
  const storage = await openStorage({ dataFile: ':memory:' });
  cleanups.push(() => storage.close());
  const clock = new ManualClock();
  const keys = new SigningKeys(storage, clock, { tokenTtlSeconds: TTL, rotateAfterSeconds: 0 });
  const tokens = new SessionTokens({ keys, clock, issuer: () => ISSUER, settings: { ttlSeconds: TTL, rotateAfterSeconds: 0, audience: AUDIENCE } });
  const key = await keys.current();
  const now = Math.floor(clock.now() / 1000);
  const sign = (claims: JWTPayload) => new SignJWT({ sub: '+4915112368001', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + TTL, ...claims })
    .setProtectedHeader({ alg: SESSION_TOKEN_ALG, typ: 'JWT', kid: key.kid })
    .sign(key.privateKey);
  return { tokens, sign, now };
}

describe('session token claims', () => {
  it('carry the configured audience, and a token signed like the verifier signs validates', async () => {
    const { tokens, sign } = await withRealKey();
    expect((await tokens.issue('+4915112368001', 'sms')).claims.aud).toBe(AUDIENCE);
    expect(await tokens.validate(await sign({}))).toMatchObject({ valid: true, claims: { aud: AUDIENCE } });
  });

  it('refuse an iat in the future, beyond a 5 s skew between instances', async () => {
    const { tokens, sign, now } = await withRealKey();
    expect(await tokens.validate(await sign({ iat: now + 3600, exp: now + 3600 + TTL }))).toEqual({ valid: false, reason: 'not_yet_valid' });
    expect(await tokens.validate(await sign({ iat: now + 6, exp: now + 6 + TTL }))).toEqual({ valid: false, reason: 'not_yet_valid' });
    expect((await tokens.validate(await sign({ iat: now + 5, exp: now + 5 + TTL }))).valid).toBe(true);
  });

  it('refuse an exp further from iat than the configured lifetime', async () => {
    const { tokens, sign, now } = await withRealKey();
    expect(await tokens.validate(await sign({ exp: now + 365 * 86_400 }))).toEqual({ valid: false, reason: 'invalid_claims' });
    expect(await tokens.validate(await sign({ exp: now + TTL + 1 }))).toEqual({ valid: false, reason: 'invalid_claims' });
    expect(await tokens.validate(await sign({ iat: now - 1, exp: now + TTL }))).toEqual({ valid: false, reason: 'invalid_claims' });
  });

  it('refuse a foreign or missing aud', async () => {
    const { tokens, sign } = await withRealKey();
    expect(await tokens.validate(await sign({ aud: 'AC' + 'cd'.repeat(16) }))).toEqual({ valid: false, reason: 'wrong_audience' });
    expect(await tokens.validate(await sign({ aud: ['https://app.example.test'] }))).toEqual({ valid: false, reason: 'wrong_audience' });
    expect(await tokens.validate(await sign({ aud: undefined }))).toEqual({ valid: false, reason: 'wrong_audience' });
  });

  it('refuse a token without iat or exp', async () => {
    const { tokens, sign } = await withRealKey();
    expect(await tokens.validate(await sign({ iat: undefined }))).toEqual({ valid: false, reason: 'invalid_claims' });
    expect(await tokens.validate(await sign({ exp: undefined }))).toEqual({ valid: false, reason: 'invalid_claims' });
  });
});
