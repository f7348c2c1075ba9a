import type { Clock } from '../gateway/clock';
import type { Gateway } from '../gateway/gateway';
import type { AttemptReference, OutboxRow, ReadyContent } from '../gateway/outbox';
import type { VerifyEventType } from './events/status-callbacks';
import type { AbusePolicy } from './abuse/abuse-policy';
import { CodeBook } from './codes';
import type { DeliveryTracker } from './delivery-tracker';
import { VerifyError } from './errors';
import type { VerificationEvents } from './events/verification-events';
import { newSid } from './ids';
import type { MessageRenderer, VoiceScript } from './message-renderer';
import { parseE164 } from './phone';
import type { Attempt } from './store/attempt-repository';
import type { Service } from './store/service-repository';
import type { VerifierStorage } from './store/storage';
import type { Verification } from './store/verification-repository';
import { APP_HASH_MAX_PARTS, limited, MAX_SMS_PARTS, required } from './text-limits';
import { validateStart, type CheckInput, type SendOptions, type StartInput } from './verification-input';
import { lookupCarrier } from './number-lookup';

export type { EngineSettings } from './message-renderer';
export type { CallCanceller } from './delivery-tracker';
export { CHANNELS, type CheckInput, type StartInput } from './verification-input';

/** A service named by its account and SID, for a flow to read in its own transaction. */
export interface ServiceKey {
  accountSid: string;
  sid: string;
}

const isService = (service: Service | ServiceKey): service is Service => 'settings' in service;

export const MAX_CHECKS = 5;
export const MAX_SENDS = 5;

export interface EngineDeps {
  storage: VerifierStorage;
  gateway: Gateway;
  codes: CodeBook;
  abuse: AbusePolicy;
  clock: Clock;
  /** The flash-call prefix, for reading a caller ID back as a code. */
  flashcallPrefix: string;
  renderer: MessageRenderer;
  delivery: DeliveryTracker;
  events: VerificationEvents;
}

/** What a check's transaction decided; its events go out once it committed. */
type CheckOutcome =
  | { verification: Verification; event?: VerifyEventType }
  | { expired: Verification | undefined };

/**
 * The verification state machine: start (one code, many sends), check
 * (counted atomically, compared in constant time), cancel or approve, and
 * expiry. Each flow is one unit of work (storage.transaction): a start writes
 * its verification, attempt and outbox row together; a check counts, compares
 * and settles together. Events go out after the commit. Rendering, delivery
 * tracking and events live beside it (message-renderer.ts,
 * delivery-tracker.ts, events/verification-events.ts); the engine passes their
 * entry points through so callers hold one object.
 */
export class VerificationEngine {
  readonly #deps: EngineDeps;

  constructor(deps: EngineDeps) {
    this.#deps = deps;
  }

