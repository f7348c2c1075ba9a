import { afterEach, describe, expect, it } from 'vitest';
import { buildVerifier } from '../../verifier';
import { createSessionTokens } from '../../verifier/session';
import { openStorage } from '../../verifier/store/open-storage';
import type { VerifierStorage } from '../../verifier/store/storage';
import { authHeader, credentials } from '../support/simulator-harness';
import { ManualClock } from '../support/manual-clock';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `storage` with every repository call and every transaction it is asked for written to `calls`. */
function recording(storage: VerifierStorage, calls: string[]): VerifierStorage {
  return new Proxy(storage, {
    get(target, name) {
      const value = Reflect.get(target, name, target) as unknown;
      if (name === 'transaction') return (work: Parameters<VerifierStorage['transaction']>[0]) => (calls.push('transaction'), target.transaction(work));
      if (typeof value !== 'object' || value === null) return typeof value === 'function' ? value.bind(target) : value;
      return new Proxy(value, {
        get(repository, method) {
          const fn = Reflect.get(repository, method, repository) as unknown;
          if (typeof fn !== 'function') return fn;
          return (...args: unknown[]) => (calls.push(`${String(name)}.${String(method)}`), (fn as (...a: unknown[]) => unknown).apply(repository, args));
        },
      });
    },
  });
}

async function jwksKids(url: string): Promise<string[]> {
  const response = await fetch(`${url}/.well-known/jwks.json`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
}

describe('JWKS under load', () => {
  it('serves the key set and validates tokens from memory: 1,000 requests ask the storage for nothing, and the keys still rotate', async () => {
    // The clock stands still, so no timer of the verifier (sweeps, dispatch) runs meanwhile, and the key set stays fresh.
    const clock = new ManualClock();
    const calls: string[] = [];
    const storage = recording(await openStorage({ dataFile: ':memory:' }), calls);
    const verifier = await buildVerifier({ host: '127.0.0.1', port: 0, credentials, dataFile: ':memory:', storage, clock, sessionTokens: { ttlSeconds: 600 } });
    const { port } = await verifier.start();
    cleanups.push(() => verifier.stop());
    const url = `http://127.0.0.1:${port}`;
    const first = await verifier.sessionTokens.issue('+4915112367001', 'sms');

    calls.length = 0;
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
    expect(calls).toEqual([]);

    // A rotation writes (the new key, in one transaction) and is served at once; the old key stays while its tokens may live.
    const second = await verifier.sessionTokens.rotate();
    expect(calls).toContain('transaction');
    expect(await jwksKids(url)).toEqual([first.kid, second]);
    clock.advance(600_000);
    // The verifier's own timers (dispatch, expiry sweep) fired on the way: let them finish before counting.
    await new Promise((resolve) => setImmediate(resolve));
    calls.length = 0;
    expect(await jwksKids(url)).toEqual([second]);
    expect(calls.filter((call) => call !== 'sessionKeys.all')).toEqual([]);
    expect(await verifier.sessionTokens.validate(first.token)).toEqual({ valid: false, reason: 'unknown_key' });
  });

  it('validates a token signed with a key another instance just made, and publishes such a key within seconds', async () => {
    const clock = new ManualClock();
    const verifier = await buildVerifier({ host: '127.0.0.1', port: 0, credentials, dataFile: ':memory:', clock, sessionTokens: { ttlSeconds: 600 } });
    const { port } = await verifier.start();
    cleanups.push(() => verifier.stop());
    const settings = { ttlSeconds: 600, rotateAfterSeconds: 0, audience: credentials.accountSid };
    const other = createSessionTokens(verifier.storage, clock, () => `http://127.0.0.1:${port}`, settings);
    const first = await verifier.sessionTokens.issue('+4915112367002', 'sms');
    clock.advance(1_000);
    const elsewhere = await other.rotate();
    expect((await verifier.sessionTokens.jwks()).keys.map((k) => k.kid)).toEqual([first.kid]);
    // A token naming a key this instance has not seen makes it read the key set at once.
    const token = await other.issue('+4915112367002', 'sms');
    expect(token.kid).toBe(elsewhere);
    expect(await verifier.sessionTokens.validate(token.token)).toMatchObject({ valid: true, kid: elsewhere });

    clock.advance(1_000);
    const third = await other.rotate();
    expect((await verifier.sessionTokens.jwks()).keys.map((k) => k.kid)).toEqual([first.kid, elsewhere]);
    clock.advance(4_000);
    expect((await verifier.sessionTokens.jwks()).keys.map((k) => k.kid)).toEqual([first.kid, elsewhere, third]);
  });
});
