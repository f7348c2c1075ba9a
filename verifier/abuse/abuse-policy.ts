import type { Clock } from '../../gateway/clock';
import { VerifyError } from '../errors';
import type { FraudKey } from '../store/fraud-repository';
import type { Service } from '../store/service-repository';
import type { VerifierStorage } from '../store/storage';
import type { Channel, StartOrigin, Verification } from '../store/verification-repository';

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

/**
 * Decides whether a send may go out, in the start's transaction. First (`screen`): the country allow-list
 * per channel (60605), blocked prefixes and the fraud guard (60410), whose refusal the start commits, so
 * a block it sets outlives the refused start. After the start's lock (`assertWithinLimits`): sends of one
 * pending verification (60203) and the per-service rate (20429), counted from the stored attempts so that
 * every instance sees the same numbers.
 */
export class AbusePolicy {
  #lastPrune = 0;

  constructor(
    private readonly settings: AbuseSettings,
    private readonly clock: Clock,
  ) {}

  /** Whether a start must also hold the service's lock: only a per-service limit makes starts to different numbers race. */
  get limitsService(): boolean {
    return this.settings.perService.max > 0;
  }

  /**
   * Screens a start, in its transaction (`tx`): throws for a refused country or a blocked prefix, and
   * answers the fraud guard's refusal instead of throwing it, so that the start's transaction commits the
   * block it set (the block outlives the refused start). `riskCheck` false: the start said
   * RiskCheck=disable, so the fraud guard does not judge it (Twilio's override).
   */
  async screen(tx: Pick<VerifierStorage, 'fraud' | 'safeList'>, service: Service, to: string, country: string | undefined, channel: Channel, origin: StartOrigin,
    riskCheck = true): Promise<VerifyError | undefined> {
    const allowed = this.settings.allowedCountries[channel];
    if (allowed && allowed.length > 0 && (!country || !allowed.includes(country))) {
      throw new VerifyError('GEO_PERMISSION', `Delivery by ${channel} to ${country ?? 'this region'} is not allowed`);
    }
    if (this.settings.blockedPrefixes.some((prefix) => to.startsWith(prefix))) throw new VerifyError('DELIVERY_BLOCKED');
    if (!this.settings.fraudGuard.enabled || !riskCheck || (await tx.safeList.has(to))) return undefined;
    return this.#fraudGuard(tx, this.#key(service.sid, origin, to), this.clock.now());
  }

  /** The send limits; call inside the start's transaction, after its lock, with its repositories. */
  async assertWithinLimits(tx: Pick<VerifierStorage, 'attempts'>, service: Service, to: string, pending: Verification | undefined, now: number): Promise<void> {
    const { perDestination, perService } = this.settings;
    // As on Twilio, the limit is on one pending verification: approving or canceling it is the way out.
    if (pending && (await tx.attempts.countSince(pending.sid, now - perDestination.windowMs)) >= perDestination.max) {
      throw new VerifyError('MAX_SEND_ATTEMPTS', `Max send attempts reached for ${to}: at most ${perDestination.max} in ${perDestination.windowMs / 60_000} minutes for one verification`);
    }
    if (perService.max > 0 && (await tx.attempts.countInService(service.sid, now - perService.windowMs)) >= perService.max) {
      throw new VerifyError('TOO_MANY_REQUESTS', `Too many verifications for this service: at most ${perService.max} per ${perService.windowMs / 1000} seconds`);
    }
  }

  /** A new verification was started: one more start for its prefix. Call in the start's transaction. */
  async recordStart(tx: Pick<VerifierStorage, 'fraud'>, verification: Verification): Promise<void> {
    if (!this.settings.fraudGuard.enabled) return;
    await tx.fraud.count(this.#keyOf(verification), this.#bucket(verification.createdAt), 'starts');
  }

  /** A verification was approved: counted in the bucket of its start, so the two meet in one window. */
  async recordApproval(tx: Pick<VerifierStorage, 'fraud'>, verification: Verification): Promise<void> {
    if (!this.settings.fraudGuard.enabled) return;
    await tx.fraud.count(this.#keyOf(verification), this.#bucket(verification.createdAt), 'approvals');
  }

  /**
   * Many starts and few approvals on one prefix is what SMS pumping looks
   * like: block the prefix for a while. Counted and blocked per service and
   * per origin, so anonymous page starts can block only page starts, and one
   * service's traffic never blocks another's.
   */
  async #fraudGuard({ fraud }: Pick<VerifierStorage, 'fraud'>, key: FraudKey, now: number): Promise<VerifyError | undefined> {
    const guard = this.settings.fraudGuard;
    const { starts, approvals, blocked } = await fraud.standing(key, this.#bucket(now - guard.windowMs) + 1, now);
    if (blocked !== null) return new VerifyError('DELIVERY_BLOCKED');
    await this.#prune(fraud, now);
    if (starts < guard.minStarts || approvals / starts >= guard.minApprovalRatio) return undefined;
    await fraud.block(key, `fraud guard: ${starts} starts, ${approvals} approvals`, now + guard.blockMs, now);
    return new VerifyError('DELIVERY_BLOCKED');
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
  async #prune(fraud: VerifierStorage['fraud'], now: number): Promise<void> {
    if (now - this.#lastPrune < 60_000) return;
    this.#lastPrune = now;
    await fraud.prune(this.#bucket(now - this.settings.fraudGuard.windowMs));
  }
}
