import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, generateKeyPair } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessionTokens, type SessionTokens } from '../../../../verifier/session';
import { openStorage } from '../../../../verifier/store/open-storage';
import type { VerifierStorage } from '../../../../verifier/store/storage';
import { startStack, type RunningStack } from '../../../support/stack-harness';
import { ManualClock } from '../../../support/manual-clock';

const ISSUER = 'https://verify.example.test';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tokensOn(storage: VerifierStorage, clock: ManualClock, settings = { ttlSeconds: 600, rotateAfterSeconds: 0 }): SessionTokens {
  return createSessionTokens(storage, clock, () => ISSUER, settings);
}

async function memoryStorage(): Promise<VerifierStorage> {
  const storage = await openStorage({ dataFile: ':memory:' });
  cleanups.push(() => storage.close());
  return storage;
}

async function memoryTokens(settings?: { ttlSeconds: number; rotateAfterSeconds: number }): Promise<{ tokens: SessionTokens; clock: ManualClock }> {
  const clock = new ManualClock();
  return { tokens: tokensOn(await memoryStorage(), clock, settings), clock };
}

async function stack(): Promise<RunningStack> {
  const s = await startStack();
  cleanups.push(() => s.stop());
  return s;
}

async function validate(s: RunningStack, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return s.verify('/v2/SessionTokens/Validate', { Token: token });
}

