import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../gateway/clock';
import { basicAuthMatches, secretsEqual, type AccountCredentials } from '../../gateway/auth/basic-auth';
import { parseHandsetNumber } from '../numbers';
import { ConsoleAssets } from './console-assets';
import { ConsoleSessions, crossSiteWrite, type ConsoleSession } from './console-sessions';

export interface ConsoleRoutesDeps {
  credentials: AccountCredentials;
  sessions: ConsoleSessions;
  clock: Clock;
  /** How many messages the console lists at most (the store keeps the same number). */
  maxMessages: number;
}

const LOGIN_FAILURES_PER_MINUTE = 10;

/**
 * Security headers for every page: nothing from elsewhere (no CDN), no
 * framing, no referrer to other sites (with none at all, Chromium posts forms with `Origin: null`). Scripts and styles are files of this host only.
 */
function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('cache-control', 'no-store');
}

/**
 * The console's pages (`/`, `/phones/{number}`), their assets, and the login
 * form. A page needs the API's credentials: HTTP Basic, or a session cookie
 * from the login form. A page opened with Basic auth also gets a session, so
 * its scripts talk to the API and the sockets the same way in both cases.
 */
export function registerConsoleRoutes(app: FastifyInstance, deps: ConsoleRoutesDeps): void {
  const assets = new ConsoleAssets();
  const { sessions } = deps;
  const failures = new Map<string, { count: number; since: number }>();

  const sessionFor = (request: FastifyRequest, reply: FastifyReply): ConsoleSession | undefined => {
    const existing = sessions.of(request);
    if (existing) return existing;
    if (!basicAuthMatches(request.headers.authorization, deps.credentials)) return undefined;
    const session = sessions.create();
    reply.header('set-cookie', sessions.cookieFor(session));
    return session;
  };

  const toLogin = (request: FastifyRequest, reply: FastifyReply) =>
    reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);

  void app.register(async (scope) => {
    await scope.register(formbody, { bodyLimit: 4096 });

    scope.get('/', async (request, reply) => {
      const session = sessionFor(request, reply);
      if (!session) return toLogin(request, reply);
      return pageHeaders(reply).type('text/html; charset=utf-8').send(assets.page('console.html', {
        csrf: session.csrfToken,
        maxMessages: String(deps.maxMessages),
      }));
    });

    scope.get<{ Params: { number: string } }>('/phones/:number', async (request, reply) => {
      const session = sessionFor(request, reply);
      if (!session) return toLogin(request, reply);
      const number = parseHandsetNumber(request.params.number);
      if (!number) return pageHeaders(reply).code(400).type('text/plain; charset=utf-8').send('A phone number is E.164 digits, "+" optional: /phones/+4915112345678');
      return pageHeaders(reply).type('text/html; charset=utf-8').send(assets.page('phone.html', { csrf: session.csrfToken, number }));
    });

    scope.get<{ Params: { file: string } }>('/console/assets/:file', async (request, reply) => {
      const { file } = request.params;
      if (!ConsoleAssets.isAsset(file)) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
      return reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache').type(assets.type(file)).send(assets.read(file));
    });

    scope.get<{ Querystring: { next?: string; failed?: string } }>('/login', async (request, reply) => {
      return pageHeaders(reply).type('text/html; charset=utf-8').send(assets.page('login.html', {
        next: safeNext(request.query.next),
        error: request.query.failed ? 'That token is not the auth token of this simulator.' : '',
      }));
    });

    scope.post<{ Body: { token?: unknown; next?: unknown } }>('/login', async (request, reply) => {
      if (crossSiteWrite(request)) return reply.code(403).type('text/plain; charset=utf-8').send('cross-site login refused');
      const ip = request.ip;
      const now = deps.clock.now();
      const record = failures.get(ip);
      if (record && now - record.since < 60_000 && record.count >= LOGIN_FAILURES_PER_MINUTE) {
        return reply.code(429).header('retry-after', String(Math.ceil((record.since + 60_000 - now) / 1000))).type('text/plain; charset=utf-8').send('too many failed sign-ins: wait a minute');
      }
      const next = safeNext(typeof request.body?.next === 'string' ? request.body.next : undefined);
      const given = typeof request.body?.token === 'string' ? request.body.token : '';
      if (!secretsEqual(given, deps.credentials.authToken)) {
        if (!record || now - record.since >= 60_000) failures.set(ip, { count: 1, since: now });
        else record.count++;
        if (failures.size > 10_000) failures.delete(failures.keys().next().value!);
        return reply.redirect(`/login?failed=1&next=${encodeURIComponent(next)}`, 303);
      }
      failures.delete(ip);
      const session = sessions.create();
      return reply.header('set-cookie', sessions.cookieFor(session)).redirect(next, 303);
    });

    scope.post('/logout', async (request, reply) => {
      if (crossSiteWrite(request)) return reply.code(403).type('text/plain; charset=utf-8').send('cross-site sign-out refused');
      const session = sessions.of(request);
      if (session) sessions.end(session);
      return reply.header('set-cookie', ConsoleSessions.clearedCookie()).redirect('/login', 303);
    });
  });
}

/** Only a path of this host: never an open redirect to another site. */
function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])[\w\-./%+?=&]*$/.test(next) ? next : '/';
}
