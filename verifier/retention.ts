import type { Logger } from 'pino';
import type { Clock, Timer } from '../gateway/clock';
import type { VerifierStorage } from './store/storage';

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
    private readonly storage: Pick<VerifierStorage, 'verifications' | 'outbox' | 'rateLimits'>,
    private readonly settings: RetentionSettings,
    private readonly clock: Clock,
    private readonly logger?: Logger,
  ) {}

  /** One batch of each kind; returns how many rows went. */
  async pruneOnce(): Promise<{ verifications: number; outbox: number; rateLimitWindows: number }> {
    const now = this.clock.now();
    const before = now - this.settings.days * DAY_MS;
    return {
      verifications: await this.storage.verifications.pruneFinished(before, this.settings.batchSize),
      outbox: await this.storage.outbox.pruneFinished(before, this.settings.batchSize),
      rateLimitWindows: await this.storage.rateLimits.prune(now),
    };
  }

  start(): void {
    if (this.settings.days <= 0 || this.#timer) return;
    const pass = async () => {
      let full = false;
      try {
        const pruned = await this.pruneOnce();
        full = pruned.verifications === this.settings.batchSize || pruned.outbox === this.settings.batchSize;
      } catch (error) {
        this.logger?.warn({ error: (error as Error).message }, 'retention pass failed; trying again at the next');
      }
      if (this.#timer) this.#timer = this.clock.setTimeout(() => void pass(), full ? 0 : this.settings.intervalMs);
    };
    this.#timer = this.clock.setTimeout(() => void pass(), this.settings.intervalMs);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}
