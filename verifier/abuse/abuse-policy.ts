import type { Clock } from '../../gateway/clock';
import { VerifyError } from '../errors';
import type { Channel, FraudKey, Service, StartOrigin, Verification, VerifyStore } from '../store/verify-store';

export interface FraudGuardSettings {
  enabled: boolean;
  /** Digits after '+' that make a prefix (e.g. 5: '+49157'). */
  prefixDigits: number;
  windowMs: number;
  /** Below this many starts to one prefix in the window (in one service, from one origin) the guard does not judge. */
  minStarts: number;
  /** A prefix approving fewer than this share of its starts is blocked. */
  minApprovalRatio: number;
  blockMs: number;
}

export interface AbuseSettings {
  /** Sends of one pending verification in a window (Twilio's 60203). */
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
  fraudGuard: { enabled: true, prefixDigits: 5, windowMs: 60 * 60_000, minStarts: 100, minApprovalRatio: 0.1, blockMs: 15 * 60_000 },
};

/** The guard counts in buckets of a twelfth of its window: the window slides in steps of 5 minutes by default. */
const BUCKETS_PER_WINDOW = 12;

/** What a start is judged by besides its number and channel. */
export interface StartContext {
  origin: StartOrigin;
  /** The pending verification this start re-sends, if any. */
  pending?: Verification;
  /** false: the start said RiskCheck=disable, so the fraud guard does not judge it (Twilio's override). */
  riskCheck?: boolean;
}

/**
 * Decides whether a send may go out: country allow-list per channel (60605),
 * blocked prefixes and the fraud guard (60410), sends of one pending
 * verification (60203) and the per-service rate (20429). Windows are counted
 * in the store, so every instance sees the same numbers.
 */
export class AbusePolicy {
  #lastPrune = 0;

  /** `safeList`: numbers the fraud guard never blocks (Verify's SafeList). */
  constructor(
    private readonly store: VerifyStore,
    private readonly settings: AbuseSettings,
    private readonly clock: Clock,
    private readonly safeList?: { has(phoneNumber: string): boolean },
  ) {}

  assertSendAllowed(service: Service, to: string, country: string | undefined, channel: Channel, context: StartContext): void {
    const now = this.clock.now();
    const allowed = this.settings.allowedCountries[channel];
    if (allowed && allowed.length > 0 && (!country || !allowed.includes(country))) {
      throw new VerifyError('GEO_PERMISSION', `Delivery by ${channel} to ${country ?? 'this region'} is not allowed`);
    }
    if (this.settings.blockedPrefixes.some((prefix) => to.startsWith(prefix))) throw new VerifyError('DELIVERY_BLOCKED');
    if (context.riskCheck !== false && !this.safeList?.has(to)) this.#fraudGuard(this.#key(service.sid, context.origin, to), now);
    const { perDestination, perService } = this.settings;
    // As on Twilio, the limit is on one pending verification: approving or canceling it is the way out.
    if (context.pending && this.store.attemptsOfSince(context.pending.sid, now - perDestination.windowMs) >= perDestination.max) {
      throw new VerifyError('MAX_SEND_ATTEMPTS', `Max send attempts reached for ${to}: at most ${perDestination.max} in ${perDestination.windowMs / 60_000} minutes for one verification`);
    }
    if (perService.max > 0 && this.store.attemptsInService(service.sid, now - perService.windowMs) >= perService.max) {
      throw new VerifyError('TOO_MANY_REQUESTS', `Too many verifications for this service: at most ${perService.max} per ${perService.windowMs / 1000} seconds`);
    }
  }

  /** A new verification was started: one more start for its prefix. Call in the start's transaction. */
  recordStart(verification: Verification): void {
    if (!this.settings.fraudGuard.enabled) return;
    this.store.countFraud(this.#keyOf(verification), this.#bucket(verification.createdAt), 'starts');
  }

  /** A verification was approved: counted in the bucket of its start, so the two meet in one window. */
  recordApproval(verification: Verification): void {
    if (!this.settings.fraudGuard.enabled) return;
    this.store.countFraud(this.#keyOf(verification), this.#bucket(verification.createdAt), 'approvals');
  }

  /**
   * Many starts and few approvals on one prefix is what SMS pumping looks
   * like: block the prefix for a while. Counted and blocked per service and
   * per origin, so anonymous page starts can block only page starts, and one
   * service's traffic never blocks another's.
   */
  #fraudGuard(key: FraudKey, now: number): void {
    const guard = this.settings.fraudGuard;
    if (!guard.enabled) return;
    if (this.store.fraudBlock(key, now)) throw new VerifyError('DELIVERY_BLOCKED');
    this.#prune(now);
    const { starts, approvals } = this.store.fraudActivity(key, this.#bucket(now - guard.windowMs) + 1);
    if (starts < guard.minStarts || approvals / starts >= guard.minApprovalRatio) return;
    this.store.blockFraud(key, `fraud guard: ${starts} starts, ${approvals} approvals`, now + guard.blockMs, now);
    throw new VerifyError('DELIVERY_BLOCKED');
  }

  #key(serviceSid: string, origin: StartOrigin, to: string): FraudKey {
    return { serviceSid, origin, prefix: to.slice(0, 1 + this.settings.fraudGuard.prefixDigits) };
  }

  #keyOf(verification: Verification): FraudKey {
    return this.#key(verification.serviceSid, verification.pageSession ? 'page' : 'api', verification.to);
  }

  #bucket(at: number): number {
    return Math.floor(at / (this.settings.fraudGuard.windowMs / BUCKETS_PER_WINDOW));
  }

  /** At most once a minute, forgets buckets that left the window. */
  #prune(now: number): void {
    if (now - this.#lastPrune < 60_000) return;
    this.#lastPrune = now;
    this.store.pruneFraudCounters(this.#bucket(now - this.settings.fraudGuard.windowMs));
  }
}
