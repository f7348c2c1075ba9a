import { readFileSync } from 'node:fs';
import { assetPath } from '../../gateway/assets';

type TemplateKey = 'sms' | 'psd2' | 'doNotShare' | 'voice' | 'voiceAgain' | 'voiceRepeat' | 'voiceGoodbye' | 'flashAnswered';
type Catalogue = Record<string, Record<TemplateKey, string>>;

const catalogue = JSON.parse(readFileSync(assetPath('verifier/channels/templates.json'), 'utf8')) as Catalogue;

export const SUPPORTED_LOCALES = Object.keys(catalogue);

/** 'de-AT' → 'de'; anything unknown → 'en'. */
export function resolveLocale(locale: string | null | undefined): string {
  const base = (locale ?? 'en').toLowerCase().split(/[-_]/)[0] ?? 'en';
  return base in catalogue ? base : 'en';
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');
}

export function localized(locale: string | null | undefined, key: TemplateKey, values: Record<string, string> = {}): string {
  const table = catalogue[resolveLocale(locale)]!;
  return fill(table[key], values);
}

export interface SmsContent {
  name: string;
  code: string;
  locale: string | null;
  psd2?: { amount: string; payee: string };
  doNotShare: boolean;
}

export function smsText(content: SmsContent): string {
  const values = { name: content.name, code: content.code, amount: content.psd2?.amount ?? '', payee: content.psd2?.payee ?? '' };
  const body = localized(content.locale, content.psd2 ? 'psd2' : 'sms', values);
  return content.doNotShare ? `${body} ${localized(content.locale, 'doNotShare')}` : body;
}

/** '123456' → '1, 2, 3, 4, 5, 6': text-to-speech reads digits one by one. */
export function spokenDigits(code: string): string {
  return code.split('').join(', ');
}
