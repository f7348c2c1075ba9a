import { isIP } from 'node:net';
import { templateBySid } from './channels/builtin-templates';
import { canonicalLocale, localeForCountry, SUPPORTED_LOCALES } from './channels/messages';
import { VerifyError } from './errors';
import { parseE164, type PhoneNumber } from './phone';
import type { Service } from './store/service-repository';
import type { Channel } from './store/verification-repository';
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
  /** Android's SMS Retriever hash (SMS only). */
  appHash?: string;
  /** Deprecated on Twilio, still sent by old clients: the SMS text, with `{{code}}`. */
  customMessage?: string;
  templateSid?: string;
  /** A JSON object of `{{key}}` values for a custom message. */
  templateCustomSubstitutions?: string;
  /** A JSON object of up to 10 tags, recorded with the message. */
  tags?: string;
  /** `disable` skips the fraud guard for this start, as on Twilio. */
  riskCheck?: string;
  /** The user's IP address: checked, then unused (it steers Twilio's `auto` channel, which Verigate has not). */
  deviceIp?: string;
  /** DTMF to play once a voice-code call is answered (an extension). */
  sendDigits?: string;
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

/** What one start asks of its message beyond the verification; kept with the send attempt's outbox row. */
export interface SendOptions {
  appHash?: string;
  customMessage?: string;
  /** A built-in template's text key. */
  template?: 'sms' | 'psd2';
  substitutions?: Record<string, string>;
  sendDigits?: string;
  tags?: Record<string, string>;
}

export interface ValidStart {
  phone: PhoneNumber;
  channel: Channel;
  /** The templates' locale: `Locale` when given, else the language of the number's country. */
  locale: string;
  options: SendOptions;
  /** false when `RiskCheck=disable`. */
  riskCheck: boolean;
}

const invalid = (name: string, why: string) => new VerifyError('INVALID_PARAMETER', `Invalid parameter \`${name}\`: ${why}`);

/** A JSON object of strings, as Twilio takes `Tags` and `TemplateCustomSubstitutions`. */
function stringMap(name: string, text: string | undefined, maxEntries: number, maxLength: number): Record<string, string> | undefined {
  if (text === undefined || text === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(name, 'a JSON object of strings');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid(name, 'a JSON object of strings');
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length > maxEntries) throw invalid(name, `at most ${maxEntries} entries`);
  for (const [key, value] of entries) {
    if (typeof value !== 'string' && typeof value !== 'number') throw invalid(name, `the value of ${key} is not a string`);
    if ([...key].length > maxLength || [...String(value)].length > maxLength) throw invalid(name, `keys and values of at most ${maxLength} characters`);
  }
  return Object.fromEntries(entries.map(([key, value]) => [key, String(value)]));
}

/** The per-message parameters of a start, checked; what only applies to another channel is dropped. */
function sendOptions(input: StartInput, channel: Channel, templateSid: string | undefined): SendOptions {
  const options: SendOptions = {};
  if (input.appHash !== undefined && input.appHash !== '') {
    // Google's hash: 11 characters of base64 (https://developers.google.com/identity/sms-retriever/verify).
    if (!/^[A-Za-z0-9+/]{11}$/.test(input.appHash)) throw invalid('AppHash', 'the 11-character hash of an Android app');
    if (channel === 'sms') options.appHash = input.appHash;
  }
  const customMessage = limited('CustomMessage', input.customMessage);
  if (customMessage !== undefined && customMessage.trim() !== '' && channel === 'sms') options.customMessage = customMessage;
  if (templateSid !== undefined && templateSid !== '') {
    const template = templateBySid(templateSid);
    if (!template) throw invalid('TemplateSid', `${templateSid} is not a template of this account (GET /v2/Templates lists them)`);
    options.template = template.key;
  }
  const substitutions = stringMap('TemplateCustomSubstitutions', limited('TemplateCustomSubstitutions', input.templateCustomSubstitutions), 20, 128);
  if (substitutions) options.substitutions = substitutions;
  const tags = stringMap('Tags', limited('Tags', input.tags), 10, 128);
  if (tags) options.tags = tags;
  if (input.sendDigits !== undefined && input.sendDigits !== '') {
    // Twilio's SendDigits: up to 32 of 0-9, *, # and w (a half-second pause).
    if (!/^[0-9*#wW]{1,32}$/.test(input.sendDigits)) throw invalid('SendDigits', 'up to 32 of 0-9, *, # and w');
    if (channel === 'call') options.sendDigits = input.sendDigits;
  }
  return options;
}

/**
 * The parameters of a start, checked in Twilio's order with its error codes:
 * number, channel, locale, a route for the channel, PSD2, CustomCode, then the
 * per-message parameters (AppHash, CustomMessage, TemplateSid, Tags …).
 */
export function validateStart(service: Service, input: StartInput, hasRoute: (kind: 'sms' | 'call', to: string) => boolean, defaultTemplateSid?: string | null): ValidStart {
  const phone = parseE164(required('To', input.to));
  if (!phone) throw invalid('To', 'not an E.164 phone number');
  const channel = required('Channel', input.channel) as Channel;
  if (!CHANNELS.includes(channel)) throw invalid('Channel', `must be one of ${CHANNELS.join(', ')}`);
  limited('CustomFriendlyName', input.customFriendlyName);
  limited('Amount', input.amount);
  limited('Payee', input.payee);
  let locale = localeForCountry(phone.country);
  if (input.locale !== undefined && input.locale !== '') {
    const known = canonicalLocale(limited('Locale', input.locale)!);
    if (!known) throw invalid('Locale', `supported are ${SUPPORTED_LOCALES.join(', ')}`);
    locale = known;
  }
  if (!hasRoute(channel === 'sms' ? 'sms' : 'call', phone.e164)) {
    throw invalid('Channel', `${channel} is not available: this verifier has no ${channel === 'sms' ? 'SMS' : 'voice'} route (--smpp, --voice-api)`);
  }
  if (service.psd2Enabled && (!input.amount || !input.payee)) throw new VerifyError('INVALID_PARAMETER', 'Amount and Payee are required when PSD2 is enabled');
  if (input.customCode !== undefined) {
    if (!service.customCodeEnabled) throw invalid('CustomCode', 'custom codes are not enabled for this service');
    if (!/^\d{4,10}$/.test(input.customCode)) throw invalid('CustomCode', '4 to 10 digits');
  }
  const options = sendOptions(input, channel, input.templateSid || defaultTemplateSid || undefined);
  if (options.template === 'psd2' && (!input.amount || !input.payee)) throw invalid('TemplateSid', 'the PSD2 template needs Amount and Payee');
  const riskCheck = (input.riskCheck ?? 'enable').toLowerCase();
  if (riskCheck !== 'enable' && riskCheck !== 'disable') throw invalid('RiskCheck', 'enable or disable');
  if (input.deviceIp !== undefined && input.deviceIp !== '' && isIP(input.deviceIp) === 0) throw invalid('DeviceIp', 'an IPv4 or IPv6 address');
  return { phone, channel, locale, options, riskCheck: riskCheck === 'enable' };
}