  /**
   * Starts a verification (or sends the pending one again). `service` may be given as read, or named by its
   * account and SID: it is then read in the start's own transaction, so a start is one unit of work with
   * everything it reads and writes (service, screening, limits, verification, attempt, outbox row).
   */
  async start(service: Service | ServiceKey, input: StartInput): Promise<{ service: Service; verification: Verification; attempts: Attempt[] }> {
    const { storage, clock, codes, gateway, abuse, events } = this.#deps;
    let expired: Verification | undefined;
    const outcome = await storage.transaction(async (tx) => {
      const found = isService(service) ? service : await tx.services.get(service.accountSid, service.sid);
      if (!found) throw new VerifyError('NOT_FOUND', `The requested resource /Services/${service.sid} was not found`);
      const { phone, channel, locale, options, riskCheck } = validateStart(found, input, (kind, to) => gateway.router.hasRoute(kind, to), found.settings.defaultTemplateSid);
      // LookupEnabled with SkipSmsToLandlines: Twilio refuses an SMS to a landline (60205).
      if (channel === 'sms' && found.settings.lookupEnabled && found.settings.skipSmsToLandlines && lookupCarrier(phone.e164).type === 'landline') {
        throw new VerifyError('LANDLINE', `SMS is not supported by landline phone number ${phone.e164}: use Channel=call`);
      }
      const pageSession = input.pageSession ?? null;
      // RiskCheck=disable (Twilio's) lifts the fraud guard for an API start; the anonymous pages cannot.
      // A refusal commits (with the block the fraud guard may have set) and is thrown after.
      const refused = await abuse.screen(tx, found, phone.e164, phone.country, channel, pageSession ? 'page' : 'api', riskCheck || !!pageSession);
      if (refused) return { refused };

      // The pending lookup, the limits and the insert read then write: one start per number at a time.
      await tx.lock(`start:${found.sid}:${phone.e164}`);
      if (abuse.limitsService) await tx.lock(`start:${found.sid}`);
      const now = clock.now();
      let pending = await tx.verifications.pendingFor(found.sid, phone.e164, pageSession);
      if (pending && pending.expiresAt <= now) {
        expired = await tx.verifications.settle(pending.sid, 'expired', now);
        pending = undefined;
      }
      if (channel === 'sms') {
        // A number that answered STOP gets no SMS until it answers START (gateway.ts records both from MO messages).
        if (await tx.outbox.isOptedOut(phone.e164)) throw new VerifyError('UNSUBSCRIBED', `Attempt to send to unsubscribed recipient: ${phone.e164} answered STOP`);
        this.#assertSendable(found, input, locale, options, pending);
      }
      await abuse.assertWithinLimits(tx, found, phone.e164, pending, now);

      let verification: Verification;
      if (pending) {
        const code = input.customCode === undefined ? undefined : { hash: codes.hash(pending.sid, input.customCode), length: input.customCode.length };
        const counted = await tx.verifications.countSend(pending.sid, MAX_SENDS, { channel, now, code });
        if (!counted) throw new VerifyError('MAX_SEND_ATTEMPTS');
        verification = counted;
      } else {
        verification = this.#newVerification(found, input, phone.e164, channel, locale, now);
        await tx.verifications.insert(verification);
        await abuse.recordStart(tx, verification);
      }
      const attemptSid = newSid('VL');
      const payload: AttemptReference = { verificationSid: verification.sid, attemptSid };
      if (input.customCode !== undefined) payload.sealedCode = codes.seal(input.customCode);
      if (Object.keys(options).length > 0) payload.options = options;
      const outboxId = await tx.outbox.enqueue({ kind: channel === 'sms' ? 'sms' : 'call', payload, expiresAt: verification.expiresAt }, now);
      const attempt: Attempt = {
        sid: attemptSid,
        verificationSid: verification.sid,
        serviceSid: found.sid,
        to: phone.e164,
        channel,
        outboxId,
        deliveryStatus: 'queued',
        callSid: null,
        tokenExpiresAt: channel === 'sms' ? null : verification.expiresAt,
        error: null,
        createdAt: now,
        updatedAt: now,
      };
      await tx.attempts.insert(attempt, channel === 'sms' ? null : CodeBook.tokenHash(codes.rcmlToken(attemptSid)));
      return { service: found, verification, attempts: pending ? await tx.attempts.of(verification.sid) : [attempt], isNew: !pending };
    });
    if ('refused' in outcome) throw outcome.refused;
    gateway.notify();
    if (expired) events.emit(outcome.service, expired, 'verification.expired');
    if (outcome.isNew) events.emit(outcome.service, outcome.verification, 'verification.pending');
    return { service: outcome.service, verification: outcome.verification, attempts: outcome.attempts };
  }

