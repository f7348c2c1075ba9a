import { VerigateError } from './verigate-error';

/** Twilio's error body, which its SDKs read into a RestException (never RFC 9457's shape). */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

/** Twilio's page for an error code, as its bodies and notifications link it. */
export function twilioMoreInfo(code: number): string {
  return `https://www.twilio.com/docs/errors/${code}`;
}

/** The one place that writes Twilio's error body: the Verify API and the simulator's REST API answer with it. */
export function twilioErrorBody(code: number, message: string, status: number): TwilioErrorBody {
  return { code, message, more_info: twilioMoreInfo(code), status };
}

/** An error an API answers the Twilio way: a Twilio error number and the HTTP status of its catalogue entry. */
export abstract class TwilioApiError extends VerigateError {
  abstract override readonly code: number;

  toJSON(): TwilioErrorBody {
    return twilioErrorBody(this.code, this.message, this.httpStatus);
  }
}
