import type { Clock } from '../gateway/clock';
import type { Gateway } from '../gateway/gateway';
import type { AttemptReference, OutboxRow, ReadyContent } from '../gateway/outbox';
import type { AbusePolicy } from './abuse/abuse-policy';
import { CodeBook } from './codes';
import type { DeliveryTracker } from './delivery-tracker';
import { VerifyError } from './errors';
import type { VerificationEvents } from './events/verification-events';
import { newSid } from './ids';
import type { MessageRenderer, VoiceScript } from './message-renderer';
import { parseE164 } from './phone';
import type { Attempt, Service, Verification, VerifyStore } from './store/verify-store';
import { APP_HASH_MAX_PARTS, limited, MAX_SMS_PARTS, required } from './text-limits';
import { validateStart, type CheckInput, type SendOptions, type StartInput } from './verification-input';

export type { EngineSettings } from './message-renderer';
export type { CallCanceller } from './delivery-tracker';
export { CHANNELS, type CheckInput, type StartInput } from './verification-input';

export const MAX_CHECKS = 5;
export const MAX_SENDS = 5;

export interface EngineDeps {
  store: VerifyStore;
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

/**
 * The verification state machine: start (one code, many sends), check
 * (counted atomically, compared in constant time), cancel or approve, and
 * expiry. Rendering, delivery tracking and events live beside it
 * (message-renderer.ts, delivery-tracker.ts, events/verification-events.ts);
 * the engine passes their entry points through so callers hold one object.
 */
export class VerificationEngine {
  readonly #deps: EngineDeps;

  constructor(deps: EngineDeps) {
    this.#deps = deps;
  }

  start(service: Service, input: StartInput): { verification: Verification; attempts: Attempt[] } {
    const { store, clock, codes, gateway } = this.#deps;
    const { phone, channel, locale, options, riskCheck } = validateStart(service, input, (kind, to) => gateway.router.hasRoute(kind, to));
    const now = clock.now();
    const pageSession = input.pageSession ?? null;
    let pending = store.pendingFor(service.sid, phone.e164, pageSession);
    if (pending && pending.expiresAt <= now) {
      this.#expire(pending);
      pending = undefined;
    }
    if (channel === 'sms') {
      // A number that answered STOP gets no SMS until it answers START (gateway.ts records both from MO messages).
      if (gateway.outbox.isOptedOut(phone.e164)) throw new VerifyError('UNSUBSCRIBED', `Attempt to send to unsubscribed recipient: ${phone.e164} answered STOP`);
      this.#assertSendable(service, input, locale, options, pending);
    }
    // RiskCheck=disable (Twilio's) lifts the fraud guard for an API start; the anonymous pages cannot.
    this.#deps.abuse.assertSendAllowed(service, phone.e164, phone.country, channel, { origin: pageSession ? 'page' : 'api', pending, riskCheck: riskCheck || !!pageSession });

    const result = store.transaction(() => {
      let verification: Verification;
      if (pending) {
        if (!store.countSend(pending.sid, MAX_SENDS, { channel, now })) throw new VerifyError('MAX_SEND_ATTEMPTS');
        if (input.customCode !== undefined) store.replaceCodeHash(pending.sid, codes.hash(pending.sid, input.customCode), input.customCode.length, now);
        verification = store.verificationBySid(pending.sid)!;
      } else {
        const sid = newSid('VE');
        const nonce = input.customCode === undefined ? codes.newNonce() : null;
        const code = nonce ? codes.derive(nonce, service.codeLength) : input.customCode!;
        verification = {
          sid,
          serviceSid: service.sid,
          accountSid: service.accountSid,
          to: phone.e164,
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
          pageSession,
          codeLength: code.length,
          expiresAt: now + service.verificationTtl * 1000,
          createdAt: now,
          updatedAt: now,
        };
        store.insertVerification(verification);
        this.#deps.abuse.recordStart(verification);
      }
      const attemptSid = newSid('VL');
      const payload: AttemptReference = { verificationSid: verification.sid, attemptSid };
      if (input.customCode !== undefined) payload.sealedCode = codes.seal(input.customCode);
      if (Object.keys(options).length > 0) payload.options = options;
      const outboxId = gateway.enqueue({ kind: channel === 'sms' ? 'sms' : 'call', payload, expiresAt: verification.expiresAt });
      const tokenHash = channel === 'sms' ? null : CodeBook.tokenHash(codes.rcmlToken(attemptSid));
      store.insertAttempt({
        sid: attemptSid,
        verificationSid: verification.sid,
        serviceSid: service.sid,
        to: phone.e164,
        channel,
        outboxId,
        deliveryStatus: 'queued',
        callSid: null,
        tokenExpiresAt: channel === 'sms' ? null : verification.expiresAt,
        error: null,
        createdAt: now,
        updatedAt: now,
      }, tokenHash);
      return { verification, isNew: !pending };
    });
    gateway.notify();
    if (result.isNew) this.#deps.events.emit(service, result.verification, 'verification.pending');
    return { verification: result.verification, attempts: store.attemptsOf(result.verification.sid) };
  }

