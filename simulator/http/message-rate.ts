import type { Clock } from '../../gateway/clock';

export interface MessageRate {
  /** Messages a socket may send per second, sustained (default 50). */
  perSecond: number;
  /** Messages it may send at once before the rate applies (default 100). */
  burst: number;
}

export const DEFAULT_MESSAGE_RATE: MessageRate = { perSecond: 50, burst: 100 };

/** The rate with defaults filled in; a bad value throws naming the option. */
export function messageRate(given: Partial<MessageRate> = {}): MessageRate {
  const rate = { ...DEFAULT_MESSAGE_RATE, ...given };
  for (const [name, value] of Object.entries(rate)) {
    if (!Number.isFinite(value) || value < 1) throw new Error(`handsetMessageRate.${name} must be a number of at least 1, got ${value}`);
  }
  return rate;
}

/** A token bucket per socket: `burst` tokens, refilled at `perSecond`; one message takes one. */
export class MessageBucket {
  readonly #rate: MessageRate;
  readonly #clock: Clock;
  #tokens: number;
  #at: number;

  constructor(rate: MessageRate, clock: Clock) {
    this.#rate = rate;
    this.#clock = clock;
    this.#tokens = rate.burst;
    this.#at = clock.now();
  }

  /** Takes a token; false when the socket is over its rate. */
  take(): boolean {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#rate.burst, this.#tokens + ((now - this.#at) / 1000) * this.#rate.perSecond);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
