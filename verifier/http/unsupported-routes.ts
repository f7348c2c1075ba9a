import type { FastifyInstance } from 'fastify';
import { VerifyError } from '../errors';

/**
 * Verify v2 operations that need Twilio's cloud or its mobile SDKs (push factors and their access tokens,
 * passkeys, the push forms). They answer Twilio's error shape with 60204 and say why, so a client sees a
 * clear refusal instead of a 404 (docs/verify-api.md lists them).
 */
const UNSUPPORTED: { method: 'GET' | 'POST'; url: string; why: string }[] = [
  { method: 'POST', url: '/v2/Services/:sid/AccessTokens', why: 'Access tokens are for push factors, which Verigate does not support: use TOTP' },
  { method: 'GET', url: '/v2/Services/:sid/AccessTokens/:token', why: 'Access tokens are for push factors, which Verigate does not support: use TOTP' },
  { method: 'POST', url: '/v2/Services/:sid/Passkeys/Factors', why: 'Passkeys are not supported by Verigate' },
  { method: 'POST', url: '/v2/Services/:sid/Passkeys/VerifyFactor', why: 'Passkeys are not supported by Verigate' },
  { method: 'POST', url: '/v2/Services/:sid/Passkeys/Challenges', why: 'Passkeys are not supported by Verigate' },
  { method: 'POST', url: '/v2/Services/:sid/Passkeys/ApproveChallenge', why: 'Passkeys are not supported by Verigate' },
  { method: 'GET', url: '/v2/Forms/:formType', why: 'Forms describe the push factor\'s SDK payloads; push is not supported by Verigate' },
];

export function registerUnsupportedRoutes(app: FastifyInstance): void {
  for (const { method, url, why } of UNSUPPORTED) {
    app.route({ method, url, schema: { summary: 'Not supported (60204)', tags: ['Not supported'] }, handler: async () => { throw new VerifyError('NOT_SUPPORTED', why); } });
  }
}
