import { basicAuthMatches, parseBasicAuth, type AccountCredentials } from '../../gateway/auth/basic-auth';
import { isSid } from '../ids';
import type { ApiKeyStore } from '../store/api-key-store';

/** Who a request authenticated as: the account itself (SID + auth token) or one of its API keys. */
export type Principal = { kind: 'account' } | { kind: 'key'; sid: string };

/**
 * HTTP Basic with the account SID and auth token, or with an API key's SID and secret, as Twilio's
 * SDKs send them (`twilio(SK…, secret, { accountSid })`). A deleted key no longer authenticates.
 */
export function authenticate(header: string | undefined, credentials: AccountCredentials, keys: ApiKeyStore): Principal | undefined {
  if (basicAuthMatches(header, credentials)) return { kind: 'account' };
  const given = parseBasicAuth(header);
  if (given && isSid(given.user, 'SK') && keys.secretMatches(credentials.accountSid, given.user, given.password)) return { kind: 'key', sid: given.user };
  return undefined;
}
