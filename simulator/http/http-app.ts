import { logRequests, quietRequests } from '../../gateway/http/request-log';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest, type FastifyReply } from 'fastify';
import websocket from '@fastify/websocket';
import { basicAuthMatches, secretsEqual, type AccountCredentials } from '../../gateway/auth/basic-auth';
import { twilioErrorBody } from '../../gateway/errors';
import { limitConnections, limitUpgrades, listenerServerOptions, type ListenerLimits } from '../../gateway/http/listener-limits';
import { registerControlRoutes, type ControlDeps } from './control-routes';
import { MAX_FRAME_BYTES, registerHandsetSocket, type HandsetSocketDeps } from './handset-socket';
import { sendError } from './errors';
import type { VoiceNetwork } from '../voice/voice-network';
import type { SimulatorConsole } from '../console';

export interface SimulatorHttpDeps extends ControlDeps, HandsetSocketDeps {
  credentials: AccountCredentials;
  /** Timeouts and connection cap of the listener. */
  listener: ListenerLimits;
  logger?: FastifyBaseLogger;
  /** The Calls and SMS REST API and `/api/calls`, when the voice network is built. */
  voice?: VoiceNetwork;
  /** The console's pages and event stream. */
  console?: SimulatorConsole;
}

const MALFORMED_PATH = 'the path has a malformed percent escape: each % must be followed by two hex digits of UTF-8';

/** The simulator's HTTP side (control API, handset WebSocket), unstarted: the caller listens. */
export function buildSimulatorHttp(deps: SimulatorHttpDeps): FastifyInstance {
  const serverOptions = {
    ...listenerServerOptions(deps.listener),
    bodyLimit: 1 << 20,
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      sendError(reply, 400, error.code === 'FST_ERR_BAD_URL' ? MALFORMED_PATH : 'bad request');
      // An upgrade answered here never reaches the hooks below: close it too.
      if (request.headers.upgrade) request.raw.socket.end();
    },
  };
  const app = deps.logger ? Fastify({ ...serverOptions, ...quietRequests(), loggerInstance: deps.logger }) : Fastify({ ...serverOptions, logger: false });
  limitConnections(app.server, deps.listener);
  if (deps.logger) logRequests(app);
  limitUpgrades(app.server, deps.listener);
  app.register(websocket, { options: { maxPayload: MAX_FRAME_BYTES } });

  app.setErrorHandler((error: { statusCode?: number; validation?: unknown; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) reply.log.error(error);
    sendError(reply, status, status === 500 ? 'internal error' : error.message);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, `no route ${request.method} ${request.url.split('?')[0]}`));

  // A refused WebSocket upgrade (wrong credentials, bad number) has left Node's HTTP handling: close it once answered.
  // Hooks on every request take a callback rather than return a promise: one less promise and tick per request.
  app.addHook('onResponse', (request, _reply, done) => {
    if (request.headers.upgrade) request.raw.socket.end();
    done();
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  deps.console?.registerPages(app);

  app.register(async (api) => {
    api.addHook('onRequest', (request, reply, done) => {
      if (authenticate(request, reply, deps.credentials, deps.console)) done();
    });
    registerControlRoutes(api, deps);
    registerHandsetSocket(api, deps);
    deps.voice?.register(api);
    deps.console?.registerAuthenticated(api);
  });
  return app;
}

/** Whether the request may go on; if not, it has been answered (403 or 401). */
function authenticate(request: FastifyRequest, reply: FastifyReply, credentials: AccountCredentials, webConsole?: SimulatorConsole): boolean {
  // A browser's change from another site is refused even with credentials: cached Basic auth and cookies ride along.
  if (webConsole?.refuses(request)) {
    sendError(reply, 403, 'cross-site request refused');
    return false;
  }
  if (basicAuthMatches(request.headers.authorization, credentials)) return true;
  if (webConsole?.authorises(request)) return true;
  // Browsers cannot set headers on a WebSocket upgrade, so the handset socket also takes the token in the query.
  const token = (request.query as Record<string, unknown> | undefined)?.['access_token'];
  if (request.url.startsWith('/ws/') && typeof token === 'string' && secretsEqual(token, credentials.authToken)) return true;
  reply.header('WWW-Authenticate', 'Basic realm="verigate"');
  if (/^\/(restcomm\/2012-04-24|2010-04-01)\//.test(request.url)) {
    // The REST API answers as Twilio does, so Twilio and Restcomm clients read the code.
    reply.code(401).send(twilioErrorBody(20003, 'Authentication Error - invalid username or password', 401));
    return false;
  }
  sendError(reply, 401, 'missing or wrong credentials: use HTTP Basic auth with the account SID and auth token');
  return false;
}
