import type { FastifyInstance } from 'fastify';
import { VerifyError } from '../errors';
import type { SessionTokens } from './session-tokens';

/** `GET /.well-known/jwks.json`: public, cacheable for a minute (a rotation publishes a new key at once; other instances within seconds). */
export function registerJwksRoute(app: FastifyInstance, tokens: SessionTokens): void {
  app.get('/.well-known/jwks.json', {
    schema: { summary: 'Public keys of session tokens (JWKS)', tags: ['Session tokens'], security: [] },
  }, async (_request, reply) => reply.header('cache-control', 'public, max-age=60').header('access-control-allow-origin', '*').send(await tokens.jwks()));
}

/**
 * `POST /v2/SessionTokens/Validate` (Token=…): behind the Verify API's Basic
 * auth, answers 200 `{"valid":true,…claims}` or 200 `{"valid":false,"reason"}`
 * so a backend without a JOSE library can check a token.
 */
export function registerSessionTokenRoutes(api: FastifyInstance, tokens: SessionTokens): void {
  api.post<{ Body: Record<string, unknown> }>('/v2/SessionTokens/Validate', {
    schema: {
      summary: 'Validate a session token',
      description: 'Verigate extension. Checks the signature against the published keys, the issuer and the expiry.',
      tags: ['Session tokens'],
      consumes: ['application/x-www-form-urlencoded'],
      body: { type: 'object', properties: { Token: { type: 'string', description: 'The session token (a JWT) to check' } } },
    },
  }, async (request) => {
    const token = request.body?.['Token'];
    if (typeof token !== 'string' || token === '') throw new VerifyError('INVALID_PARAMETER', 'Missing required parameter `Token`');
    const result = await tokens.validate(token);
    if (!result.valid) return { valid: false, reason: result.reason };
    const { claims } = result;
    return {
      valid: true,
      phone_number: claims.sub,
      kid: result.kid,
      issued_at: new Date(claims.iat * 1000).toISOString(),
      expires_at: new Date(claims.exp * 1000).toISOString(),
      claims,
    };
  });
}
