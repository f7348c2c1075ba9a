import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { segmentText } from '../../../gateway/text';
import { canonicalLocale, localeForCountry, localized, smsText, SUPPORTED_LOCALES, templatesOf, type TemplateKey } from '../../../verifier/channels/messages';
import { parseE164 } from '../../../verifier/phone';

const folder = join(__dirname, '../../../verifier/channels/locales');
const files = readdirSync(folder).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));

/** Twilio Verify's documented locales (https://www.twilio.com/docs/verify/supported-languages). */
const TWILIO_LOCALES = ['af', 'ar', 'ca', 'cs', 'da', 'de', 'el', 'en', 'en-GB', 'es', 'et', 'fi', 'fr', 'he', 'hi', 'hr', 'hu', 'id', 'it', 'ja', 'kn', 'ko',
  'lt', 'mr', 'ms', 'nb', 'nl', 'pl', 'pt', 'pt-BR', 'ro', 'ru', 'sk', 'sv', 'ta', 'te', 'th', 'tl', 'tr', 'uk', 'vi', 'zh', 'zh-CN', 'zh-HK'];

/** The script each locale is written in: every letter of its texts (placeholders aside) must be of it. */
const SCRIPTS: Record<string, RegExp> = {
  ar: /\p{Script=Arabic}/u, el: /\p{Script=Greek}/u, he: /\p{Script=Hebrew}/u, hi: /\p{Script=Devanagari}/u, mr: /\p{Script=Devanagari}/u,
  kn: /\p{Script=Kannada}/u, ta: /\p{Script=Tamil}/u, te: /\p{Script=Telugu}/u, th: /\p{Script=Thai}/u, ko: /\p{Script=Hangul}/u,
  ja: /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー]/u, zh: /\p{Script=Han}/u, 'zh-HK': /\p{Script=Han}/u,
  ru: /\p{Script=Cyrillic}/u, uk: /\p{Script=Cyrillic}/u,
};
const LATIN = /\p{Script=Latin}/u;

/** Locales whose SMS (with PSD2 and the do-not-share warning) fits GSM 03.38: 160 characters a part. All others go as UCS-2 (70). */
const GSM7 = ['af', 'da', 'de', 'en', 'en-GB', 'et', 'fi', 'fr', 'id', 'it', 'ms', 'nb', 'nl', 'sv', 'tl'];

/** Characters only one of the two Chinese scripts uses. */
const SIMPLIFIED = '验证码请说听这见来断确认将个键';
const TRADITIONAL = '驗證碼請說聽這見來斷確認將個鍵';

const KEYS: TemplateKey[] = ['sms', 'psd2', 'doNotShare', 'voicePressKey', 'voice', 'voiceAgain', 'voiceRepeat', 'voiceGoodbye', 'flashAnswered'];
const PLACEHOLDERS: Partial<Record<TemplateKey, string[]>> = {
  sms: ['name', 'code'], psd2: ['name', 'code', 'amount', 'payee'], voicePressKey: ['name'], voice: ['name', 'digits'], voiceAgain: ['digits'],
};

const letters = (text: string) => [...text.replace(/\{\w+\}/g, '')].filter((c) => /\p{L}/u.test(c));

