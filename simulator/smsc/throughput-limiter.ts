import type { Clock } from '../../gateway/clock';

/** Admits at most `limit()` events per one-second window, as SMSCs cap a bind's throughput. 0 = no cap. */
export class ThroughputLimiter {
  #windowStart = 0;
  #count = 0;

  constructor(private readonly clock: Clock, private readonly limit: () => number) {}

  admit(): boolean {
    const max = this.limit();
    if (max <= 0) return true;
    const now = this.clock.now();
    if (now - this.#windowStart >= 1_000) {
      this.#windowStart = now;
      this.#count = 0;
    }
    if (this.#count >= max) return false;
    this.#count++;
    return true;
  }
}
