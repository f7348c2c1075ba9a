import { SUPPORTED_LOCALES } from './channels/messages';
import { VerifyError } from './errors';
import { parseE164, type PhoneNumber } from './phone';
import type { Channel, Service } from './store/verify-store';
import { limited, required } from './text-limits';

export const CHANNELS: readonly Channel[] = ['sms', 'call', 'flashcall'];

export interface StartInput {
  to?: string;
  channel?: string;
  locale?: string;
  customFriendlyName?: string;
  customCode?: string;
  amount?: string;
  payee?: string;
  /** Set by the hosted pages: the (hashed) id of the browser session that starts. */
  pageSession?: string;
}

export interface CheckInput {
  code?: string;
  to?: string;
  verificationSid?: string;
  amount?: string;
  payee?: string;
  /** Set by the hosted pages: only the session that started a verification may check it. */
  pageSession?: string;
}

/** 'de', 'de-AT' or 'pt_BR'-shaped, with a language we have templates for. */
function isSupportedLocale(locale: string): boolean {
  const match = /^([a-z]{2})(?:[-_][a-z0-9]{2,4})?$/i.exec(locale);
  return !!match && SUPPORTED_LOCALES.includes(match[1]!.toLowerCase());
}

/**
 * The parameters of a start, checked in Twilio's order with its error codes:
 * number, channel, locale, a route for the channel, PSD2, CustomCode.
 */
export function validateStart(service: Service, input: StartInput, hasRoute: (kind: 'sms' | 'call', to: string) => boolean): { phone: PhoneNumber; channel: Channel } {
  const phone = parseE164(required('To', input.to));
  if (!phone) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `To`: not an E.164 phone number');
  const channel = required('Channel', input.channel) as Channel;
  if (!CHANNELS.includes(channel)) throw new VerifyError('INVALID_PARAMETER', `Invalid parameter \`Channel\`: must be one of ${CHANNELS.join(', ')}`);
  limited('CustomFriendlyName', input.customFriendlyName);
  limited('Amount', input.amount);
  limited('Payee', input.payee);
  if (input.locale !== undefined && !isSupportedLocale(limited('Locale', input.locale)!)) {
    throw new VerifyError('INVALID_PARAMETER', `Invalid parameter \`Locale\`: supported are ${SUPPORTED_LOCALES.join(', ')}`);
  }
  if (!hasRoute(channel === 'sms' ? 'sms' : 'call', phone.e164)) {
    throw new VerifyError('INVALID_PARAMETER', `Invalid parameter \`Channel\`: ${channel} is not available: this verifier has no ${channel === 'sms' ? 'SMS' : 'voice'} route (--smpp, --voice-api)`);
  }
  if (service.psd2Enabled && (!input.amount || !input.payee)) throw new VerifyError('INVALID_PARAMETER', 'Amount and Payee are required when PSD2 is enabled');
  if (input.customCode !== undefined) {
    if (!service.customCodeEnabled) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `CustomCode`: custom codes are not enabled for this service');
    if (!/^\d{4,10}$/.test(input.customCode)) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `CustomCode`: 4 to 10 digits');
  }
  return { phone, channel };
}