describe('the locale files', () => {
  it('cover every locale Twilio Verify documents, one file each (zh-CN reads zh.json)', () => {
    expect(SUPPORTED_LOCALES).toEqual([...TWILIO_LOCALES].sort());
    expect(files.sort()).toEqual(TWILIO_LOCALES.filter((l) => l !== 'zh-CN').sort());
  });

  describe.each(files)('%s', (locale) => {
    const raw = JSON.parse(readFileSync(join(folder, `${locale}.json`), 'utf8')) as Record<string, string>;

    it('has every text with its placeholders, and no other', () => {
      for (const key of KEYS) {
        expect(raw[key], key).toBeTruthy();
        const used = [...raw[key]!.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        expect(used, key).toEqual([...(PLACEHOLDERS[key] ?? [])].sort());
      }
    });

    it('is written in its own script', () => {
      const script = SCRIPTS[locale] ?? LATIN;
      for (const key of KEYS) {
        const foreign = letters(raw[key]!).filter((c) => !script.test(c));
        expect(foreign, `${key}: ${raw[key]}`).toEqual([]);
      }
      if (locale === 'zh') expect([...KEYS.map((k) => raw[k]).join('')].filter((c) => TRADITIONAL.includes(c))).toEqual([]);
      if (locale === 'zh-HK') expect([...KEYS.map((k) => raw[k]).join('')].filter((c) => SIMPLIFIED.includes(c))).toEqual([]);
    });

    it('names a valid <Say language> of its own language', () => {
      const say = raw['sayLanguage']!;
      expect(say).toMatch(/^[a-z]{2,3}-[A-Z]{2}$/);
      expect(Intl.getCanonicalLocales(say)).toEqual([say]);
      const language = new Intl.Locale(say).language;
      expect(language === locale.split('-')[0] || (locale === 'tl' && language === 'fil')).toBe(true);
    });

    it('renders the SMS with the code, in GSM-7 exactly when the text allows it', () => {
      const full = smsText({ name: 'Acme', code: '482913', locale, psd2: { amount: '12.50', payee: 'Shop' }, doNotShare: true });
      const plain = smsText({ name: 'Acme', code: '482913', locale, doNotShare: false });
      for (const text of [full, plain]) {
        expect(text).toContain('482913');
        expect(text).toContain('Acme');
        expect(text).not.toMatch(/\{\w+\}/);
      }
      expect(full).toContain('12.50');
      expect(full).toContain('Shop');
      const dataCoding = segmentText(full, { method: 'udh', ref: 1 }).dataCoding;
      expect(dataCoding, full).toBe(GSM7.includes(locale) ? 0 : 8);
    });

    it('renders the voice script and the flash-call sentence with the digits', () => {
      const digits = '4, 8, 2, 9, 1, 3';
      expect(localized(locale, 'voice', { name: 'Acme', digits })).toContain(digits);
      expect(localized(locale, 'voiceAgain', { digits })).toContain(digits);
      expect(localized(locale, 'voicePressKey', { name: 'Acme' })).toContain('Acme');
      expect(localized(locale, 'voiceRepeat')).toMatch(/1/);
      expect(localized(locale, 'flashAnswered').length).toBeGreaterThan(5);
    });
  });
});

describe('choosing a locale', () => {
  it('reads tags as Twilio takes them: case, underscore, region, aliases', () => {
    expect(canonicalLocale('pt_br')).toBe('pt-BR');
    expect(canonicalLocale('PT-BR')).toBe('pt-BR');
    expect(canonicalLocale('pt-PT')).toBe('pt');
    expect(canonicalLocale('de-AT')).toBe('de');
    expect(canonicalLocale('en-gb')).toBe('en-GB');
    expect(canonicalLocale('en-AU')).toBe('en');
    expect(canonicalLocale('zh-CN')).toBe('zh');
    expect(canonicalLocale('zh-TW')).toBe('zh-HK');
    expect(canonicalLocale('fil')).toBe('tl');
    expect(canonicalLocale('no')).toBe('nb');
    expect(canonicalLocale('xx')).toBeUndefined();
    expect(canonicalLocale('klingon')).toBeUndefined();
  });

  it('picks the language of the number\'s country, English where none has templates', () => {
    const of = (number: string) => localeForCountry(parseE164(number)!.country);
    expect(of('+4915112345678')).toBe('de');
    expect(of('+33612345678')).toBe('fr');
    expect(of('+5511912345678')).toBe('pt-BR');
    expect(of('+351912345678')).toBe('pt');
    expect(of('+819012345678')).toBe('ja');
    expect(of('+85291234567')).toBe('zh-HK');
    expect(of('+8613812345678')).toBe('zh');
    expect(of('+380501234567')).toBe('uk');
    expect(of('+447911123456')).toBe('en-GB');
    expect(of('+12025550123')).toBe('en');
    expect(of('+919812345678')).toBe('en');
    expect(localeForCountry(undefined)).toBe('en');
  });

  it('puts the SMS Retriever prefix first and the app hash on its own last line', () => {
    const text = smsText({ name: 'Acme', code: '482913', locale: 'en', doNotShare: true, appHash: 'FA+9qCX9VSu' });
    expect(text).toBe('<#> Your Acme verification code is: 482913 Do not share this code with anyone.\nFA+9qCX9VSu');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(140);
  });

  it('fills a custom message\'s {{code}}, {{friendly_name}} and substitutions, and appends the code when it has no {{code}}', () => {
    expect(smsText({ name: 'Acme', code: '4829', locale: 'en', doNotShare: false, customMessage: 'Hi {{user}}, {{friendly_name}} code {{code}}', substitutions: { user: 'Ann' } }))
      .toBe('Hi Ann, Acme code 4829');
    expect(smsText({ name: 'Acme', code: '4829', locale: 'en', doNotShare: false, customMessage: 'Your login code:' })).toBe('Your login code: 4829');
    expect(templatesOf('ja').sentenceSeparator).toBe('');
  });
});