  /**
   * Checks a code. The check is counted first, in one conditional UPDATE
   * (the race gate); only a counted check is compared, in constant time, so
   * fifty concurrent wrong guesses still buy five comparisons at most.
   */
  check(service: Service, input: CheckInput): Verification {
    const { store, clock, codes } = this.#deps;
    limited('Code', required('Code', input.code));
    if (!input.to && !input.verificationSid) throw new VerifyError('MISSING_TO_OR_SID');
    limited('VerificationSid', input.verificationSid);
    const now = clock.now();
    let verification: Verification | undefined;
    if (input.verificationSid) {
      verification = store.verification(service.sid, input.verificationSid);
    } else {
      const phone = parseE164(input.to!);
      if (!phone) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `To`: not an E.164 phone number');
      const pageSession = input.pageSession ?? null;
      verification = store.pendingFor(service.sid, phone.e164, pageSession);
      // By To as by SID, a verification that used up its checks answers 60202 until it expires.
      const latest = verification ? undefined : store.latestFor(service.sid, phone.e164, pageSession);
      if (latest?.status === 'max_attempts_reached' && latest.expiresAt > now) verification = latest;
    }
    if (!verification) throw this.#notFound(service, 'VerificationCheck');
    // A page session checks only what it started: another browser cannot use up this verification's checks.
    if (input.pageSession !== undefined && verification.pageSession !== input.pageSession) throw this.#notFound(service, 'VerificationCheck');
    if (verification.status === 'pending' && verification.expiresAt <= now) {
      this.#expire(verification);
      throw this.#notFound(service, 'VerificationCheck');
    }
    if (verification.status === 'max_attempts_reached') throw new VerifyError('MAX_CHECK_ATTEMPTS');
    if (verification.status !== 'pending') throw this.#notFound(service, 'VerificationCheck');
    if (service.psd2Enabled && (!input.amount || !input.payee)) throw new VerifyError('INVALID_PARAMETER', 'Amount and Payee are required when PSD2 is enabled');

    const count = store.countCheck(verification.sid, MAX_CHECKS, now);
    if (count === undefined) {
      const current = store.verificationBySid(verification.sid);
      if (current && current.checks >= MAX_CHECKS) throw new VerifyError('MAX_CHECK_ATTEMPTS');
      throw this.#notFound(service, 'VerificationCheck');
    }
    const candidate = this.#candidate(verification, service, input.code!);
    const psd2Matches = !service.psd2Enabled || (input.amount === verification.amount && input.payee === verification.payee);
    const right = candidate !== undefined && codes.matches(verification.sid, candidate, verification.codeHash) && psd2Matches;
    if (right && store.settle(verification.sid, 'approved', now)) {
      const approved = store.verificationBySid(verification.sid)!;
      this.#deps.abuse.recordApproval(approved);
      this.#deps.events.emit(service, approved, 'verification.approved');
      this.#deps.delivery.hangUpFlashCalls(approved);
      return approved;
    }
    if (count >= MAX_CHECKS && store.settle(verification.sid, 'max_attempts_reached', now)) {
      const exhausted = store.verificationBySid(verification.sid)!;
      this.#deps.events.emit(service, exhausted, 'verification.max-attempts-reached');
      return exhausted;
    }
    return store.verificationBySid(verification.sid)!;
  }

