import type { Clock, Timer } from '../../gateway/clock';
import type { MessageStore } from '../store/message-store';

export interface MessageRetentionOptions {
  store: MessageStore;
  clock: Clock;
  /** Messages kept, the newest; 0 keeps all. */
  keep: number;
  everyMs?: number;
  /** Deleted per transaction, so a large backlog never holds the SMSC up for long. */
  batch?: number;
}

/** Mailpit's pruning: on a loop, the messages beyond the newest N go, a small batch per transaction. */
export class MessageRetention {
  readonly #options: Required<MessageRetentionOptions>;
  #timer?: Timer;

  constructor(options: MessageRetentionOptions) {
    this.#options = { everyMs: 5_000, batch: 500, ...options };
  }

  start(): void {
    if (this.#options.keep > 0 && !this.#timer) this.#arm();
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** Prunes now; returns how many messages went. */
  prune(): number {
    const { store, keep, batch } = this.#options;
    let total = 0;
    for (let round = 0; round < 20; round++) {
      const deleted = store.pruneMessages(keep, batch);
      total += deleted;
      if (deleted < batch) break;
    }
    return total;
  }

  #arm(): void {
    this.#timer = this.#options.clock.setTimeout(() => {
      try {
        this.prune();
      } catch {
        return; // The store was closed (shutdown).
      }
      this.#arm();
    }, this.#options.everyMs);
  }
}
