import type { Clock, Timer } from '../gateway/clock';
import type { OutboxStore } from '../gateway/outbox';
import type { RateLimitStore } from './store/rate-limit-store';
import type { VerifyStore } from './store/verify-store';

export interface RetentionSettings {
  /** Finished verifications (with their attempts) and outbox rows older than this are deleted; 0 keeps everything. */
  days: number;
  /** Rows deleted per transaction, so a prune never holds the write lock for long. */
  batchSize: number;
  /** Pause between passes once a pass found less than a full batch. */
  intervalMs: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { days: 30, batchSize: 500, intervalMs: 60_000 };

const DAY_MS = 86_400_000;

/**
 * Deletes what the verifier no longer needs (Mailpit's model: a loop with a setting): verifications that
 * ended more than `days` ago with their attempts, finished outbox rows, and rate-limit windows that
 * closed. In small batches, one transaction each; a full batch runs the next at once, so a backlog
 * drains without a long lock and an idle database costs one cheap query a minute.
 */
export class Retention {
  #timer?: Timer;

  constructor(
    private readonly stores: { verify: VerifyStore; outbox: OutboxStore; rateLimits: RateLimitStore },
    private readonly settings: RetentionSettings,
    private readonly clock: Clock,
  ) {}

  /** One batch of each kind; returns how many rows went. */
  pruneOnce(): { verifications: number; outbox: number; rateLimitWindows: number } {
    const now = this.clock.now();
    const before = now - this.settings.days * DAY_MS;
    return {
      verifications: this.stores.verify.pruneFinished(before, this.settings.batchSize),
      outbox: this.stores.outbox.pruneFinished(before, this.settings.batchSize),
      rateLimitWindows: this.stores.rateLimits.prune(now),
    };
  }

  start(): void {
    if (this.settings.days <= 0 || this.#timer) return;
    const pass = () => {
      const pruned = this.pruneOnce();
      const full = pruned.verifications === this.settings.batchSize || pruned.outbox === this.settings.batchSize;
      this.#timer = this.clock.setTimeout(pass, full ? 0 : this.settings.intervalMs);
    };
    this.#timer = this.clock.setTimeout(pass, this.settings.intervalMs);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}
