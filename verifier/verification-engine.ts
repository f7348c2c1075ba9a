import type { Logger } from 'pino';
import type { Clock } from '../gateway/clock';
import type { DeliveryReport, Gateway } from '../gateway/gateway';
import type { OutboxRow } from '../gateway/outbox';
import type { CallRequest } from '../gateway/router';
import type { SmsRequest } from '../gateway/sms/smpp-sms-sender';
import { AbusePolicy } from './abuse/abuse-policy';
import { CodeBook } from './codes';
import { localized, resolveLocale, smsText, SUPPORTED_LOCALES } from './channels/messages';
import { VerifyError } from './errors';
import type { StatusCallbacks, VerifyEventType } from './events/status-callbacks';
import { newSid } from './ids';
import { parseE164 } from './phone';
import type { Attempt, Channel, Service, Verification, VerificationStatus, VerifyStore } from './store/verify-store';

export const CHANNELS: readonly Channel[] = ['sms', 'call', 'flashcall'];
export const MAX_CHECKS = 5;
export const MAX_SENDS = 5;

export interface EngineSettings {
  publicUrl: string;
  /** Sender of SMS codes (alphanumeric or a number). */
  smsFrom: string;
  /** Caller ID of voice-code calls. */
  voiceCallerId: string;
  voiceTimeoutSeconds: number;
  /** Flash calls come from this prefix followed by the code. */
  flashcallPrefix: string;
  flashcallTimeoutSeconds: number;
}

export interface StartInput {
  to?: string;
  channel?: string;
  locale?: string;
  customFriendlyName?: string;
  customCode?: string;
  amount?: string;
  payee?: string;
}

export interface CheckInput {
  code?: string;
  to?: string;
  verificationSid?: string;
  amount?: string;
  payee?: string;
}

/** What the voice network can do for the engine: cancel a ringing flash call. */
export interface CallCanceller {
  cancelCall(callSid: string): Promise<unknown>;
}

interface OutboxPayload {
  verificationSid: string;
  attemptSid: string;
  sealedCode?: string;
}

/** 'de', 'de-AT' or 'pt_BR'-shaped, with a language we have templates for. */
function isSupportedLocale(locale: string): boolean {
  const match = /^([a-z]{2})(?:[-_][a-z0-9]{2,4})?$/i.exec(locale);
  return !!match && SUPPORTED_LOCALES.includes(match[1]!.toLowerCase());
}

/** A code is not sent for a verification that is no longer pending: the row fails for good. */
class StaleVerificationError extends Error {
  override readonly name = 'StaleVerificationError';
  readonly temporary = false;
}

export interface EngineDeps {
  store: VerifyStore;
  gateway: Gateway;
  codes: CodeBook;
  abuse: AbusePolicy;
  clock: Clock;
  settings: EngineSettings;
  callbacks: StatusCallbacks;
  calls?: CallCanceller;
  logger?: Logger;
}

/**
 * Verifications: start (one code, many sends), check (counted atomically,
 * compared in constant time), cancel or approve, expiry, and the delivery
 * status of every send. Codes exist only in memory, for the moment a message
 * is rendered or a check is compared.
 */
export class VerificationEngine {
  readonly #deps: EngineDeps;

