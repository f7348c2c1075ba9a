import { TwilioApiError, VerigateError } from '../../gateway/errors';

/**
 * The voice network's error catalogue: Twilio's numeric codes, so that clients
 * written for Twilio or Restcomm recognise them. REST errors carry the HTTP
 * status to answer with; RCML errors and warnings are kept on the call as
 * notifications (an error ends it `completed`, as on Twilio).
 */
export const VOICE_ERRORS = {
  // REST API
  20001: { status: 400, title: 'Invalid parameter' },
  20003: { status: 401, title: 'Authentication failed' },
  20404: { status: 404, title: 'Resource not found' },
  20429: { status: 429, title: 'Too many requests' },
  20500: { status: 500, title: 'Internal server error' },
  21201: { status: 400, title: "No 'To' number is specified" },
  21205: { status: 400, title: 'Url is not a valid URL' },
  21206: { status: 400, title: 'Invalid SendDigits' },
  21208: { status: 400, title: 'Invalid Timeout' },
  21209: { status: 400, title: 'Invalid Method value' },
  21211: { status: 400, title: "Invalid 'To' phone number" },
  21212: { status: 400, title: "Invalid 'From' number" },
  21213: { status: 400, title: "No 'From' number is specified" },
  21218: { status: 400, title: 'Invalid ApplicationSid' },
  21220: { status: 400, title: 'Invalid call state' },
  21223: { status: 400, title: 'Invalid MachineDetection' },
  21602: { status: 400, title: 'Message body is required' },
  21603: { status: 400, title: "A 'From' phone number is required" },
  21604: { status: 400, title: "A 'To' phone number is required" },
  21609: { status: 400, title: 'Invalid StatusCallback URL' },
  21611: { status: 400, title: "This 'From' number has exceeded the maximum number of queued messages" },
  21617: { status: 400, title: 'The concatenated message body exceeds the 1600 character limit' },
  21619: { status: 400, title: 'A text message body or media urls must be specified' },
  21620: { status: 400, title: 'Invalid media URL(s)' },
  21626: { status: 400, title: "Invalid 'StatusCallbackEvent'" },
  21701: { status: 400, title: 'The Messaging Service does not exist' },
  32018: { status: 400, title: 'Twiml size exceeded maximum allowed value of 4000 characters' },
  // Fetching and running RCML (status 0: no HTTP answer; an error ends the call completed, a warning lets it go on)
  11200: { status: 0, title: 'HTTP retrieval failure' },
  11205: { status: 0, title: 'HTTP connection failure' },
  11215: { status: 0, title: 'HTTP too many redirects' },
  11750: { status: 0, title: 'TwiML response body too large' },
  12100: { status: 0, title: 'Document parse failure' },
  12200: { status: 0, title: 'Schema validation warning' },
  12300: { status: 0, title: 'Invalid Content-Type' },
  12400: { status: 0, title: 'Internal failure' },
  14106: { status: 0, title: 'Document retrieval limit reached' },
  32019: { status: 0, title: 'Twiml and Voice URL are both set. Using Voice URL.' },
  // Messages (error_code on an undelivered or failed message)
  30003: { status: 0, title: 'Unreachable destination handset' },
  30008: { status: 0, title: 'Unknown error' },
  30036: { status: 0, title: 'Validity period expired' },
} as const satisfies Record<number, { status: number; title: string }>;

export type VoiceErrorCode = keyof typeof VOICE_ERRORS;
/** The codes the REST API answers with: those with an HTTP status. */
export type VoiceRestErrorCode = { [C in VoiceErrorCode]: (typeof VOICE_ERRORS)[C]['status'] extends 0 ? never : C }[VoiceErrorCode];

/** A REST request the API refuses: answered as Twilio's `{code, message, more_info, status}`. */
export class VoiceApiError extends TwilioApiError {
  override readonly name = 'VoiceApiError';
  override readonly httpStatus: number;

  constructor(readonly code: VoiceRestErrorCode, message?: string) {
    super(message ?? VOICE_ERRORS[code].title);
    this.httpStatus = VOICE_ERRORS[code].status;
  }
}

/** An RCML document could not be fetched, parsed or run: the call ends with this code as an error notification. */
export class RcmlError extends VerigateError {
  override readonly name = 'RcmlError';

  constructor(readonly code: VoiceErrorCode, message: string) {
    super(message);
  }
}
