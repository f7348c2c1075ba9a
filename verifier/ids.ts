import { randomBytes } from 'node:crypto';

/**
 * Twilio-style SIDs: two letters and 32 lowercase hex digits (VA service, VE verification, VL attempt,
 * SK API key, RK rate limit, BL bucket, GN safe-list entry, YW webhook, YE entity, YF factor, YC challenge).
 */
export type SidPrefix = 'VA' | 'VE' | 'VL' | 'SK' | 'RK' | 'BL' | 'GN' | 'YW' | 'YE' | 'YF' | 'YC' | 'HJ';

export function newSid(prefix: SidPrefix): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

export function isSid(value: string, prefix: string): boolean {
  return new RegExp(`^${prefix}[0-9a-f]{32}$`).test(value);
}
