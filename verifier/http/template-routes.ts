import type { FastifyInstance } from 'fastify';
import { BUILTIN_TEMPLATES } from '../channels/builtin-templates';
import { localized, SUPPORTED_LOCALES } from '../channels/messages';
import { baseOf, listPage, pageWindow, type PageQuery } from './paging';

export interface TemplateRoutesDeps {
  accountSid: string;
}

const placeholders = { name: '{{friendly_name}}', code: '{{code}}', amount: '{{amount}}', payee: '{{payee}}' };

/** `GET /v2/Templates`: the built-in templates (channels/builtin-templates.ts) with a translation per supported locale, in Twilio's placeholders. */
export function registerTemplateRoutes(app: FastifyInstance, deps: TemplateRoutesDeps): void {
  app.get<{ Querystring: PageQuery & { FriendlyName?: string } }>('/v2/Templates', { schema: { summary: 'List verification templates', tags: ['Templates'] } }, async (request) => {
    const wanted = request.query.FriendlyName?.toLowerCase();
    const all = BUILTIN_TEMPLATES.filter((t) => !wanted || t.name.toLowerCase().includes(wanted)).map((t) => ({
      sid: t.sid,
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
