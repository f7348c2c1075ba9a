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
  /** The deprecated SMS text; the part limit below bounds it too. */
  CustomMessage: 640,
  /** JSON of up to 10 (Tags) or 20 (substitutions) keys and values of 128 characters. */
  Tags: 4096,
  TemplateCustomSubstitutions: 8192,
} as const;

/** A message that needs more SMS parts than this is refused at start, never sent. */
export const MAX_SMS_PARTS = 10;

/**
 * Android's SMS Retriever reads a message of at most 140 bytes: one SMS part (160 GSM-7 characters
 * or 70 UCS-2). A start with `AppHash` whose message would not fit is refused instead of sent uselessly.
 */
export const APP_HASH_MAX_PARTS = 1;

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
