import { randomHex } from '../gateway/random-hex';

/**
 * Twilio-style SIDs: two letters and 32 lowercase hex digits (VA service, VE verification, VL attempt,
 * SK API key, RK rate limit, BL bucket, GN safe-list entry, YW webhook, YE entity, YF factor, YC challenge).
 */
export type SidPrefix = 'VA' | 'VE' | 'VL' | 'SK' | 'RK' | 'BL' | 'GN' | 'YW' | 'YE' | 'YF' | 'YC' | 'HJ';

/** From the pooled CSPRNG (gateway/random-hex.ts): a SID names a resource, it is never a secret. */
export function newSid(prefix: SidPrefix): string {
  return `${prefix}${randomHex(16)}`;
}

const SID_BODY = /^[0-9a-f]{32}$/;

export function isSid(value: string, prefix: string): boolean {
  return value.length === prefix.length + 32 && value.startsWith(prefix) && SID_BODY.test(value.slice(prefix.length));
}
