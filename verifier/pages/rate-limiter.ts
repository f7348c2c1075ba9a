import type { Clock } from '../../gateway/clock';
import type { VerifierStorage } from '../store/storage';
import type { PageLimits, RateWindow } from './settings';

export type PageAction = 'start' | 'check';

export interface RateDecision {
  allowed: boolean;
  /** Seconds to wait before trying again, when not allowed. */
  retryAfterSeconds: number;
}

/**
 * Sliding-window limits of the hosted pages, per client IP and per phone
 * number, for code sends and code checks. Hits are counted in the verifier's
 * storage so a restart or another instance on the same database sees the
 * same counts.
 */
export class PageRateLimiter {
  readonly #storage: VerifierStorage;
  readonly #clock: Clock;
  readonly #limits: PageLimits;
  #lastPrune = 0;

  constructor(storage: VerifierStorage, clock: Clock, limits: PageLimits) {
    this.#storage = storage;
    this.#clock = clock;
    this.#limits = limits;
  }

  /** Counts one `action` from `ip` for `phone`; the IP is judged first, so a refused IP does not use up the number's budget. */
  async take(action: PageAction, ip: string, phone: string): Promise<RateDecision> {
    const now = this.#clock.now();
    await this.#prune(now);
    const perIp = action === 'start' ? this.#limits.startsPerIp : this.#limits.checksPerIp;
    const perNumber = action === 'start' ? this.#limits.startsPerNumber : this.#limits.checksPerNumber;
    if (!(await this.#hit(`${action}:ip`, ip, perIp, now))) return { allowed: false, retryAfterSeconds: Math.ceil(perIp.windowMs / 1000) };
    if (!(await this.#hit(`${action}:number`, phone, perNumber, now))) return { allowed: false, retryAfterSeconds: Math.ceil(perNumber.windowMs / 1000) };
    return { allowed: true, retryAfterSeconds: 0 };
  }

  /**
   * Counts one hit of `subject` in `bucket` unless the window already holds `max`. The count and the
   * insert run in one transaction that first locks the bucket and subject, so concurrent requests (on
   * any instance) cannot pass the limit together. False when limited.
   */
  #hit(bucket: string, subject: string, window: RateWindow, now: number): Promise<boolean> {
    return this.#storage.transaction(async (tx) => {
      await tx.lock(`page-hits:${bucket}:${subject}`);
      if ((await tx.pageHits.countSince(bucket, subject, now - window.windowMs)) >= window.max) return false;
      await tx.pageHits.insert(bucket, subject, now);
      return true;
    });
  }

  /** At most once a minute, forgets hits older than the longest window. */
  async #prune(now: number): Promise<void> {
    if (now - this.#lastPrune < 60_000) return;
    this.#lastPrune = now;
    const longest = Math.max(...Object.values(this.#limits).map((w: RateWindow) => w.windowMs));
    await this.#storage.pageHits.prune(now - longest);
  }
}
