import { logRequests, quietRequests } from '../../gateway/http/request-log';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Registry } from 'prom-client';
import { basicAuthMatches, type AccountCredentials } from '../../gateway/auth/basic-auth';
import { limitConnections, listenerServerOptions, type ListenerLimits } from '../../gateway/http/listener-limits';
import type { CodeBook } from '../codes';
import { VerifyError } from '../errors';
import type { VerifySurface } from '../verify-surface';
import type { VerifierStorage } from '../store/storage';
import { authenticate } from './api-auth';
import { registerApiKeyRoutes } from './api-key-routes';
import { registerSurfaceRoutes } from './surface-routes';
import { registerHostedPages, type HostedPagesDeps } from '../pages';
import { registerJwksRoute, registerSessionTokenRoutes, type SessionTokens } from '../session';
import { registerVerifyRoutes, type VerifyRoutesDeps } from './verify-routes';
import { takeRateLimits } from '../rate-limit-buckets';
import { registerVoiceRoutes, type VoiceRoutesDeps } from './voice-routes';

export interface VerifierHttpDeps extends Omit<VerifyRoutesDeps, 'accountSid' | 'services'>, Omit<VoiceRoutesDeps, 'attempts' | 'engine' | 'now'> {
  /** The verifier's storage: the routes use its repositories. */
  storage: VerifierStorage;
  credentials: AccountCredentials;
  registry: Registry;
  /** API keys, rate limits, attempts, safe list, webhooks, TOTP … (verify-surface.ts). */
  surface: VerifySurface;
  /** Seals and opens TOTP seeds. */
  codes: CodeBook;
  /** Timeouts and connection cap of the listener. */
  listener: ListenerLimits;
  logger?: FastifyBaseLogger;
  /** Session tokens: JWKS and the validation endpoint. */
  sessionTokens?: SessionTokens;
  /** The hosted verification pages at `/`, when enabled. */
  pages?: HostedPagesDeps;
}

/**
 * The verifier's HTTP side, unstarted: Verify API, voice endpoints, OpenAPI,
 * docs, metrics (all behind the API credentials), health (open).
 */
export function buildVerifierHttp(deps: VerifierHttpDeps): FastifyInstance {
  const serverOptions = {
    ...listenerServerOptions(deps.listener),
    bodyLimit: 64 * 1024,
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const message = error.code === 'FST_ERR_BAD_URL' ? 'The path has a malformed percent escape: each % must be followed by two hex digits of UTF-8' : 'Bad request';
      reply.code(400).send(new VerifyError('INVALID_PARAMETER', message).toJSON());
    },
  };
  const app = deps.logger ? Fastify({ ...serverOptions, ...quietRequests(), loggerInstance: deps.logger }) : Fastify({ ...serverOptions, logger: false });
  limitConnections(app.server, deps.listener);
  if (deps.logger) logRequests(app);
  app.register(formbody);
  app.register(swagger, {
    openapi: {
      info: { title: 'Verigate Verify API', version: '2', description: 'Twilio Verify v2 compatible. HTTP Basic auth with the account SID and auth token; form-encoded parameters; JSON answers.' },
      components: { securitySchemes: { basic: { type: 'http', scheme: 'basic' } } },
      security: [{ basic: [] }],
    },
  });

  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
    if (error instanceof VerifyError) return reply.code(error.httpStatus).send(error.toJSON());
    if (error.validation || (error.statusCode && error.statusCode < 500)) {
      // Malformed bodies and values fail like Twilio's: 400, code 60200.
      const invalid = new VerifyError('INVALID_PARAMETER', `Invalid parameter: ${error.message}`);
      return reply.code(400).send(invalid.toJSON());
    }
    request.log.error(error);
    return reply.code(500).send(new VerifyError('INTERNAL').toJSON());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(new VerifyError('NOT_FOUND', `The requested resource ${request.url.split('?')[0]} was not found`).toJSON()));

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  const refuse = (reply: FastifyReply) => {
    reply.header('WWW-Authenticate', 'Basic realm="Verigate"');
    return reply.code(401).send(new VerifyError('AUTHENTICATE').toJSON());
  };
  // The account's credentials or one of its API keys: for the API, and for what maps it (docs, metrics).
  const authenticated = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!(await authenticate(request.headers.authorization, deps.credentials, deps.surface.keys))) return refuse(reply);
  };
  app.register(swaggerUi, { routePrefix: '/docs', uiHooks: { onRequest: authenticated } });
  app.register(async (api) => {
    api.addHook('onRequest', authenticated);
    api.get('/metrics', { schema: { hide: true } }, async (_request, reply) => reply.type(deps.registry.contentType).send(await deps.registry.metrics()));
    api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    registerVerifyRoutes(api, {
      ...deps,
      services: deps.storage.services,
      takeRateLimits: (serviceSid, values, now) => takeRateLimits(deps.surface.storage, serviceSid, values, now),
      accountSid: deps.credentials.accountSid,
    });
    registerSurfaceRoutes(api, { surface: deps.surface, services: deps.storage.services, codes: deps.codes, accountSid: deps.credentials.accountSid, now: deps.now });
    if (deps.sessionTokens) registerSessionTokenRoutes(api, deps.sessionTokens);
  });
  app.register(async (keys) => {
    // Managing API keys takes the account's own credentials, never a key.
    keys.addHook('onRequest', async (request, reply) => {
      if (!basicAuthMatches(request.headers.authorization, deps.credentials)) return refuse(reply);
    });
    registerApiKeyRoutes(keys, { keys: deps.surface.keys, accountSid: deps.credentials.accountSid, now: deps.now });
  });
  registerVoiceRoutes(app, { ...deps, attempts: deps.storage.attempts });
  if (deps.sessionTokens) registerJwksRoute(app, deps.sessionTokens);
  if (deps.pages) registerHostedPages(app, deps.pages);
  return app;
}