  /**
   * Checks a code. The check is counted first, in one conditional UPDATE
   * (the race gate); only a counted check is compared, in constant time, so
   * fifty concurrent wrong guesses still buy five comparisons at most.
   */
  async check(service: Service, input: CheckInput): Promise<Verification> {
    const { storage, clock, codes, events } = this.#deps;
    limited('Code', required('Code', input.code));
    if (!input.to && !input.verificationSid) throw new VerifyError('MISSING_TO_OR_SID');
    limited('VerificationSid', input.verificationSid);
    const phone = input.verificationSid ? undefined : parseE164(input.to!);
    if (!input.verificationSid && !phone) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `To`: not an E.164 phone number');
    const pageSession = input.pageSession ?? null;

    const outcome = await storage.transaction(async (tx): Promise<CheckOutcome> => {
      const now = clock.now();
      let verification: Verification | undefined;
      if (input.verificationSid) {
        verification = await tx.verifications.get(service.sid, input.verificationSid);
      } else {
        verification = await tx.verifications.pendingFor(service.sid, phone!.e164, pageSession);
        // By To as by SID, a verification that used up its checks answers 60202 until it expires.
        const latest = verification ? undefined : await tx.verifications.latestFor(service.sid, phone!.e164, pageSession);
        if (latest?.status === 'max_attempts_reached' && latest.expiresAt > now) verification = latest;
      }
      if (!verification) throw this.#notFound(service, 'VerificationCheck');
      // A page session checks only what it started: another browser cannot use up this verification's checks.
      if (input.pageSession !== undefined && verification.pageSession !== input.pageSession) throw this.#notFound(service, 'VerificationCheck');
      if (verification.status === 'pending' && verification.expiresAt <= now) return { expired: await tx.verifications.settle(verification.sid, 'expired', now) };
      if (verification.status === 'max_attempts_reached') throw new VerifyError('MAX_CHECK_ATTEMPTS');
      if (verification.status !== 'pending') throw this.#notFound(service, 'VerificationCheck');
      if (service.psd2Enabled && (!input.amount || !input.payee)) throw new VerifyError('INVALID_PARAMETER', 'Amount and Payee are required when PSD2 is enabled');

      const counted = await tx.verifications.countCheck(verification.sid, MAX_CHECKS, now);
      if (!counted) {
        const current = await tx.verifications.bySid(verification.sid);
        if (current && current.checks >= MAX_CHECKS) throw new VerifyError('MAX_CHECK_ATTEMPTS');
        throw this.#notFound(service, 'VerificationCheck');
      }
      const candidate = this.#candidate(counted, service, input.code!);
      const psd2Matches = !service.psd2Enabled || (input.amount === counted.amount && input.payee === counted.payee);
      const right = candidate !== undefined && codes.matches(counted.sid, candidate, counted.codeHash) && psd2Matches;
      if (right) {
        const approved = await tx.verifications.settle(counted.sid, 'approved', now);
        if (approved) {
          await this.#deps.abuse.recordApproval(tx, approved);
          return { verification: approved, event: 'verification.approved' };
        }
      }
      if (counted.checks >= MAX_CHECKS) {
        const exhausted = await tx.verifications.settle(counted.sid, 'max_attempts_reached', now);
        if (exhausted) return { verification: exhausted, event: 'verification.max-attempts-reached' };
      }
      return { verification: counted };
    });
    if ('expired' in outcome) {
      if (outcome.expired) events.emit(service, outcome.expired, 'verification.expired');
      throw this.#notFound(service, 'VerificationCheck');
    }
    if (outcome.event) events.emit(service, outcome.verification, outcome.event);
    if (outcome.event === 'verification.approved') this.#deps.delivery.hangUpFlashCalls(outcome.verification);
    return outcome.verification;
  }

  /**
   * A pending verification, or 404 (Twilio no longer shows settled ones).
   * As on Twilio, `sidOrTo` may be the VE… SID or the E.164 number it was sent to.
   */
  async fetch(service: Service, sidOrTo: string): Promise<{ verification: Verification; attempts: Attempt[] }> {
    const verification = await this.#pending(service, sidOrTo);
    return { verification, attempts: await this.#deps.storage.attempts.of(verification.sid) };
  }

  async update(service: Service, sidOrTo: string, status: string | undefined): Promise<{ verification: Verification; attempts: Attempt[] }> {
    required('Status', status);
    if (status !== 'canceled' && status !== 'approved') throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `Status`: must be canceled or approved');
    const { storage, clock, abuse, events } = this.#deps;
    const verification = await this.#pending(service, sidOrTo);
    const settled = await storage.transaction(async (tx) => {
      const changed = await tx.verifications.settle(verification.sid, status, clock.now());
      if (changed && status === 'approved') await abuse.recordApproval(tx, changed);
      return changed;
    });
    if (!settled) throw this.#notFound(service, `Verifications/${sidOrTo}`);
    events.emit(service, settled, status === 'approved' ? 'verification.approved' : 'verification.canceled');
    this.#deps.delivery.hangUpFlashCalls(verification);
    return { verification: settled, attempts: await storage.attempts.of(settled.sid) };
  }

  /** Expires every pending verification past its TTL; run periodically. */
  async sweepExpired(): Promise<number> {
    const expired = await this.#deps.storage.verifications.expireDue(this.#deps.clock.now());
    for (const verification of expired) this.#deps.events.emitFor(verification, 'verification.expired');
    return expired.length;
  }

  /** The gateway's render hook (see MessageRenderer). */
  render(row: OutboxRow): Promise<ReadyContent> {
    return this.#deps.renderer.render(row);
  }

  voiceScript(attempt: Attempt): Promise<VoiceScript | undefined> {
    return this.#deps.renderer.voiceScript(attempt);
  }

  flashAnsweredText(attempt: Attempt): Promise<{ text: string; language: string }> {
    return this.#deps.renderer.flashAnsweredText(attempt);
  }

  onCallStatus(attempt: Attempt, callSid: string | undefined, status: string): Promise<void> {
    return this.#deps.delivery.onCallStatus(attempt, callSid, status);
  }

  onSmsStatus(attempt: Attempt, status: string): Promise<void> {
    return this.#deps.delivery.onSmsStatus(attempt, status);
  }

  /** The pending, unexpired verification `sidOrTo` names, or 404; one found expired is settled so. */
  async #pending(service: Service, sidOrTo: string): Promise<Verification> {
    const { storage, clock, events } = this.#deps;
    const phone = sidOrTo.startsWith('+') ? parseE164(sidOrTo) : undefined;
    const verification = phone ? await storage.verifications.pendingFor(service.sid, phone.e164, null) : await storage.verifications.get(service.sid, sidOrTo);
    if (!verification || verification.status !== 'pending') throw this.#notFound(service, `Verifications/${sidOrTo}`);
    const now = clock.now();
    if (verification.expiresAt <= now) {
      const expired = await storage.verifications.settle(verification.sid, 'expired', now);
      if (expired) events.emit(service, expired, 'verification.expired');
      throw this.#notFound(service, `Verifications/${sidOrTo}`);
    }
    return verification;
  }