describe('session tokens', () => {
  it('are ES256 JWTs with a kid, sub = the number, iss = the issuer, ten minutes of life, that verify against the JWKS', async () => {
    const { tokens, clock } = await memoryTokens();
    const issued = await tokens.issue('+4915112360001', 'sms');
    expect(decodeProtectedHeader(issued.token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: issued.kid });
    const { payload } = await jwtVerify(issued.token, createLocalJWKSet(await tokens.jwks()), { issuer: ISSUER, currentDate: new Date(clock.now()) });
    expect(payload).toMatchObject({ sub: '+4915112360001', iss: ISSUER, iat: Math.floor(clock.now() / 1000), exp: Math.floor(clock.now() / 1000) + 600 });
    expect(payload.jti).toMatch(/^[\w-]{22}$/);
  });

  it('publish only public keys in the JWKS: EC P-256, with kid, alg and use', async () => {
    const { tokens } = await memoryTokens();
    const { kid } = await tokens.issue('+4915112360002', 'sms');
    const { keys } = await tokens.jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', kid, alg: 'ES256', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('are refused once expired, by reason', async () => {
    const { tokens, clock } = await memoryTokens();
    const { token } = await tokens.issue('+4915112360003', 'call');
    expect(await tokens.validate(token)).toMatchObject({ valid: true, claims: { sub: '+4915112360003', amr: ['tel'] } });
    clock.advance(599_000);
    expect((await tokens.validate(token)).valid).toBe(true);
    clock.advance(1_000);
    expect(await tokens.validate(token)).toEqual({ valid: false, reason: 'expired' });
  });

  it('keep tokens of the previous key valid after a rotation until they expire, then drop the old key from the JWKS', async () => {
    const { tokens, clock } = await memoryTokens();
    const old = await tokens.issue('+4915112360004', 'sms');
    clock.advance(300_000);
    const newKid = await tokens.rotate();
    expect(newKid).not.toBe(old.kid);
    const fresh = await tokens.issue('+4915112360004', 'sms');
    expect(fresh.kid).toBe(newKid);
    expect((await tokens.jwks()).keys.map((k) => k.kid)).toEqual([old.kid, newKid]);
    expect((await tokens.validate(old.token)).valid).toBe(true);
    expect((await tokens.validate(fresh.token)).valid).toBe(true);

    // The last token of the old key expires 600 s after it was signed, i.e. 300 s after the rotation at the latest.
    clock.advance(300_000);
    expect(await tokens.validate(old.token)).toEqual({ valid: false, reason: 'expired' });
    clock.advance(300_000);
    expect((await tokens.jwks()).keys.map((k) => k.kid)).toEqual([newKid]);
    expect(await tokens.validate(old.token)).toEqual({ valid: false, reason: 'unknown_key' });
  });

  it('rotate the key by themselves once it is older than rotateAfterSeconds', async () => {
    const { tokens, clock } = await memoryTokens({ ttlSeconds: 600, rotateAfterSeconds: 3600 });
    const first = await tokens.issue('+4915112360005', 'sms');
    clock.advance(3_599_000);
    expect((await tokens.issue('+4915112360005', 'sms')).kid).toBe(first.kid);
    clock.advance(1_000);
    const second = await tokens.issue('+4915112360005', 'sms');
    expect(second.kid).not.toBe(first.kid);
    expect((await tokens.jwks()).keys).toHaveLength(2);
  });

  it('make one key when many tokens are issued at once on a fresh database', async () => {
    const { tokens } = await memoryTokens();
    const issued = await Promise.all(Array.from({ length: 10 }, () => tokens.issue('+4915112360006', 'sms')));
    expect(new Set(issued.map((i) => i.kid)).size).toBe(1);
    expect((await tokens.jwks()).keys).toHaveLength(1);
  });

  it('keep their keys across a restart on the same database file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'verigate-keys-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'verigate.db');
    const clock = new ManualClock();
    const before = await openStorage({ dataFile: file });
    const { token, kid } = await tokensOn(before, clock).issue('+4915112360007', 'sms');
    await before.close();
    const after = await openStorage({ dataFile: file });
    cleanups.push(() => after.close());
    const restarted = tokensOn(after, clock);
    expect(await restarted.validate(token)).toMatchObject({ valid: true, kid });
    expect((await restarted.issue('+4915112360007', 'sms')).kid).toBe(kid);
  });

  it('are refused when signed by another key, for another issuer, or not a JWT at all', async () => {
    const { tokens, clock } = await memoryTokens();
    const { token, kid } = await tokens.issue('+4915112360008', 'sms');
    const [header, payload] = token.split('.');
    const other = await generateKeyPair('ES256');
    const iat = Math.floor(clock.now() / 1000);
    const forged = await new SignJWT({ sub: '+4915112360008' }).setProtectedHeader({ alg: 'ES256', kid }).setIssuer(ISSUER).setIssuedAt(iat).setExpirationTime(iat + 600).sign(other.privateKey);
    expect(await tokens.validate(forged)).toEqual({ valid: false, reason: 'bad_signature' });
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: '+4915112369999' })).toString('base64url')}.${token.split('.')[2]}`;
    expect(await tokens.validate(tampered)).toEqual({ valid: false, reason: 'bad_signature' });
    const elsewhere = createSessionTokens(await memoryStorage(), clock, () => 'https://elsewhere.example.test', { ttlSeconds: 600, rotateAfterSeconds: 0 });
    const foreign = await elsewhere.issue('+4915112360008', 'sms');
    expect(await tokens.validate(foreign.token)).toEqual({ valid: false, reason: 'unknown_key' });
    expect(await tokens.validate('not-a-jwt')).toEqual({ valid: false, reason: 'malformed' });
    const hs = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'HS256', kid }).setIssuer(ISSUER).sign(new Uint8Array(32));
    expect((await tokens.validate(hs)).valid).toBe(false);
  });

  it('refuse a token of a known key with the wrong issuer', async () => {
    const clock = new ManualClock();
    let issuer = 'https://old.example.test';
    const tokens = createSessionTokens(await memoryStorage(), clock, () => issuer, { ttlSeconds: 600, rotateAfterSeconds: 0 });
    const { token } = await tokens.issue('+4915112360009', 'sms');
    issuer = ISSUER;
    expect(await tokens.validate(token)).toEqual({ valid: false, reason: 'wrong_issuer' });
  });

  it('fail fast on a bad setting, naming it', async () => {
    const storage = await memoryStorage();
    expect(() => createSessionTokens(storage, new ManualClock(), () => ISSUER, { ttlSeconds: 0, rotateAfterSeconds: 0 })).toThrow(/sessionTokens\.ttlSeconds/);
  });
});

describe('session token endpoints', () => {
  it('serve the JWKS at /.well-known/jwks.json without auth, and it verifies a token with createRemoteJWKSet', async () => {
    const s = await stack();
    const issued = await s.verifier.sessionTokens.issue('+4915112360010', 'flashcall');
    const response = await fetch(`${s.verifyUrl}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const jwks = (await response.json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([issued.kid]);
    const { payload } = await jwtVerify(issued.token, createRemoteJWKSet(new URL(`${s.verifyUrl}/.well-known/jwks.json`)), { issuer: s.verifyUrl });
    expect(payload.sub).toBe('+4915112360010');
  });

  it('after a rotation the remote JWKS verifies the tokens of both keys', async () => {
    const s = await stack();
    const old = await s.verifier.sessionTokens.issue('+4915112360011', 'sms');
    await s.verifier.sessionTokens.rotate();
    const fresh = await s.verifier.sessionTokens.issue('+4915112360011', 'sms');
    const jwks = createRemoteJWKSet(new URL(`${s.verifyUrl}/.well-known/jwks.json`));
    for (const { token, kid } of [old, fresh]) {
      const { protectedHeader } = await jwtVerify(token, jwks, { issuer: s.verifyUrl });
      expect(protectedHeader.kid).toBe(kid);
      expect(await validate(s, token)).toMatchObject({ status: 200, body: { valid: true, kid } });
    }
  });

  it('POST /v2/SessionTokens/Validate answers valid with the claims, or valid:false with a reason', async () => {
    const s = await stack();
    const { token, kid, claims } = await s.verifier.sessionTokens.issue('+4915112360012', 'sms');
    const ok = await validate(s, token);
    expect(ok).toEqual({
      status: 200,
      body: {
        valid: true,
        phone_number: '+4915112360012',
        kid,
        issued_at: new Date(claims.iat * 1000).toISOString(),
        expires_at: new Date(claims.exp * 1000).toISOString(),
        claims: { ...claims },
      },
    });
    expect(await validate(s, `${token.slice(0, -4)}AAAA`)).toEqual({ status: 200, body: { valid: false, reason: 'bad_signature' } });
    expect(await validate(s, 'garbage')).toEqual({ status: 200, body: { valid: false, reason: 'malformed' } });
  });

  it('POST /v2/SessionTokens/Validate needs the Verify API credentials and a Token', async () => {
    const s = await stack();
    const anonymous = await fetch(`${s.verifyUrl}/v2/SessionTokens/Validate`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Token=x',
    });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 20003 });
    expect(await s.verify('/v2/SessionTokens/Validate', {})).toMatchObject({ status: 400, body: { code: 60200 } });
  });
});
