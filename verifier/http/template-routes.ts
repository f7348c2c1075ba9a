import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { localized, SUPPORTED_LOCALES } from '../channels/messages';
import { baseOf, listPage, pageWindow, type PageQuery } from './paging';

export interface TemplateRoutesDeps {
  accountSid: string;
}

/** Verigate's built-in message templates, in Twilio's placeholders, as Verify's template list shows them. */
const TEMPLATES = [
  { name: 'Verigate default', key: 'sms' as const, channels: ['sms'] },
  { name: 'Verigate PSD2', key: 'psd2' as const, channels: ['sms'] },
];
const placeholders = { name: '{{friendly_name}}', code: '{{code}}', amount: '{{amount}}', payee: '{{payee}}' };
const sidOf = (name: string) => `HJ${createHash('sha256').update(name).digest('hex').slice(0, 32)}`;

/**
 * `GET /v2/Templates`: the built-in templates with a translation per supported locale. They cannot be
 * changed through the API (Twilio's cannot either); TemplateSid on a start picks one of them.
 */
export function registerTemplateRoutes(app: FastifyInstance, deps: TemplateRoutesDeps): void {
  app.get<{ Querystring: PageQuery & { FriendlyName?: string } }>('/v2/Templates', { schema: { summary: 'List verification templates', tags: ['Templates'] } }, async (request) => {
    const wanted = request.query.FriendlyName?.toLowerCase();
    const all = TEMPLATES.filter((t) => !wanted || t.name.toLowerCase().includes(wanted)).map((t) => ({
      sid: sidOf(t.name),
      account_sid: deps.accountSid,
      friendly_name: t.name,
      channels: t.channels,
      translations: Object.fromEntries(SUPPORTED_LOCALES.map((locale) => [locale, { text: localized(locale, t.key, placeholders), status: 'approved', locale }])),
    }));
    const window = pageWindow(request.query);
    return listPage('templates', all.slice(window.offset, window.offset + window.pageSize), all.length, window, baseOf(request), '/v2/Templates',
      request.query.FriendlyName ? { FriendlyName: request.query.FriendlyName } : {});
  });
}

/** The template key a start's TemplateSid names, or undefined for an unknown SID. */
export function templateKeyOf(templateSid: string): 'sms' | 'psd2' | undefined {
  return TEMPLATES.find((t) => sidOf(t.name) === templateSid)?.key;
}
