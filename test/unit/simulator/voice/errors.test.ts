import { describe, expect, it } from 'vitest';
import { VOICE_ERRORS, VoiceApiError } from '../../../../simulator/voice/errors';

// That every code is documented, once, is checked with the other catalogues in test/unit/error-catalogues.test.ts.
describe('the voice error catalogue', () => {
  it('gives REST errors a 4xx status and Twilio\'s JSON shape', () => {
    const error = new VoiceApiError(21211, 'bad To');
    expect(error.toJSON()).toEqual({ code: 21211, message: 'bad To', more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 });
    for (const [code, { status }] of Object.entries(VOICE_ERRORS)) {
      if (Number(code) < 30000 && Number(code) >= 20000) expect(status, String(code)).toBeGreaterThanOrEqual(400);
    }
  });
});
