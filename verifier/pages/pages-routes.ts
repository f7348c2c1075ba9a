import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VERIFY_ERRORS, VerifyError } from '../errors';
import type { VerifierMetrics } from '../metrics';
import { parseE164 } from '../phone';
import type { SessionTokens } from '../session';
import type { Service } from '../store/service-repository';
import type { Channel, Verification } from '../store/verification-repository';
import { MAX_CHECKS, type VerificationEngine } from '../verification-engine';
import { CHANNELS } from '../verification-input';
import type { HostedService } from './hosted-service';
import { CONTENT_SECURITY_POLICY } from './layout';
import { PageSessions, type PageSession } from './page-session';
import type { PageAction, PageRateLimiter } from './rate-limiter';
import type { HostedPagesSettings } from './settings';
import { codePage, messagePage, startPage, verifiedPage } from './views';

export interface HostedPagesDeps {
  engine: VerificationEngine;
  service: HostedService;
  sessions: PageSessions;
  limiter: PageRateLimiter;
  tokens: SessionTokens;
  settings: HostedPagesSettings;
  publicUrl(): string;
  now(): number;
  metrics?: VerifierMetrics;
}

type Form = Record<string, unknown>;

const field = (form: Form | undefined, name: string): string => {
  const value = form?.[name];
  return typeof value === 'string' ? value : '';
};

/** People type spaces, dashes, dots and brackets into phone numbers; E.164 has none. */
const compactPhone = (input: string) => input.replace(/[\s\-.()\u00a0]/g, '');

/**
 * The hosted verification pages: number and channel (`GET/POST /`), code
 * (`GET/POST /code`, `POST /code/resend`), then a success page with a
 * session token or a failure page. Server-rendered, no JavaScript. The
 * pending verification lives in the sealed page cookie, never in a URL; every
 * POST carries the session's CSRF token; sends and checks are rate limited
 * per client IP and per number.
 */
