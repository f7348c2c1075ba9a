import type { Clock } from '../../gateway/clock';

export interface BindGuardSettings {
  /** Failed binds from one IP address within `failureWindowMs` that lock the address out. */
  maxFailures: number;
  failureWindowMs: number;
  /** The first lockout; each further one doubles it, up to `maxLockoutMs`. */
  lockoutMs: number;
  maxLockoutMs: number;
  /** How late a bind refused during a lockout is answered. */
  refusalDelayMs: number;
}

export const defaultBindGuardSettings: BindGuardSettings = {
  maxFailures: 5,
  failureWindowMs: 600_000,
  lockoutMs: 60_000,
  maxLockoutMs: 3_600_000,
  refusalDelayMs: 1_000,
};

interface AddressRecord {
  /** When each failure in the current window happened, oldest first. */
  failures: number[];
  lockouts: number;
  lockedUntil: number;
}

/** Addresses kept before stale ones are dropped: the guard's own memory is bounded too. */
const PRUNE_ABOVE = 10_000;

/**
 * Counts failed binds per source address and locks an address out after too
 * many: while it is locked out no password from it is even checked, so
 * guessing from it learns nothing, however fast it goes.
 */
export class BindGuard {
  readonly #records = new Map<string, AddressRecord>();

  constructor(private readonly clock: Clock, readonly settings: BindGuardSettings = defaultBindGuardSettings) {}

  lockedOut(address: string): boolean {
    return (this.#records.get(address)?.lockedUntil ?? 0) > this.clock.now();
  }

  /** Records a failed bind; returns whether it locked the address out. */
  recordFailure(address: string): boolean {
    const now = this.clock.now();
    const record = this.#records.get(address) ?? { failures: [], lockouts: 0, lockedUntil: 0 };
    this.#records.set(address, record);
    record.failures = record.failures.filter((at) => now - at < this.settings.failureWindowMs);
    record.failures.push(now);
    if (this.#records.size > PRUNE_ABOVE) this.#prune(now);
    if (record.failures.length < this.settings.maxFailures) return false;
    const { lockoutMs, maxLockoutMs } = this.settings;
    record.lockedUntil = now + Math.min(maxLockoutMs, lockoutMs * 2 ** Math.min(record.lockouts, 30));
    record.lockouts++;
    record.failures = [];
    return true;
  }

  recordSuccess(address: string): void {
    this.#records.delete(address);
  }

  #prune(now: number): void {
    for (const [address, record] of this.#records) {
      const lastFailure = record.failures.at(-1) ?? 0;
      if (record.lockedUntil <= now && now - lastFailure >= this.settings.failureWindowMs) this.#records.delete(address);
    }
  }
}
