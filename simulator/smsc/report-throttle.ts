import type { Clock } from '../../gateway/clock';

const PRUNE_ABOVE = 10_000;

/**
 * Lets one report per key through per interval, counting the ones held back,
 * so that a flood from one source costs one log line per interval, not one per event.
 */
export class ReportThrottle {
  readonly #keys = new Map<string, { reportedAt: number; held: number }>();

  constructor(private readonly clock: Clock, private readonly intervalMs: number) {}

  /** For an event under `key`: how many events this report covers (itself included), or undefined to stay quiet. */
  report(key: string): number | undefined {
    const now = this.clock.now();
    const entry = this.#keys.get(key);
    if (entry && now - entry.reportedAt < this.intervalMs) {
      entry.held++;
      return undefined;
    }
    if (this.#keys.size >= PRUNE_ABOVE) this.#prune(now);
    this.#keys.set(key, { reportedAt: now, held: 0 });
    return 1 + (entry?.held ?? 0);
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#keys) if (now - entry.reportedAt >= this.intervalMs) this.#keys.delete(key);
  }
}
