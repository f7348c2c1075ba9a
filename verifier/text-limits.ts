import { VerifyError } from './errors';

/**
 * Lengths of the free-text parameters, in characters. Twilio's where it
 * states one (a Verify service's FriendlyName: 30, error 60200; a code: 4 to
 * 10 digits); elsewhere a bound that keeps every message a few SMS parts.
 */
export const TEXT_LIMITS = {
  FriendlyName: 30,
  CustomFriendlyName: 30,
  Amount: 32,
  Payee: 64,
  Locale: 10,
  /** A flash call's code may be the whole caller ID. */
  Code: 32,
  VerificationSid: 34,
  StatusCallback: 2048,
} as const;

/** A message that needs more SMS parts than this is refused at start, never sent. */
export const MAX_SMS_PARTS = 10;

/** `value` of parameter `name`, refused with 60200 when longer than its limit. */
export function limited(name: keyof typeof TEXT_LIMITS, value: string | undefined): string | undefined {
  if (value !== undefined && [...value].length > TEXT_LIMITS[name]) {
    throw new VerifyError('INVALID_PARAMETER', `Invalid parameter \`${name}\`: at most ${TEXT_LIMITS[name]} characters`);
  }
  return value;
}

/** A required parameter: missing or empty answers Twilio's 20001. */
export function required(name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new VerifyError('MISSING_PARAMETER', `Missing required parameter ${name} in the post body`);
  return value;
}
