import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VOICE_ERRORS, VoiceApiError } from '../../../../simulator/voice/errors';

describe('the voice error catalogue', () => {
  it('documents every code in docs/voice-network.md', () => {
    const docs = readFileSync(new URL('../../../../docs/voice-network.md', import.meta.url), 'utf8');
    const missing = Object.keys(VOICE_ERRORS).filter((code) => !docs.includes(`| ${code} |`));
    expect(missing).toEqual([]);
  });

  it('gives REST errors a 4xx status and Twilio\'s JSON shape', () => {
    const error = new VoiceApiError(21211, 'bad To');
    expect(error.toJSON()).toEqual({ code: 21211, message: 'bad To', more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 });
    for (const [code, { status }] of Object.entries(VOICE_ERRORS)) {
      if (Number(code) < 30000 && Number(code) >= 20000) expect(status, String(code)).toBeGreaterThanOrEqual(400);
    }
  });
});