  /**
   * A pending verification, or 404 (Twilio no longer shows settled ones).
   * As on Twilio, `sidOrTo` may be the VE… SID or the E.164 number it was sent to.
   */
  fetch(service: Service, sidOrTo: string): { verification: Verification; attempts: Attempt[] } {
    const phone = sidOrTo.startsWith('+') ? parseE164(sidOrTo) : undefined;
    const verification = phone ? this.#deps.store.pendingFor(service.sid, phone.e164) : this.#deps.store.verification(service.sid, sidOrTo);
    if (!verification || verification.status !== 'pending') throw this.#notFound(service, `Verifications/${sidOrTo}`);
    if (verification.expiresAt <= this.#deps.clock.now()) {
      this.#expire(verification);
      throw this.#notFound(service, `Verifications/${sidOrTo}`);
    }
    return { verification, attempts: this.#deps.store.attemptsOf(verification.sid) };
  }

  update(service: Service, sidOrTo: string, status: string | undefined): { verification: Verification; attempts: Attempt[] } {
    required('Status', status);
    if (status !== 'canceled' && status !== 'approved') throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `Status`: must be canceled or approved');
    const { verification } = this.fetch(service, sidOrTo);
    const { sid } = verification;
    if (!this.#deps.store.settle(sid, status, this.#deps.clock.now())) throw this.#notFound(service, `Verifications/${sidOrTo}`);
    const settled = this.#deps.store.verificationBySid(sid)!;
    if (status === 'approved') this.#deps.abuse.recordApproval(settled);
    this.#deps.events.emit(service, settled, status === 'approved' ? 'verification.approved' : 'verification.canceled');
    this.#deps.delivery.hangUpFlashCalls(verification);
    return { verification: settled, attempts: this.#deps.store.attemptsOf(sid) };
  }

  /** Expires every pending verification past its TTL; run periodically. */
  sweepExpired(): number {
    const expired = this.#deps.store.expireDue(this.#deps.clock.now());
    for (const verification of expired) this.#deps.events.emitFor(verification, 'verification.expired');
    return expired.length;
  }

  /** The gateway's render hook (see MessageRenderer). */
  render(row: OutboxRow): ReadyContent {
    return this.#deps.renderer.render(row);
  }

  voiceScript(attempt: Attempt): VoiceScript | undefined {
    return this.#deps.renderer.voiceScript(attempt);
  }

  flashAnsweredText(attempt: Attempt): { text: string; language: string } {
    return this.#deps.renderer.flashAnsweredText(attempt);
  }

  onCallStatus(attempt: Attempt, callSid: string | undefined, status: string): void {
    this.#deps.delivery.onCallStatus(attempt, callSid, status);
  }

  onSmsStatus(attempt: Attempt, status: string): void {
    this.#deps.delivery.onSmsStatus(attempt, status);
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

  #expire(verification: Verification): void {
    if (this.#deps.store.settle(verification.sid, 'expired', this.#deps.clock.now())) this.#deps.events.emitFor({ ...verification, status: 'expired' }, 'verification.expired');
  }

  #notFound(service: Service, path: string): VerifyError {
    return new VerifyError('NOT_FOUND', `The requested resource /Services/${service.sid}/${path} was not found`);
  }
}
