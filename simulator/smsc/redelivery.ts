import type { Clock, Timer } from '../../gateway/clock';

/** deliver_sm statuses an ESME answers to say "never send this again" (SMPP 3.4 §5.1.3). */
export const ESME_RX_P_APPN = 0x00000065;
export const ESME_RX_R_APPN = 0x00000066;

export function isPermanentRefusal(status: number): boolean {
  return status === ESME_RX_P_APPN || status === ESME_RX_R_APPN;
}

export interface RedeliverySettings {
  /** The first retry; each further one doubles, up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
}

export const defaultRedelivery: RedeliverySettings = { firstDelayMs: 5_000, maxDelayMs: 60_000 };

/**
 * One retry schedule per PDU: scheduling again replaces the timer instead of
 * adding one, so rebinds and refusals never multiply the attempts, and each
 * retry waits twice as long as the one before.
 */
export class Redelivery {
  readonly #entries = new Map<string, { attempts: number; timer?: Timer }>();

  constructor(private readonly clock: Clock, private readonly settings: RedeliverySettings = defaultRedelivery) {}

  /** Runs `attempt` for `key` after its next delay (replacing any timer already set for it). */
  schedule(key: string, attempt: () => void): void {
    const entry = this.#entries.get(key) ?? { attempts: 0 };
    this.#entries.set(key, entry);
    entry.timer?.cancel();
    const delay = Math.min(this.settings.maxDelayMs, this.settings.firstDelayMs * 2 ** Math.min(entry.attempts, 30));
    entry.attempts++;
    entry.timer = this.clock.setTimeout(() => {
      entry.timer = undefined;
      attempt();
    }, delay);
  }

  /** An attempt is being made now: a retry already set for `key` is not needed. Its count stays. */
  cancelTimer(key: string): void {
    const entry = this.#entries.get(key);
    entry?.timer?.cancel();
    if (entry) entry.timer = undefined;
  }

  /** `key` is done with (sent, or refused for good). */
  forget(key: string): void {
    this.cancelTimer(key);
    this.#entries.delete(key);
  }
}
