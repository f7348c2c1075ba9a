import { describe, expect, it } from 'vitest';
import { twilioErrorBody, VerigateError } from '../../../../gateway/errors';
import { VERIFY_ERRORS, VerifyError } from '../../../../verifier/errors';
import { VOICE_ERRORS, VoiceApiError } from '../../../../simulator/voice/errors';

describe('Twilio API errors', () => {
  it('carry the code and HTTP status of their catalogue entry, are permanent, and have their class as name', () => {
    const verify = new VerifyError('MAX_SEND_ATTEMPTS');
    expect(verify).toBeInstanceOf(VerigateError);
    expect(verify).toMatchObject({ name: 'VerifyError', code: 60203, httpStatus: 429, temporary: false, message: VERIFY_ERRORS.MAX_SEND_ATTEMPTS.title });
    const voice = new VoiceApiError(21220);
    expect(voice).toBeInstanceOf(VerigateError);
    expect(voice).toMatchObject({ name: 'VoiceApiError', code: 21220, httpStatus: 400, temporary: false, message: VOICE_ERRORS[21220].title });
  });

  it('serialize as Twilio\'s body, the same one the handlers write without an error object', () => {
    expect(new VerifyError('NOT_FOUND', 'no such verification').toJSON()).toEqual({
      code: 20404, message: 'no such verification', more_info: 'https://www.twilio.com/docs/errors/20404', status: 404,
    });
    expect(JSON.parse(JSON.stringify(new VoiceApiError(21211, 'bad To')))).toEqual(twilioErrorBody(21211, 'bad To', 400));
  });
});
