import { afterEach, describe, expect, it } from 'vitest';
import { buildVerifier, type Verifier } from '../../verifier';
import { createSessionTokens } from '../../verifier/session';
import { authHeader, credentials } from '../support/simulator-harness';
import { ManualClock } from '../support/manual-clock';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Rows the verifier's connection has inserted, updated or deleted since it opened. */
function databaseChanges(verifier: Verifier): number {
  return (verifier.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
}

async function jwksKids(url: string): Promise<string[]> {
  const response = await fetch(`${url}/.well-known/jwks.json`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
}

describe('JWKS under load', () => {
  it('serves the key set and validates tokens from memory: 1,000 requests write nothing, and the keys still rotate', async () => {
    // The clock stands still, so no timer of the verifier (sweeps, dispatch) writes meanwhile.
    const clock = new ManualClock();
    const verifier = buildVerifier({ host: '127.0.0.1', port: 0, credentials, dataFile: ':memory:', clock, sessionTokens: { ttlSeconds: 600 } });
    const { port } = await verifier.start();
    cleanups.push(() => verifier.stop());
    const url = `http://127.0.0.1:${port}`;
    const first = await verifier.sessionTokens.issue('+4915112367001', 'sms');

    // query_only makes any write statement fail, even one that would change no row (a DELETE of nothing still locks the file).
    const before = databaseChanges(verifier);
    verifier.db.pragma('query_only = ON');
    for (let batch = 0; batch < 20; batch++) {
      const kids = await Promise.all(Array.from({ length: 50 }, () => jwksKids(url)));
      expect(kids.every((k) => k.length === 1 && k[0] === first.kid)).toBe(true);
    }
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${url}/v2/SessionTokens/Validate`, {
        method: 'POST',
        headers: { authorization: authHeader, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ Token: first.token }).toString(),
      });
      expect(await response.json()).toMatchObject({ valid: true, kid: first.kid });
    }
    verifier.db.pragma('query_only = OFF');
    expect(databaseChanges(verifier)).toBe(before);

    // A rotation writes (the new key) and is served at once; the old key stays while its tokens may live.
    const second = await verifier.sessionTokens.rotate();
    expect(databaseChanges(verifier)).toBeGreaterThan(before);
    expect(await jwksKids(url)).toEqual([first.kid, second]);
    clock.advance(600_000);
    verifier.db.pragma('query_only = ON');
    expect(await jwksKids(url)).toEqual([second]);
    verifier.db.pragma('query_only = OFF');
    expect(await verifier.sessionTokens.validate(first.token)).toEqual({ valid: false, reason: 'unknown_key' });
  });

  it('sees a key another instance added to the shared database within a minute, by reading', async () => {
    const clock = new ManualClock();
    const verifier = buildVerifier({ host: '127.0.0.1', port: 0, credentials, dataFile: ':memory:', clock });
    cleanups.push(() => verifier.stop());
    const other = createSessionTokens(verifier.store, clock, () => 'http://other', { ttlSeconds: 600, rotateAfterSeconds: 0 });
    const first = await verifier.sessionTokens.issue('+4915112367002', 'sms');
    const elsewhere = await other.rotate();
    expect(verifier.sessionTokens.jwks().keys.map((k) => k.kid)).toEqual([first.kid]);
    clock.advance(60_000);
    expect(verifier.sessionTokens.jwks().keys.map((k) => k.kid)).toEqual([first.kid, elsewhere]);
  });
});
