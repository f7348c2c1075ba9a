import type { Clock } from '../gateway/clock';
import { VerigateError } from '../gateway/errors';
import { isAttemptReference, type CallPayload, type OutboxRow, type ReadyContent, type SmsPayload } from '../gateway/outbox';
import { countParts } from '../gateway/text';
import { localized, smsText, spokenDigits, templatesOf } from './channels/messages';
import type { CodeBook } from './codes';
import type { Attempt } from './store/attempt-repository';
import type { Service } from './store/service-repository';
import type { VerifierStorage } from './store/storage';
import type { Verification } from './store/verification-repository';
import { MAX_SMS_PARTS } from './text-limits';
import type { SendOptions } from './verification-input';

/** What the messages say and where calls come from. */
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

/** A code is not sent for a verification that is no longer pending: the row fails for good. */
export class StaleVerificationError extends VerigateError {
  override readonly name = 'StaleVerificationError';
  readonly code = 'VERIFICATION_NOT_PENDING';
}

/** A message longer than MAX_SMS_PARTS parts is never sent: the row fails for good instead of retrying. */
export class UnsendableMessageError extends Error {
  override readonly name = 'UnsendableMessageError';
  readonly temporary = false;
}

/** The parts of a verification that its SMS text depends on. */
export type SmsContent = Pick<Verification, 'customFriendlyName' | 'locale' | 'amount' | 'payee'>;

export interface VoiceScript {
  intro: string;
  again: string;
  repeat: string;
  goodbye: string;
  /** The `<Say language>` of the verification's locale. */
  language: string;
  /** The service's TtsName: the `<Say voice>`, when set. */
  voice: string | null;
  /** Said first, when the service has DtmfInputRequired: the code is read only after a key press. */
  pressKey: string | null;
}

export interface MessageRendererDeps {
  storage: VerifierStorage;
  codes: CodeBook;
  clock: Clock;
  settings: EngineSettings;
}

/**
 * Turns a verification's send attempt into the SMS text, the voice call or
 * the flash call, at send time: the code is derived (or unsealed) only here,
 * in memory, and never written back.
 */
export class MessageRenderer {
  readonly #deps: MessageRendererDeps;

  constructor(deps: MessageRendererDeps) {
    this.#deps = deps;
  }

  /** The gateway's render hook: an outbox reference becomes the message or call, with the code. */
  async render(row: OutboxRow): Promise<ReadyContent> {
    const { storage, codes, clock, settings } = this.#deps;
    if (!isAttemptReference(row.payload)) throw new StaleVerificationError(`outbox row ${row.id} is not a verification attempt`);
    const reference = row.payload;
    const found = await storage.verifications.withService(reference.verificationSid);
    if (!found || found.verification.status !== 'pending' || found.verification.expiresAt <= clock.now()) {
      throw new StaleVerificationError(`verification ${reference.verificationSid} is no longer pending`);
    }
    const { verification, service } = found;
    const code = this.codeOf(verification, service, reference.sealedCode);
    const options = (reference.options ?? {}) as SendOptions;
    if (row.kind === 'sms') {
      const text = this.smsText(verification, service, code, options);
      const parts = countParts(text).parts;
      if (parts > MAX_SMS_PARTS) throw new UnsendableMessageError(`the message of ${verification.sid} needs ${parts} SMS parts, at most ${MAX_SMS_PARTS}`);
      const sms: SmsPayload = {
        // Used when the SMS goes through a REST API; the SMPP route reads receipts instead.
        statusCallback: `${settings.publicUrl}/v2/sms/status/${reference.attemptSid}`,
        from: settings.smsFrom,
        to: verification.to,
        text,
      };
      return { kind: 'sms', payload: sms };
    }
    // A call is a voice call or a flash call: the attempt says which (the verification's channel is its latest send's).
    const attempt = await storage.attempts.get(reference.attemptSid);
    if (!attempt) throw new StaleVerificationError(`attempt ${reference.attemptSid} is gone`);
    const flash = attempt.channel === 'flashcall';
    const call: CallPayload = {
      from: flash ? `${settings.flashcallPrefix}${code}` : settings.voiceCallerId,
      to: verification.to,
      url: `${settings.publicUrl}/v2/voice/${flash ? 'flash' : 'rcml'}/${codes.rcmlToken(reference.attemptSid)}`,
      method: 'POST',
      timeoutSeconds: flash ? settings.flashcallTimeoutSeconds : settings.voiceTimeoutSeconds,
      statusCallback: `${settings.publicUrl}/v2/voice/status/${reference.attemptSid}`,
      statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'],
    };
    if (options.sendDigits && !flash) call.sendDigits = options.sendDigits;
    return { kind: 'call', payload: call };
  }

  /** The SMS text of `verification` carrying `code`, as the start's `options` shape it. */
  smsText(verification: SmsContent, service: Service, code: string, options: SendOptions = {}): string {
    // The PSD2 text when the service or the start's template asks for it, and the verification has both fields.
    const psd2 = (service.psd2Enabled || options.template === 'psd2') && verification.amount && verification.payee;
    return smsText({
      name: verification.customFriendlyName ?? service.friendlyName,
      code,
      locale: verification.locale,
      psd2: psd2 ? { amount: verification.amount!, payee: verification.payee! } : undefined,
      doNotShare: service.doNotShareWarningEnabled,
      customMessage: options.customMessage,
      substitutions: options.substitutions,
      appHash: options.appHash,
    });
  }

  /** How many SMS parts the text of `content` takes with a code of `codeLength` digits. */
  smsParts(content: SmsContent, service: Service, codeLength: number, options: SendOptions = {}): number {
    return countParts(this.smsText(content, service, '0'.repeat(codeLength), options)).parts;
  }

  /** The code of a verification, derived (or unsealed, for a CustomCode); only ever held in memory. */
  codeOf(verification: Verification, service: Service, sealedCode?: string): string {
    if (verification.codeNonce) return this.#deps.codes.derive(verification.codeNonce, verification.codeLength ?? service.codeLength);
    if (!sealedCode) throw new StaleVerificationError('a custom code can only be sent with the start that gave it');
    return this.#deps.codes.open(sealedCode);
  }

  /** What a voice call reads: the code digit by digit, twice, with the option to repeat. */
  async voiceScript(attempt: Attempt): Promise<VoiceScript | undefined> {
    const found = await this.#deps.storage.verifications.withService(attempt.verificationSid);
    if (!found || found.verification.status !== 'pending' || !found.verification.codeNonce) return undefined;
    const { verification, service } = found;
    const digits = spokenDigits(this.codeOf(verification, service));
    const name = verification.customFriendlyName ?? service.friendlyName;
    const locale = verification.locale;
    return {
      intro: localized(locale, 'voice', { name, digits }),
      again: localized(locale, 'voiceAgain', { digits }),
      repeat: localized(locale, 'voiceRepeat'),
      goodbye: localized(locale, 'voiceGoodbye'),
      language: templatesOf(locale).sayLanguage,
      voice: service.settings.ttsName,
      pressKey: service.settings.dtmfInputRequired ? localized(locale, 'voicePressKey', { name }) : null,
    };
  }

  /** Said when someone answers a flash call anyway, and in which `<Say language>`. */
  async flashAnsweredText(attempt: Attempt): Promise<{ text: string; language: string }> {
    const locale = (await this.#deps.storage.verifications.bySid(attempt.verificationSid))?.locale;
    return { text: localized(locale, 'flashAnswered'), language: templatesOf(locale).sayLanguage };
  }
}
