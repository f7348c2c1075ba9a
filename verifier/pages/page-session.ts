import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../gateway/clock';
import type { Channel } from '../store/verification-repository';

export const PAGE_COOKIE = 'verigate_page';

/** The verification a browser is in the middle of. */
export interface PendingVerification {
  sid: string;
  to: string;
  channel: Channel;
}

/** Everything the pages remember about one browser, carried in its cookie. */
export interface PageSession {
  /** Random id of this browser's session: the verifications it starts are bound to it. */
  id: string;
  /** Per-session CSRF token, echoed by every form in a hidden field. */
  csrf: string;
  pending?: PendingVerification;
  /** Epoch ms after which the cookie is refused. */
  exp: number;
}

const AAD = Buffer.from('verigate-page-session-v1');

/** The value of cookie `name` in a Cookie header, if present. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Page sessions live in one cookie, sealed with AES-256-GCM under a server
 * key: the browser can neither read (the verification SID, the number) nor
 * change it, and no server-side row is needed. The cookie is HttpOnly and
 * SameSite=Strict; its CSRF token must come back in each form (double
 * submit), compared in constant time.
 */
export class PageSessions {
  readonly #key: Buffer;
  readonly #clock: Clock;
  readonly #ttlMs: number;

  constructor(serverKey: Buffer, clock: Clock, ttlSeconds: number) {
    if (serverKey.length < 32) throw new Error('the page session key must be at least 32 bytes');
    // A key of its own, so the sealed cookie can never be confused with anything else sealed under the server key.
    this.#key = createHmac('sha256', serverKey).update('key:page-session').digest();
    this.#clock = clock;
    this.#ttlMs = ttlSeconds * 1000;
  }

  fresh(): PageSession {
    return { id: randomBytes(16).toString('base64url'), csrf: randomBytes(24).toString('base64url'), exp: this.#clock.now() + this.#ttlMs };
  }

  /** The session in a Cookie header, or undefined when missing, tampered with or expired. */
  read(cookieHeader: string | undefined): PageSession | undefined {
    const sealed = cookieValue(cookieHeader, PAGE_COOKIE);
    if (!sealed) return undefined;
    try {
      const bytes = Buffer.from(sealed, 'base64url');
      if (bytes.length < 29) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, 12));
      decipher.setAAD(AAD);
      decipher.setAuthTag(bytes.subarray(12, 28));
      const session = JSON.parse(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8')) as PageSession;
      if (typeof session.csrf !== 'string' || typeof session.exp !== 'number' || session.exp <= this.#clock.now()) return undefined;
      // A cookie sealed before sessions had ids keeps one, stable for its life, derived from its CSRF token.
      if (typeof session.id !== 'string') session.id = createHash('sha256').update(`page-session:${session.csrf}`).digest('base64url');
      return session;
    } catch {
      return undefined;
    }
  }

  /** A Set-Cookie value carrying `session`, its expiry moved forward. */
  setCookie(session: PageSession, secure: boolean): string {
    const renewed: PageSession = { ...session, exp: this.#clock.now() + this.#ttlMs };
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(JSON.stringify(renewed), 'utf8'), cipher.final()]);
    const value = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    return `${PAGE_COOKIE}=${value}; Path=/; Max-Age=${Math.floor(this.#ttlMs / 1000)}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  }

  /**
   * What the store keeps of a session: a hash of its id. Verifications started
   * with it are re-sent and checked only by the same session, so another
   * browser (or an attacker's) cannot use up their checks.
   */
  static tag(session: PageSession): string {
    return createHash('sha256').update(`page-session-tag:${session.id}`).digest('base64url');
  }

  /** Double-submit check: the form's token equals the cookie's, compared in constant time. */
  static csrfMatches(session: PageSession | undefined, submitted: unknown): boolean {
    if (!session || typeof submitted !== 'string') return false;
    const a = Buffer.from(session.csrf);
    const b = Buffer.from(submitted);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
