export { VerigateError } from './verigate-error';
export { TwilioApiError, twilioErrorBody, type TwilioErrorBody } from './twilio-error';
