import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../gateway/clock';
import { secretsEqual } from '../../gateway/auth/basic-auth';

export const SESSION_COOKIE = 'verigate_console';
/** The header the console's scripts send with every request that changes something. */
export const CSRF_HEADER = 'x-verigate-csrf';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Enough for every browser of a team; the oldest session goes first. */
const MAX_SESSIONS = 1_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ConsoleSession {
  id: string;
  /** Sent back by the page's scripts in a header no other site can set. */
  csrfToken: string;
  expiresAt: number;
}

/**
 * Browser sessions of the console, kept in memory (a restart signs everyone
 * out). The cookie is HttpOnly and SameSite=Strict; on top of that, a request
 * that changes something must carry the session's CSRF token in a header, and
 * a WebSocket opened with the cookie must come from a page of this host.
 */
export class ConsoleSessions {
  readonly #sessions = new Map<string, ConsoleSession>();
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  create(): ConsoleSession {
    const session = { id: token(), csrfToken: token(), expiresAt: this.#clock.now() + SESSION_TTL_MS };
    this.#sessions.set(session.id, session);
    if (this.#sessions.size > MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value!);
    return session;
  }

  /** The live session named by the request's cookie, its lifetime renewed. */
  of(request: FastifyRequest): ConsoleSession | undefined {
    const id = cookie(request.headers.cookie, SESSION_COOKIE);
    const session = id === undefined ? undefined : this.#sessions.get(id);
    if (!session) return undefined;
    const now = this.#clock.now();
    if (session.expiresAt <= now) {
      this.#sessions.delete(session.id);
      return undefined;
    }
    session.expiresAt = now + SESSION_TTL_MS;
    return session;
  }

  end(session: ConsoleSession): void {
    this.#sessions.delete(session.id);
  }

  /** Whether the request may use the API on the strength of its session cookie. */
  authorises(request: FastifyRequest): boolean {
    const session = this.of(request);
    if (!session) return false;
    if (request.headers.upgrade?.toLowerCase() === 'websocket') return sameOrigin(request);
    if (SAFE_METHODS.has(request.method)) return true;
    const given = request.headers[CSRF_HEADER];
    return typeof given === 'string' && secretsEqual(given, session.csrfToken);
  }

  cookieFor(session: ConsoleSession): string {
    return `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}`;
  }

  static clearedCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }
}

/**
 * A browser request that changes something from another site (a form posted by
 * a page elsewhere, riding on cached Basic credentials or a cookie): refused.
 * Scripts and other programs send neither header, and are not affected.
 */
export function crossSiteWrite(request: FastifyRequest): boolean {
  if (SAFE_METHODS.has(request.method) && request.headers.upgrade?.toLowerCase() !== 'websocket') return false;
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  return request.headers.origin !== undefined && !sameOrigin(request);
}

function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function token(): string {
  return randomBytes(32).toString('base64url');
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
