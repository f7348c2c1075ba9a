import { TwilioApiError } from '../gateway/errors';

/**
 * The Verify API's error catalogue: Twilio's numeric codes and HTTP statuses,
 * so clients that switch on `code` keep working. Errors serialize as Twilio's
 * `{"code","message","more_info","status"}` (gateway/errors/twilio-error.ts).
 */
export const VERIFY_ERRORS = {
  AUTHENTICATE: { code: 20003, status: 401, title: 'Authentication Error - invalid username' },
  NOT_FOUND: { code: 20404, status: 404, title: 'The requested resource was not found' },
  TOO_MANY_REQUESTS: { code: 20429, status: 429, title: 'Too many requests' },
  INVALID_PARAMETER: { code: 60200, status: 400, title: 'Invalid parameter' },
  MAX_CHECK_ATTEMPTS: { code: 60202, status: 429, title: 'Max check attempts reached' },
  MAX_SEND_ATTEMPTS: { code: 60203, status: 429, title: 'Max send attempts reached' },
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
