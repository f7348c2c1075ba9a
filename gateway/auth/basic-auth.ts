import { hash, timingSafeEqual } from 'node:crypto';

export interface AccountCredentials {
  accountSid: string;
  authToken: string;
}

/**
 * Compares secrets in constant time. Both sides are hashed first so that
 * neither the content nor the length of the expected value leaks through timing.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = hash('sha256', given, 'buffer');
  const b = hash('sha256', expected, 'buffer');
  return timingSafeEqual(a, b);
}

/** Parses an `Authorization: Basic …` header into user and password. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Per credentials object: the SHA-256 of its canonical header, `Basic base64(sid:token)`. */
const canonicalHeaders = new WeakMap<AccountCredentials, { accountSid: string; authToken: string; digest: Buffer }>();

function canonicalDigest(credentials: AccountCredentials): Buffer {
  const known = canonicalHeaders.get(credentials);
  if (known && known.accountSid === credentials.accountSid && known.authToken === credentials.authToken) return known.digest;
  const header = `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`;
  const digest = hash('sha256', header, 'buffer');
  canonicalHeaders.set(credentials, { accountSid: credentials.accountSid, authToken: credentials.authToken, digest });
  return digest;
}

/**
 * Whether the header carries this account's SID and auth token (both compared in constant time). The header
 * clients send, byte for byte the canonical one, costs one hash and a constant-time compare; any other form
 * (another case, spaces, or wrong) is parsed and its parts compared.
 */
export function basicAuthMatches(header: string | undefined, credentials: AccountCredentials): boolean {
  if (header === undefined) return false;
  if (timingSafeEqual(hash('sha256', header, 'buffer'), canonicalDigest(credentials))) return true;
  const given = parseBasicAuth(header);
  if (!given) return false;
  const sidOk = secretsEqual(given.user, credentials.accountSid);
  const tokenOk = secretsEqual(given.password, credentials.authToken);
  return sidOk && tokenOk;
}