  constructor(deps: EngineDeps) {
    this.#deps = deps;
    const { gateway } = deps;
    gateway.on('sent', (row, result) => this.#onSent(row, result));
    gateway.on('delivery', (report) => this.#onDelivery(report));
    gateway.on('failed', (row, error) => this.#attemptFailed(row, error.message));
    gateway.on('expired', (row, reason) => this.#attemptFailed(row, reason));
  }

  start(service: Service, input: StartInput): { verification: Verification; attempts: Attempt[] } {
    const { store, clock, codes, gateway } = this.#deps;
    const phone = parseE164(input.to ?? '');
    if (!phone) throw new VerifyError('INVALID_PARAMETER', `Invalid parameter \`To\`: ${input.to ? 'not an E.164 phone number' : 'missing'}`);
    const channel = input.channel as Channel;
    if (!CHANNELS.includes(channel)) throw new VerifyError('INVALID_PARAMETER', `Invalid parameter \`Channel\`: must be one of ${CHANNELS.join(', ')}`);
    if (input.locale !== undefined && !isSupportedLocale(input.locale)) {
      throw new VerifyError('INVALID_PARAMETER', `Invalid parameter \`Locale\`: supported are ${SUPPORTED_LOCALES.join(', ')}`);
    }
    if (!this.#deps.gateway.router.hasRoute(channel === 'sms' ? 'sms' : 'call', phone.e164)) {
      throw new VerifyError('INVALID_PARAMETER', `Invalid parameter \`Channel\`: ${channel} is not available: this verifier has no ${channel === 'sms' ? 'SMS' : 'voice'} route (--smpp, --voice-api)`);
    }
    if (service.psd2Enabled && (!input.amount || !input.payee)) throw new VerifyError('INVALID_PARAMETER', 'Amount and Payee are required when PSD2 is enabled');
    if (input.customCode !== undefined) {
      if (!service.customCodeEnabled) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `CustomCode`: custom codes are not enabled for this service');
      if (!/^\d{4,10}$/.test(input.customCode)) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `CustomCode`: 4 to 10 digits');
    }
    const now = clock.now();
    let pending = store.pendingFor(service.sid, phone.e164);
    if (pending && pending.expiresAt <= now) {
      this.#expire(pending);
      pending = undefined;
    }
    this.#deps.abuse.assertSendAllowed(service, phone.e164, phone.country, channel);

    const result = store.transaction(() => {
      let verification: Verification;
      if (pending) {
        if (!store.countSend(pending.sid, MAX_SENDS, { channel, now })) throw new VerifyError('MAX_SEND_ATTEMPTS');
        if (input.customCode !== undefined) store.replaceCodeHash(pending.sid, codes.hash(pending.sid, input.customCode), now);
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
          locale: input.locale ?? null,
          customFriendlyName: input.customFriendlyName ?? null,
          amount: input.amount ?? null,
          payee: input.payee ?? null,
          checks: 0,
          sends: 1,
          expiresAt: now + service.verificationTtl * 1000,
          createdAt: now,
          updatedAt: now,
        };
        store.insertVerification(verification);
      }
      const attemptSid = newSid('VL');
      const payload: OutboxPayload = { verificationSid: verification.sid, attemptSid };
      if (input.customCode !== undefined) payload.sealedCode = codes.seal(input.customCode);
      const outboxId = gateway.enqueue({ kind: channel === 'sms' ? 'sms' : 'call', payload: { ...payload }, expiresAt: verification.expiresAt });
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
    if (result.isNew) this.#event(service, result.verification, 'verification.pending');
    return { verification: result.verification, attempts: store.attemptsOf(result.verification.sid) };
  }

  /**
   * Checks a code. The check is counted first, in one conditional UPDATE
   * (the race gate); only a counted check is compared, in constant time, so
   * fifty concurrent wrong guesses still buy five comparisons at most.
   */
  check(service: Service, input: CheckInput): Verification {
    const { store, clock, codes } = this.#deps;
    if (!input.code) throw new VerifyError('INVALID_PARAMETER', 'Missing required parameter `Code`');
    if (!input.to && !input.verificationSid) throw new VerifyError('MISSING_TO_OR_SID');
    let verification: Verification | undefined;
    if (input.verificationSid) {
      verification = store.verification(service.sid, input.verificationSid);
    } else {
      const phone = parseE164(input.to!);
      if (!phone) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `To`: not an E.164 phone number');
      verification = store.pendingFor(service.sid, phone.e164);
    }
    const now = clock.now();
    if (!verification) throw this.#notFound(service, 'VerificationCheck');
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
    const candidate = this.#candidate(verification, service, input.code);
    const psd2Matches = !service.psd2Enabled || (input.amount === verification.amount && input.payee === verification.payee);
    const right = candidate !== undefined && codes.matches(verification.sid, candidate, verification.codeHash) && psd2Matches;
    if (right && store.settle(verification.sid, 'approved', now)) {
      const approved = store.verificationBySid(verification.sid)!;
      this.#event(service, approved, 'verification.approved');
      this.#hangUpFlashCalls(approved);
      return approved;
    }
    if (count >= MAX_CHECKS && store.settle(verification.sid, 'max_attempts_reached', now)) {
      const exhausted = store.verificationBySid(verification.sid)!;
      this.#event(service, exhausted, 'verification.max-attempts-reached');
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
    if (status !== 'canceled' && status !== 'approved') throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `Status`: must be canceled or approved');
    const { verification } = this.fetch(service, sidOrTo);
    const { sid } = verification;
    if (!this.#deps.store.settle(sid, status, this.#deps.clock.now())) throw this.#notFound(service, `Verifications/${sidOrTo}`);
    const settled = this.#deps.store.verificationBySid(sid)!;
    this.#event(service, settled, status === 'approved' ? 'verification.approved' : 'verification.canceled');
    this.#hangUpFlashCalls(verification);
    return { verification: settled, attempts: this.#deps.store.attemptsOf(sid) };
  }

  /** Expires every pending verification past its TTL; run periodically. */
  sweepExpired(): number {
    const expired = this.#deps.store.expireDue(this.#deps.clock.now());
    for (const verification of expired) this.#notify(verification, 'verification.expired');
    return expired.length;
  }

  /** The gateway's render hook: turns an outbox reference into the message or call, with the code, at send time. */
  render(row: OutboxRow): Record<string, unknown> {
    const { store, codes, clock, settings } = this.#deps;
    const payload = row.payload as unknown as OutboxPayload;
    const verification = store.verificationBySid(payload.verificationSid);
    if (!verification || verification.status !== 'pending' || verification.expiresAt <= clock.now()) {
      throw new StaleVerificationError(`verification ${payload.verificationSid} is no longer pending`);
    }
    const attempt = store.attempt(payload.attemptSid);
    const service = store.service(verification.accountSid, verification.serviceSid);
    if (!attempt || !service) throw new StaleVerificationError(`attempt ${payload.attemptSid} is gone`);
    const code = this.codeOf(verification, service, payload.sealedCode);
    const token = codes.rcmlToken(attempt.sid);
    const callbacks = `${settings.publicUrl}/v2/voice/status/${attempt.sid}`;
    if (attempt.channel === 'sms') {
      const sms: SmsRequest & { statusCallback: string } = {
        // Used when the SMS goes through a REST API; the SMPP route reads receipts instead.
        statusCallback: `${settings.publicUrl}/v2/sms/status/${attempt.sid}`,
        from: settings.smsFrom,
        to: verification.to,
        text: smsText({
          name: verification.customFriendlyName ?? service.friendlyName,
          code,
          locale: verification.locale,
          psd2: service.psd2Enabled && verification.amount && verification.payee ? { amount: verification.amount, payee: verification.payee } : undefined,
          doNotShare: service.doNotShareWarningEnabled,
        }),
      };
      return { ...sms };
    }
    const flash = attempt.channel === 'flashcall';
    const call: CallRequest = {
      from: flash ? `${settings.flashcallPrefix}${code}` : settings.voiceCallerId,
      to: verification.to,
      url: `${settings.publicUrl}/v2/voice/${flash ? 'flash' : 'rcml'}/${token}`,
      method: 'POST',
      timeoutSeconds: flash ? settings.flashcallTimeoutSeconds : settings.voiceTimeoutSeconds,
      statusCallback: callbacks,
      statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'],
    };
    return { ...call };
  }

  /** The code of a verification, derived (or unsealed, for a CustomCode); only ever held in memory. */
  codeOf(verification: Verification, service: Service, sealedCode?: string): string {
    if (verification.codeNonce) return this.#deps.codes.derive(verification.codeNonce, service.codeLength);
    if (!sealedCode) throw new StaleVerificationError('a custom code can only be sent with the start that gave it');
    return this.#deps.codes.open(sealedCode);
  }

  /** What a voice call reads: the code digit by digit, twice, with the option to repeat. */
  voiceScript(attempt: Attempt): { intro: string; again: string; repeat: string; goodbye: string; locale: string } | undefined {
    const { store } = this.#deps;
    const verification = store.verificationBySid(attempt.verificationSid);
    if (!verification || verification.status !== 'pending') return undefined;
    const service = store.service(verification.accountSid, verification.serviceSid);
    if (!service || !verification.codeNonce) return undefined;
    const digits = this.codeOf(verification, service).split('').join(', ');
    const name = verification.customFriendlyName ?? service.friendlyName;
    const locale = verification.locale;
    return {
      intro: localized(locale, 'voice', { name, digits }),
      again: localized(locale, 'voiceAgain', { digits }),
      repeat: localized(locale, 'voiceRepeat'),
      goodbye: localized(locale, 'voiceGoodbye'),
      locale: resolveLocale(locale),
    };
  }

  flashAnsweredText(attempt: Attempt): string {
    const verification = this.#deps.store.verificationBySid(attempt.verificationSid);
    return localized(verification?.locale, 'flashAnswered');
  }

  /** A call status callback for one attempt (CallStatus as the voice network reports it). */
  onCallStatus(attempt: Attempt, callSid: string | undefined, status: string): void {
    const { store, clock } = this.#deps;
    store.updateAttempt(attempt.sid, { deliveryStatus: status, callSid }, clock.now());
    this.#attemptEvent(attempt.sid, status);
    // A flash call has done its job once it rings: the caller ID is the code.
    if (attempt.channel === 'flashcall' && status === 'ringing' && callSid) void this.#cancelCall(callSid);
  }

  /** A REST SMS status callback (MessageStatus as Twilio names it) for one attempt. */
  onSmsStatus(attempt: Attempt, status: string): void {
    const deliveryStatus = status === 'undelivered' || status === 'failed' ? 'undelivered' : status;
    this.#deps.store.updateAttempt(attempt.sid, { deliveryStatus }, this.#deps.clock.now());
    this.#attemptEvent(attempt.sid, deliveryStatus);
  }

  #candidate(verification: Verification, service: Service, code: string): string | undefined {
    if (verification.channel !== 'flashcall') return code.trim();
    // The full caller ID (prefix + code, with or without '+') or its last CodeLength digits.
    const digits = code.replace(/[^\d]/g, '');
    const prefix = this.#deps.settings.flashcallPrefix.replace(/[^\d]/g, '');
    if (digits.length === service.codeLength) return digits;
    if (digits.length === prefix.length + service.codeLength && digits.startsWith(prefix)) return digits.slice(prefix.length);
    return undefined;
  }

  #hangUpFlashCalls(verification: Verification): void {
    for (const attempt of this.#deps.store.attemptsOf(verification.sid)) {
      if (attempt.channel === 'flashcall' && attempt.callSid && ['queued', 'initiated', 'ringing'].includes(attempt.deliveryStatus)) void this.#cancelCall(attempt.callSid);
    }
  }

  async #cancelCall(callSid: string): Promise<void> {
    try {
      await this.#deps.calls?.cancelCall(callSid);
    } catch (error) {
      this.#deps.logger?.debug({ callSid, error: (error as Error).message }, 'flash call already over');
    }
  }

  #onSent(row: OutboxRow, result: Record<string, unknown>): void {
    const attempt = this.#deps.store.attemptByOutbox(row.id);
    if (!attempt) return;
    const callSid = typeof result['callSid'] === 'string' ? result['callSid'] : undefined;
    this.#deps.store.updateAttempt(attempt.sid, { deliveryStatus: callSid ? 'initiated' : 'sent', callSid }, this.#deps.clock.now());
    this.#attemptEvent(attempt.sid, callSid ? 'initiated' : 'sent');
  }

  #onDelivery(report: DeliveryReport): void {
    const attempt = this.#deps.store.attemptByOutbox(report.outboxId);
    if (!attempt) return;
    const states = report.parts.map((p) => p.delivery);
    const status = states.every((s) => s === 'delivered') ? 'delivered' : states.some((s) => s !== 'delivered' && s !== 'pending') ? 'undelivered' : undefined;
    if (!status) return;
    this.#deps.store.updateAttempt(attempt.sid, { deliveryStatus: status }, this.#deps.clock.now());
    this.#attemptEvent(attempt.sid, status);
  }

  #attemptFailed(row: OutboxRow, reason: string): void {
    const attempt = this.#deps.store.attemptByOutbox(row.id);
    if (!attempt) return;
    this.#deps.store.updateAttempt(attempt.sid, { deliveryStatus: 'failed', error: reason }, this.#deps.clock.now());
    this.#attemptEvent(attempt.sid, 'failed');
  }

  #expire(verification: Verification): void {
    if (this.#deps.store.settle(verification.sid, 'expired', this.#deps.clock.now())) this.#notify({ ...verification, status: 'expired' }, 'verification.expired');
  }

  #notify(verification: Verification, type: VerifyEventType): void {
    const service = this.#deps.store.service(verification.accountSid, verification.serviceSid);
    if (service) this.#event(service, verification, type);
  }

  #event(service: Service, verification: Verification, type: VerifyEventType, extra: Record<string, string> = {}): void {
    if (!service.statusCallback) return;
    this.#deps.callbacks.send({
      type,
      url: service.statusCallback,
      params: {
        AccountSid: service.accountSid,
        ServiceSid: service.sid,
        VerificationSid: verification.sid,
        To: verification.to,
        Channel: verification.channel,
        Status: verification.status as VerificationStatus,
        ...extra,
      },
    });
  }

  #attemptEvent(attemptSid: string, deliveryStatus: string): void {
    const attempt = this.#deps.store.attempt(attemptSid);
    const verification = attempt && this.#deps.store.verificationBySid(attempt.verificationSid);
    const service = verification && this.#deps.store.service(verification.accountSid, verification.serviceSid);
    if (!attempt || !verification || !service) return;
    this.#event(service, verification, 'attempt.delivery', { AttemptSid: attempt.sid, AttemptChannel: attempt.channel, DeliveryStatus: deliveryStatus });
  }

  #notFound(service: Service, path: string): VerifyError {
    return new VerifyError('NOT_FOUND', `The requested resource /Services/${service.sid}/${path} was not found`);
  }
}