export function registerHostedPages(app: FastifyInstance, deps: HostedPagesDeps): void {
  const { engine, sessions, limiter, settings } = deps;
  const brand = settings.serviceName;
  const secure = () => (settings.secureCookies === 'auto' ? deps.publicUrl().startsWith('https:') : settings.secureCookies);

  app.register(async (pages) => {
    pages.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('x-frame-options', 'DENY');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cache-control', 'no-store');
    });

    pages.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
      const clientError = !!error.statusCode && error.statusCode < 500;
      if (!clientError) request.log.error(error);
      return send(reply, clientError ? 400 : 500, messagePage({
        brand,
        title: clientError ? 'That did not work' : 'Something went wrong',
        message: clientError ? 'The form could not be read. Please start again.' : 'An unexpected error happened on our side. Please try again in a moment.',
      }));
    });

    const service = (): Promise<Service> => deps.service.get(deps.now());
    const remember = (reply: FastifyReply, session: PageSession) => reply.header('set-cookie', sessions.setCookie(session, secure()));
    const send = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').send(body);

    /** The session of a POST whose CSRF token matches, or undefined after answering 403. */
    const guarded = (request: FastifyRequest<{ Body: Form }>, reply: FastifyReply): PageSession | undefined => {
      const session = sessions.read(request.headers.cookie);
      if (PageSessions.csrfMatches(session, request.body?.['csrf'])) return session;
      void send(reply, 403, messagePage({
        brand,
        title: 'Your session has expired',
        message: 'For your security this form can only be sent from the page we gave you, with cookies enabled.',
        detail: 'Please start again.',
      }));
      return undefined;
    };

    /** Counts an action against the limits; answers 429 and returns false when over. */
    const allowed = async (request: FastifyRequest, reply: FastifyReply, action: PageAction, phone: string): Promise<boolean> => {
      const decision = await limiter.take(action, request.ip, phone);
      if (decision.allowed) return true;
      void send(reply.header('retry-after', String(decision.retryAfterSeconds)), 429, tooMany(decision.retryAfterSeconds));
      return false;
    };
    const tooMany = (seconds: number) => messagePage({
      brand,
      title: 'Too many attempts',
      message: `Please wait ${Math.max(1, Math.ceil(seconds / 60))} minutes before trying again.`,
      detail: 'This protects your number from abuse.',
    });

    const FAILURES = {
      attempts: { title: 'Verification failed', message: 'No attempts left: the code was entered wrongly too many times.', detail: '0 attempts left. You can ask for a new code by starting again.' },
      expired: { title: 'This code has expired', message: 'The code is no longer valid.', detail: 'Please start again to get a new code.' },
      blocked: { title: 'We cannot send codes to this number', message: 'Codes to this number are not allowed.', detail: 'Please start again with another number.' },
    };
    /** A failure page; the pending verification is forgotten. */
    const failed = (reply: FastifyReply, session: PageSession, kind: keyof typeof FAILURES) => {
      remember(reply, { ...session, pending: undefined });
      return send(reply, 200, messagePage({ brand, ...FAILURES[kind] }));
    };

    const codeView = async (session: PageSession, extra: { error?: string; attemptsLeft?: number; notice?: string } = {}) => {
      const pending = session.pending!;
      return codePage({ brand, csrf: session.csrf, codeLength: (await service()).codeLength, to: pending.to, channel: pending.channel, ...extra });
    };

    pages.get('/', { schema: { hide: true } }, async (request, reply) => {
      const session = sessions.read(request.headers.cookie) ?? sessions.fresh();
      remember(reply, session);
      return send(reply, 200, startPage({ brand, csrf: session.csrf, codeLength: (await service()).codeLength, channel: session.pending?.channel }));
    });

    pages.post<{ Body: Form }>('/', { schema: { hide: true } }, async (request, reply) => {
      const session = guarded(request, reply);
      if (!session) return reply;
      const phoneInput = field(request.body, 'phone').trim();
      const channel = field(request.body, 'channel') as Channel;
      const again = async (status: number, error: { field: 'phone' | 'channel'; message: string }) => {
        remember(reply, session);
        return send(reply, status, startPage({ brand, csrf: session.csrf, codeLength: (await service()).codeLength, phone: phoneInput, channel: CHANNELS.includes(channel) ? channel : undefined, error }));
      };
      const phone = parseE164(compactPhone(phoneInput));
      if (!phone) {
        return again(422, { field: 'phone', message: phoneInput ? 'This is not a phone number in international format. Start with + and the country code.' : 'Enter your phone number.' });
      }
      if (!CHANNELS.includes(channel)) return again(422, { field: 'channel', message: 'Choose how we should send your code.' });
      if (!(await allowed(request, reply, 'start', phone.e164))) return reply;
      let verification: Verification;
      try {
        verification = (await engine.start(await service(), { to: phone.e164, channel, pageSession: PageSessions.tag(session) })).verification;
      } catch (error) {
        if (!(error instanceof VerifyError)) throw error;
        if (error.code === VERIFY_ERRORS.MAX_SEND_ATTEMPTS.code || error.code === VERIFY_ERRORS.TOO_MANY_REQUESTS.code) {
          return send(reply.header('retry-after', '600'), 429, tooMany(600));
        }
        if (error.code === VERIFY_ERRORS.GEO_PERMISSION.code || error.code === VERIFY_ERRORS.DELIVERY_BLOCKED.code) {
          return again(403, { field: 'phone', message: 'We cannot send codes to this number. Please use another one.' });
        }
        if (error.code === VERIFY_ERRORS.UNSUBSCRIBED.code) {
          return again(403, { field: 'phone', message: 'This number asked us not to send it texts (STOP). Text START to us to receive codes again, or choose a call.' });
        }
        if (error.code === VERIFY_ERRORS.INVALID_PARAMETER.code) return again(422, { field: 'phone', message: 'This number cannot be verified. Please check it.' });
        throw error;
      }
      deps.metrics?.started.inc({ channel });
      remember(reply, { ...session, pending: { sid: verification.sid, to: verification.to, channel } });
      // Post/redirect/get: a reload of the code form does not send another code. The Location carries no code and no SID.
      return reply.code(303).header('location', '/code').send();
    });

    pages.get('/code', { schema: { hide: true } }, async (request, reply) => {
      const session = sessions.read(request.headers.cookie);
      if (!session?.pending) return reply.code(303).header('location', '/').send();
      remember(reply, session);
      return send(reply, 200, await codeView(session));
    });

    pages.post<{ Body: Form }>('/code', { schema: { hide: true } }, async (request, reply) => {
      const session = guarded(request, reply);
      if (!session) return reply;
      const pending = session.pending;
      if (!pending) return reply.code(303).header('location', '/').send();
      const code = field(request.body, 'code').trim();
      if (!code) {
        remember(reply, session);
        return send(reply, 422, await codeView(session, { error: pending.channel === 'flashcall' ? 'Enter the number that called you.' : 'Enter the code.' }));
      }
      const pageSession = PageSessions.tag(session);
      // Checks count per number and page session: a replayed cookie counts against its own session only, never the number's other browsers.
      if (!(await allowed(request, reply, 'check', `${pending.to} ${pageSession}`))) return reply;
      let result: Verification;
      try {
        result = await engine.check(await service(), { code, verificationSid: pending.sid, pageSession });
      } catch (error) {
        if (!(error instanceof VerifyError)) throw error;
        if (error.code === VERIFY_ERRORS.MAX_CHECK_ATTEMPTS.code) return failed(reply, session, 'attempts');
        if (error.code === VERIFY_ERRORS.NOT_FOUND.code) return failed(reply, session, 'expired');
        if (error.code === VERIFY_ERRORS.INVALID_PARAMETER.code) {
          // Longer than any code: not counted, shown like a wrong one.
          remember(reply, session);
          return send(reply, 422, await codeView(session, { error: pending.channel === 'flashcall' ? 'That is not the number that called you.' : 'That code is not right.' }));
        }
        throw error;
      }
      deps.metrics?.checks.inc({ result: result.status });
      if (result.status === 'approved') {
        const issued = await deps.tokens.issue(result.to, result.channel);
        remember(reply, { ...session, pending: undefined });
        return send(reply, 200, verifiedPage({ brand, to: result.to, token: issued.token, expiresAt: new Date(issued.claims.exp * 1000) }));
      }
      if (result.status === 'pending') {
        remember(reply, session);
        const wrong = pending.channel === 'flashcall' ? 'That is not the number that called you.' : 'That code is not right.';
        return send(reply, 422, await codeView(session, { error: wrong, attemptsLeft: Math.max(0, MAX_CHECKS - result.checks) }));
      }
      return failed(reply, session, result.status === 'max_attempts_reached' ? 'attempts' : 'expired');
    });

    pages.post<{ Body: Form }>('/code/resend', { schema: { hide: true } }, async (request, reply) => {
      const session = guarded(request, reply);
      if (!session) return reply;
      const pending = session.pending;
      if (!pending) return reply.code(303).header('location', '/').send();
      if (!(await allowed(request, reply, 'start', pending.to))) return reply;
      let verification: Verification;
      try {
        // A repeat start re-sends the same code as a new attempt, or starts afresh if the old one expired.
        verification = (await engine.start(await service(), { to: pending.to, channel: pending.channel, pageSession: PageSessions.tag(session) })).verification;
      } catch (error) {
        if (!(error instanceof VerifyError)) throw error;
        if (error.code === VERIFY_ERRORS.MAX_SEND_ATTEMPTS.code || error.code === VERIFY_ERRORS.TOO_MANY_REQUESTS.code) {
          return send(reply.header('retry-after', '600'), 429, tooMany(600));
        }
        if (error.code === VERIFY_ERRORS.GEO_PERMISSION.code || error.code === VERIFY_ERRORS.DELIVERY_BLOCKED.code || error.code === VERIFY_ERRORS.UNSUBSCRIBED.code) {
          return failed(reply, session, 'blocked');
        }
        throw error;
      }
      deps.metrics?.started.inc({ channel: pending.channel });
      const next: PageSession = { ...session, pending: { ...pending, sid: verification.sid } };
      remember(reply, next);
      return send(reply, 200, await codeView(next, { notice: pending.channel === 'sms' ? 'We sent you a new text message.' : 'We are calling you again.' }));
    });
  });
}
