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

/** Whether the header carries this account's SID and auth token (both compared in constant time). */
export function basicAuthMatches(header: string | undefined, credentials: AccountCredentials): boolean {
  const given = parseBasicAuth(header);
  if (!given) return false;
  const sidOk = secretsEqual(given.user, credentials.accountSid);
  const tokenOk = secretsEqual(given.password, credentials.authToken);
  return sidOk && tokenOk;
}
