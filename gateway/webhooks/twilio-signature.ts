import { createHmac } from 'node:crypto';
import { secretsEqual } from '../auth/basic-auth';

export type SignedParams = Record<string, string | string[] | undefined>;

/**
 * X-Twilio-Signature: base64 HMAC-SHA1, keyed by the account's auth token, of
 * the full URL followed by each POST parameter, sorted by name, as name then
 * value (a repeated parameter contributes each of its values in order).
 */
export function twilioSignature(authToken: string, url: string, params: SignedParams = {}): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) data += name + item;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Checks a received signature in constant time. */
export function validTwilioSignature(authToken: string, signature: string | undefined, url: string, params: SignedParams = {}): boolean {
  if (!signature) return false;
  return secretsEqual(signature, twilioSignature(authToken, url, params));
}
