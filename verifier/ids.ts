import { randomBytes } from 'node:crypto';

/** Twilio-style SIDs: two letters and 32 lowercase hex digits (VA service, VE verification, VL attempt). */
export function newSid(prefix: 'VA' | 'VE' | 'VL'): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

export function isSid(value: string, prefix: string): boolean {
  return new RegExp(`^${prefix}[0-9a-f]{32}$`).test(value);
}
