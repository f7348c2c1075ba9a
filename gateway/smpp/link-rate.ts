/**
 * The submit rate of one SMPP link, additive increase / multiplicative
 * decrease: an ESME_RTHROTTLED halves it, unless the refused submit left
 * before the last decrease (it tells of the old rate, not the new one: one
 * window of refusals counts once), and every second
 * without one adds a tenth of the rate the link had before it was first
 * throttled, until it is back there (the `tps` cap, or none).
 */
export class LinkRate {
  readonly #cap: number;
  /** The rate while throttled, from `#since`; undefined when not throttled. */
  #base?: number;
  #since = 0;
  #ceiling = 0;
  #lastDecrease = -Infinity;
  /** Submits counted per whole second: this one and the one before (an array of times would cost O(rate)). */
  #second = 0;
  #thisSecond = 0;
  #lastSecond = 0;

  /** `cap`: submits per second at most (0: no cap). */
  constructor(cap: number, readonly minPerSecond = 1) {
    this.#cap = cap;
  }

  /** Submits per second allowed now; Infinity when nothing limits the link. */
  current(now: number): number {
    if (this.#base === undefined) return this.#cap > 0 ? this.#cap : Infinity;
    const grown = this.#base + Math.max(1, this.#ceiling / 10) * ((now - this.#since) / 1000);
    if (grown >= this.#ceiling) {
      this.#base = undefined;
      return this.current(now);
    }
    return grown;
  }

  get throttled(): boolean {
    return this.#base !== undefined;
  }

  /** A submit left at `now`: counted to know the rate an uncapped link was sending at. */
  sent(now: number): void {
    const second = Math.floor(now / 1000);
    if (second !== this.#second) {
      this.#lastSecond = second === this.#second + 1 ? this.#thisSecond : 0;
      this.#thisSecond = 0;
      this.#second = second;
    }
    this.#thisSecond++;
  }

  /** Submits per second lately: the last whole second, or this one if it already holds more. */
  #observed(now: number): number {
    this.sent(now);
    this.#thisSecond--;
    return Math.max(this.#lastSecond, this.#thisSecond);
  }

  /** The SMSC answered ESME_RTHROTTLED at `now` to a submit that left at `sentAt`; true when the rate went down. */
  throttle(now: number, sentAt = now): boolean {
    if (sentAt < this.#lastDecrease) return false;
    const rate = this.current(now);
    const observed = Number.isFinite(rate) ? rate : Math.max(this.minPerSecond, this.#observed(now));
    if (this.#base === undefined) this.#ceiling = observed;
    this.#lastDecrease = now;
    this.#base = Math.max(this.minPerSecond, observed / 2);
    this.#since = now;
    return true;
  }
}
