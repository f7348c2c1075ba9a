import { basicAuthMatches, parseBasicAuth, type AccountCredentials } from '../../gateway/auth/basic-auth';
import { isSid } from '../ids';
import { apiKeySecretMatches, type ApiKeyRepository } from '../store/api-key-repository';

/** Who a request authenticated as: the account itself (SID + auth token) or one of its API keys. */
export type Principal = { kind: 'account' } | { kind: 'key'; sid: string };

/**
 * HTTP Basic with the account SID and auth token, or with an API key's SID and secret, as Twilio's
 * SDKs send them (`twilio(SK…, secret, { accountSid })`). A deleted key no longer authenticates.
 */
export async function authenticate(header: string | undefined, credentials: AccountCredentials, keys: ApiKeyRepository): Promise<Principal | undefined> {
  if (basicAuthMatches(header, credentials)) return { kind: 'account' };
  const given = parseBasicAuth(header);
  if (given && isSid(given.user, 'SK') && await apiKeySecretMatches(keys, credentials.accountSid, given.user, given.password)) return { kind: 'key', sid: given.user };
  return undefined;
}
