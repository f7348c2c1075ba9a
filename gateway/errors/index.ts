export { VerigateError } from './verigate-error';
export { TwilioApiError, twilioErrorBody, twilioMoreInfo, type TwilioErrorBody } from './twilio-error';
