import { readdirSync, readFileSync } from 'node:fs';
import { assetPath } from '../../gateway/assets';

export type TemplateKey = 'sms' | 'psd2' | 'doNotShare' | 'voicePressKey' | 'voice' | 'voiceAgain' | 'voiceRepeat' | 'voiceGoodbye' | 'flashAnswered';

/** One locale's file in verifier/channels/locales/: the texts, and how a call says them. */
export type LocaleTemplates = Record<TemplateKey, string> & {
  /** The `<Say language>` of a call in this locale (BCP 47, language-REGION). */
  sayLanguage: string;
  /** Between the message and the do-not-share warning: a space, or nothing after a CJK full stop. */
  sentenceSeparator?: string;
};

const folder = assetPath('verifier/channels/locales');
const catalogue: Record<string, LocaleTemplates> = Object.fromEntries(
  readdirSync(folder).filter((file) => file.endsWith('.json')).sort()
    .map((file) => [file.slice(0, -'.json'.length), JSON.parse(readFileSync(`${folder}/${file}`, 'utf8')) as LocaleTemplates]),
);

/** Tags that name the same templates as another (lower case, '-' separated). */
const ALIASES: Record<string, string> = {
  'zh-cn': 'zh', 'zh-sg': 'zh', 'zh-hans': 'zh', 'zh-tw': 'zh-HK', 'zh-mo': 'zh-HK', 'zh-hant': 'zh-HK',
  'pt-pt': 'pt', 'en-us': 'en', no: 'nb', nn: 'nb', iw: 'he', in: 'id', fil: 'tl',
};

/** The locales a start's `Locale` may name: Twilio Verify's list (one file each) and zh-CN. */
export const SUPPORTED_LOCALES = [...Object.keys(catalogue), 'zh-CN'].sort();

const byLowerCase = new Map(Object.keys(catalogue).map((locale) => [locale.toLowerCase(), locale]));
const byCountry = new Map(Object.entries(JSON.parse(readFileSync(assetPath('verifier/channels/country-locales.json'), 'utf8')) as Record<string, string[]>)
  .flatMap(([locale, countries]) => countries.map((country) => [country, locale] as const)));

/**
 * The templates' locale for a tag as Twilio takes it ('pt-BR', 'pt_br', 'de-AT', 'zh-TW'): the tag
 * itself, an alias, or its language; undefined when none of those has templates.
 */
export function canonicalLocale(tag: string): string | undefined {
  const lower = tag.trim().toLowerCase().replace(/_/g, '-');
  const language = lower.split('-')[0]!;
  const found = byLowerCase.get(lower) ?? ALIASES[lower] ?? byLowerCase.get(language) ?? ALIASES[language];
  return found && found in catalogue ? found : undefined;
}

/** The language of a number's country (ISO 3166-1 alpha-2), as Twilio picks it when `Locale` is absent: English elsewhere. */
export function localeForCountry(country: string | undefined): string {
  return (country && byCountry.get(country)) || 'en';
}

/** The templates' locale of a stored verification: anything unknown reads as English. */
export function resolveLocale(locale: string | null | undefined): string {
  return (locale && canonicalLocale(locale)) || 'en';
}

/** `{name}`-style placeholders filled from `values`; unknown ones become empty. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');
}

export function templatesOf(locale: string | null | undefined): LocaleTemplates {
  return catalogue[resolveLocale(locale)]!;
}

export function localized(locale: string | null | undefined, key: TemplateKey, values: Record<string, string> = {}): string {
  return fill(templatesOf(locale)[key], values);
}

export interface SmsContent {
  name: string;
  code: string;
  locale: string | null;
  psd2?: { amount: string; payee: string };
  doNotShare: boolean;
  /** The deprecated `CustomMessage`, with `{{code}}`, `{{friendly_name}}` and custom substitutions. */
  customMessage?: string;
  /** `TemplateCustomSubstitutions`: more `{{key}}` values for a custom message. */
  substitutions?: Record<string, string>;
  /** Android's SMS Retriever: `<#>` first, this 11-character app hash on the last line. */
  appHash?: string;
}

/** `{{key}}` placeholders (Twilio's template syntax) filled from `values`; unknown ones stay as written. */
function fillTwilio(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => values[key] ?? whole);
}

export function smsText(content: SmsContent): string {
  const templates = templatesOf(content.locale);
  let body: string;
  if (content.customMessage !== undefined) {
    const values = { ...content.substitutions, friendly_name: content.name, code: content.code };
    // A custom message without {{code}} still carries the code, at its end.
    body = /\{\{\s*code\s*\}\}/.test(content.customMessage) ? fillTwilio(content.customMessage, values) : `${fillTwilio(content.customMessage, values)} ${content.code}`;
  } else {
    const values = { name: content.name, code: content.code, amount: content.psd2?.amount ?? '', payee: content.psd2?.payee ?? '' };
    body = fill(content.psd2 ? templates.psd2 : templates.sms, values);
  }
  if (content.doNotShare) body = `${body}${templates.sentenceSeparator ?? ' '}${templates.doNotShare}`;
  return content.appHash ? `<#> ${body}\n${content.appHash}` : body;
}

/** '123456' → '1, 2, 3, 4, 5, 6': text-to-speech reads digits one by one. */
export function spokenDigits(code: string): string {
  return code.split('').join(', ');
}
