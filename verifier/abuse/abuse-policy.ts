import type { Clock } from '../../gateway/clock';
import { VerifyError } from '../errors';
import type { Channel, Service, VerifyStore } from '../store/verify-store';

export interface FraudGuardSettings {
  enabled: boolean;
  /** Digits after '+' that make a prefix (e.g. 5: '+49157'). */
  prefixDigits: number;
  windowMs: number;
  /** Below this many starts in the window the guard does not judge. */
  minStarts: number;
  /** A prefix approving fewer than this share of its starts is blocked. */
  minApprovalRatio: number;
  blockMs: number;
}

export interface AbuseSettings {
  perDestination: { max: number; windowMs: number };
  /** max 0 = no per-service limit (the default). */
  perService: { max: number; windowMs: number };
  /** ISO country codes allowed per channel; a channel not listed allows every country. */
  allowedCountries: Partial<Record<Channel, string[]>>;
  blockedPrefixes: string[];
  fraudGuard: FraudGuardSettings;
}

export const DEFAULT_ABUSE_SETTINGS: AbuseSettings = {
  perDestination: { max: 5, windowMs: 10 * 60_000 },
  perService: { max: 0, windowMs: 60_000 },
  allowedCountries: {},
  blockedPrefixes: [],
  fraudGuard: { enabled: true, prefixDigits: 5, windowMs: 60 * 60_000, minStarts: 30, minApprovalRatio: 0.1, blockMs: 60 * 60_000 },
};

/**
 * Decides whether a send may go out: country allow-list per channel (60605),
 * blocked prefixes and the fraud guard (60410), per-destination (60203) and
 * per-service (20429) send rates. Windows are counted in the store, so every
 * instance sees the same numbers.
 */
export class AbusePolicy {
  constructor(private readonly store: VerifyStore, private readonly settings: AbuseSettings, private readonly clock: Clock) {}

  assertSendAllowed(service: Service, to: string, country: string | undefined, channel: Channel): void {
    const now = this.clock.now();
    const allowed = this.settings.allowedCountries[channel];
    if (allowed && allowed.length > 0 && (!country || !allowed.includes(country))) {
      throw new VerifyError('GEO_PERMISSION', `Delivery by ${channel} to ${country ?? 'this region'} is not allowed`);
    }
    if (this.settings.blockedPrefixes.some((prefix) => to.startsWith(prefix)) || this.store.blockFor(to, now)) {
      throw new VerifyError('DELIVERY_BLOCKED');
    }
    this.#fraudGuard(to, now);
    const { perDestination, perService } = this.settings;
    if (this.store.attemptsTo(to, now - perDestination.windowMs) >= perDestination.max) {
      throw new VerifyError('MAX_SEND_ATTEMPTS', `Max send attempts reached for ${to}: at most ${perDestination.max} in ${perDestination.windowMs / 60_000} minutes`);
    }
    if (perService.max > 0 && this.store.attemptsInService(service.sid, now - perService.windowMs) >= perService.max) {
      throw new VerifyError('TOO_MANY_REQUESTS', `Too many verifications for this service: at most ${perService.max} per ${perService.windowMs / 1000} seconds`);
    }
  }

  /** Many starts and few approvals on one prefix is what SMS pumping looks like: block the prefix for a while. */
  #fraudGuard(to: string, now: number): void {
    const guard = this.settings.fraudGuard;
    if (!guard.enabled) return;
    const prefix = to.slice(0, 1 + guard.prefixDigits);
    const { starts, approvals } = this.store.prefixActivity(prefix, now - guard.windowMs);
    if (starts < guard.minStarts || approvals / starts >= guard.minApprovalRatio) return;
    this.store.blockPrefix(prefix, `fraud guard: ${starts} starts, ${approvals} approvals`, now + guard.blockMs, now);
    throw new VerifyError('DELIVERY_BLOCKED');
  }
}