  #newVerification(service: Service, input: StartInput, to: string, channel: Verification['channel'], locale: string | null, now: number): Verification {
    const { codes } = this.#deps;
    const sid = newSid('VE');
    const nonce = input.customCode === undefined ? codes.newNonce() : null;
    const code = nonce ? codes.derive(nonce, service.codeLength) : input.customCode!;
    return {
      sid,
      serviceSid: service.sid,
      accountSid: service.accountSid,
      to,
      channel,
      status: 'pending',
      codeNonce: nonce,
      codeHash: codes.hash(sid, code),
      customCode: nonce === null,
      locale,
      customFriendlyName: input.customFriendlyName || null,
      amount: input.amount ?? null,
      payee: input.payee ?? null,
      checks: 0,
      sends: 1,
      pageSession: input.pageSession ?? null,
      codeLength: code.length,
      expiresAt: now + service.verificationTtl * 1000,
      createdAt: now,
      updatedAt: now,
    };
  }

  /**
   * An SMS that would take more than MAX_SMS_PARTS parts is refused now, not retried until it expires;
   * with AppHash, one that Android's SMS Retriever could not read (more than 140 bytes) too.
   */
  #assertSendable(service: Service, input: StartInput, locale: string, options: SendOptions, pending: Verification | undefined): void {
    const content = pending ?? { customFriendlyName: input.customFriendlyName || null, locale, amount: input.amount ?? null, payee: input.payee ?? null };
    const codeLength = pending?.codeLength ?? input.customCode?.length ?? service.codeLength;
    const parts = this.#deps.renderer.smsParts(content, service, codeLength, options);
    if (parts > MAX_SMS_PARTS) {
      throw new VerifyError('INVALID_PARAMETER', `Invalid parameter: the message would need ${parts} SMS parts, at most ${MAX_SMS_PARTS}: shorten CustomFriendlyName, CustomMessage, Amount or Payee`);
    }
    if (options.appHash && parts > APP_HASH_MAX_PARTS) {
      throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `AppHash`: with the hash the message exceeds the 140 bytes (one SMS) that Android\'s SMS Retriever reads: shorten CustomFriendlyName or turn off DoNotShareWarningEnabled');
    }
  }

  #candidate(verification: Verification, service: Service, code: string): string | undefined {
    if (verification.channel !== 'flashcall') return code.trim();
    // The full caller ID (prefix + code, with or without '+') or its last CodeLength digits.
    const digits = code.replace(/[^\d]/g, '');
    const prefix = this.#deps.flashcallPrefix.replace(/[^\d]/g, '');
    const length = verification.codeLength ?? service.codeLength;
    if (digits.length === length) return digits;
    if (digits.length === prefix.length + length && digits.startsWith(prefix)) return digits.slice(prefix.length);
    return undefined;
  }

  #notFound(service: Service, path: string): VerifyError {
    return new VerifyError('NOT_FOUND', `The requested resource /Services/${service.sid}/${path} was not found`);
  }
}
