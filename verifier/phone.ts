import { parsePhoneNumberFromString } from 'libphonenumber-js';

export interface PhoneNumber {
  e164: string;
  /** ISO 3166-1 alpha-2, when the number belongs to one country. */
  country: string | undefined;
}

/**
 * Accepts E.164 only ('+', country code, subscriber number) that is a possible
 * number for its country. Possible, not "valid": test ranges such as +1 555
 * must work against the simulator.
 */
export function parseE164(input: string): PhoneNumber | undefined {
  const trimmed = input.trim();
  if (!/^\+[1-9]\d{6,14}$/.test(trimmed)) return undefined;
  const phone = parsePhoneNumberFromString(trimmed);
  if (!phone || !phone.isPossible()) return undefined;
  return { e164: phone.number, country: phone.country };
}
