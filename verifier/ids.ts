import { randomHex } from '../gateway/random-hex';

/**
 * Twilio-style SIDs: two letters and 32 lowercase hex digits (VA service, VE verification, VL attempt,
 * SK API key, RK rate limit, BL bucket, GN safe-list entry, YW webhook, YE entity, YF factor, YC challenge).
 */
export type SidPrefix = 'VA' | 'VE' | 'VL' | 'SK' | 'RK' | 'BL' | 'GN' | 'YW' | 'YE' | 'YF' | 'YC' | 'HJ';

/**
 * 11 hex digits of the time, then 21 from the pooled CSPRNG (gateway/random-hex.ts): a SID names a resource,
 * it is never a secret, and its time is in the resource's date_created anyway. SIDs made in time order go to
 * the last page of each index keyed by them (verifications, attempts by SID and by verification), where a
 * group commit's inserts share one page write; random SIDs cost a page each.
 */
export function newSid(prefix: SidPrefix): string {
  return `${prefix}${Date.now().toString(16).padStart(11, '0').slice(-11)}${randomHex(11).slice(0, 21)}`;
}

const SID_BODY = /^[0-9a-f]{32}$/;

export function isSid(value: string, prefix: string): boolean {
  return value.length === prefix.length + 32 && value.startsWith(prefix) && SID_BODY.test(value.slice(prefix.length));
}
