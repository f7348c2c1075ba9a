import { TwilioApiError } from '../gateway/errors';

/**
 * The Verify API's error catalogue: Twilio's numeric codes and HTTP statuses,
 * so clients that switch on `code` keep working. Errors serialize as Twilio's
 * `{"code","message","more_info","status"}` (gateway/errors/twilio-error.ts).
 */
export const VERIFY_ERRORS = {
  MISSING_PARAMETER: { code: 20001, status: 400, title: 'Missing required parameter' },
  AUTHENTICATE: { code: 20003, status: 401, title: 'Authentication Error - invalid username' },
  NOT_FOUND: { code: 20404, status: 404, title: 'The requested resource was not found' },
  TOO_MANY_REQUESTS: { code: 20429, status: 429, title: 'Too many requests' },
  UNSUBSCRIBED: { code: 21610, status: 400, title: 'Attempt to send to unsubscribed recipient' },
  INVALID_PARAMETER: { code: 60200, status: 400, title: 'Invalid parameter' },
  MAX_CHECK_ATTEMPTS: { code: 60202, status: 429, title: 'Max check attempts reached' },
  MAX_SEND_ATTEMPTS: { code: 60203, status: 429, title: 'Max send attempts reached' },
  LANDLINE: { code: 60205, status: 400, title: 'SMS is not supported by landline phone number' },
  NOT_SUPPORTED: { code: 60204, status: 400, title: 'Service does not support this feature' },
  RATE_LIMITS_PER_SERVICE: { code: 60207, status: 400, title: 'Max rate limits per service reached' },
  RATE_LIMIT_EXISTS: { code: 60208, status: 400, title: 'Rate limit with that UniqueName already exists' },
  UNIQUE_NAME_INVALID: { code: 60209, status: 400, title: 'UniqueName format is invalid' },
  BUCKETS_PER_RATE_LIMIT: { code: 60210, status: 400, title: 'Max Buckets per Rate limit reached' },
  BUCKET_INTERVAL_EXISTS: { code: 60211, status: 400, title: 'Bucket with the given Interval already exists' },
  MESSAGING_CONFIGURATION_EXISTS: { code: 60213, status: 400, title: 'A Messaging Configuration already exists for the given country' },
  CHALLENGE_ATTEMPTS: { code: 60308, status: 429, title: 'Challenge verification attempts limit reached' },
  FACTOR_ATTEMPTS: { code: 60310, status: 429, title: 'Factor verification attempts reached' },
  MISSING_TO_OR_SID: { code: 60221, status: 400, title: 'Either a To or a VerificationSid must be provided' },
  DELIVERY_BLOCKED: { code: 60410, status: 403, title: 'Verification delivery attempt blocked' },
  GEO_PERMISSION: { code: 60605, status: 403, title: 'Verification delivery to this country is not allowed' },
  INTERNAL: { code: 20500, status: 500, title: 'Internal server error' },
} as const;

export type VerifyErrorName = keyof typeof VERIFY_ERRORS;

export class VerifyError extends TwilioApiError {
  override readonly name = 'VerifyError';
  readonly code: number;
  override readonly httpStatus: number;

  constructor(kind: VerifyErrorName, message?: string) {
    const entry = VERIFY_ERRORS[kind];
    super(message ?? entry.title);
    this.code = entry.code;
    this.httpStatus = entry.status;
  }
}
