import type { Clock } from '../../gateway/clock';
import type { PagesStore } from '../store/pages-store';
import type { PageLimits, RateWindow } from './settings';

export type PageAction = 'start' | 'check';

export interface RateDecision {
  allowed: boolean;
  /** Seconds to wait before trying again, when not allowed. */
  retryAfterSeconds: number;
}

/**
 * Sliding-window limits of the hosted pages, per client IP and per phone
 * number, for code sends and code checks. Hits are counted in SQLite (one
 * transaction per decision) so a restart or a second instance on the same
 * file sees the same counts.
 */
export class PageRateLimiter {
  readonly #store: PagesStore;
  readonly #clock: Clock;
  readonly #limits: PageLimits;
  #lastPrune = 0;

  constructor(store: PagesStore, clock: Clock, limits: PageLimits) {
    this.#store = store;
    this.#clock = clock;
    this.#limits = limits;
  }

  /** Counts one `action` from `ip` for `phone`; the IP is judged first, so a refused IP does not use up the number's budget. */
  take(action: PageAction, ip: string, phone: string): RateDecision {
    const now = this.#clock.now();
    this.#prune(now);
    const perIp = action === 'start' ? this.#limits.startsPerIp : this.#limits.checksPerIp;
    const perNumber = action === 'start' ? this.#limits.startsPerNumber : this.#limits.checksPerNumber;
    if (!this.#hit(`${action}:ip`, ip, perIp, now)) return { allowed: false, retryAfterSeconds: Math.ceil(perIp.windowMs / 1000) };
    if (!this.#hit(`${action}:number`, phone, perNumber, now)) return { allowed: false, retryAfterSeconds: Math.ceil(perNumber.windowMs / 1000) };
    return { allowed: true, retryAfterSeconds: 0 };
  }

  #hit(bucket: string, subject: string, window: RateWindow, now: number): boolean {
    return this.#store.takeHit(bucket, subject, window.max, now - window.windowMs, now);
  }

  /** At most once a minute, forgets hits older than the longest window. */
  #prune(now: number): void {
    if (now - this.#lastPrune < 60_000) return;
    this.#lastPrune = now;
    const longest = Math.max(...Object.values(this.#limits).map((w: RateWindow) => w.windowMs));
    this.#store.pruneHits(now - longest);
  }
}
