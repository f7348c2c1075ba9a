import type { FastifyInstance } from 'fastify';
import { VerifyError } from '../errors';
import type { MessagingConfiguration, MessagingConfigurationRepository } from '../store/messaging-configuration-repository';
import type { Service } from '../store/service-repository';
import { baseOf, listPage, pageWindow, param, type Form, type PageQuery } from './paging';
import { isoDate } from './serialize';

export interface MessagingConfigurationRoutesDeps {
  messagingConfigurations: MessagingConfigurationRepository;
  loadService(sid: string): Promise<Service>;
  now(): number;
}

function configJson(config: MessagingConfiguration, base: string) {
  return {
    account_sid: config.accountSid, service_sid: config.serviceSid, country: config.country, messaging_service_sid: config.messagingServiceSid,
    date_created: isoDate(config.createdAt), date_updated: isoDate(config.updatedAt),
    url: `${base}/v2/Services/${config.serviceSid}/MessagingConfigurations/${config.country}`,
  };
}

function country(raw: string | undefined): string {
  if (raw === undefined) throw new VerifyError('MISSING_PARAMETER', 'Missing required parameter Country in the post body');
  if (raw.toLowerCase() === 'all') return 'all';
  if (!/^[A-Za-z]{2}$/.test(raw)) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `Country`: an ISO 3166-1 alpha-2 code, or all');
  return raw.toUpperCase();
}

function messagingServiceSid(form: Form | undefined): string {
  const sid = param(form, 'MessagingServiceSid');
  if (sid === undefined) throw new VerifyError('MISSING_PARAMETER', 'Missing required parameter MessagingServiceSid in the post body');
  if (!/^MG[0-9a-f]{32}$/.test(sid)) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `MessagingServiceSid`: MG followed by 32 hex digits');
  return sid;
}

/**
 * Services/{VA}/MessagingConfigurations: stored and read back as on Twilio. Verigate sends SMS through its
 * own routes (SMPP or REST by prefix), so a configuration changes no route (docs/verify-api.md).
 */
export function registerMessagingConfigurationRoutes(app: FastifyInstance, deps: MessagingConfigurationRoutesDeps): void {
  const { messagingConfigurations: configs } = deps;
  const path = '/v2/Services/:sid/MessagingConfigurations';
  const load = async (serviceSid: string, raw: string) => {
    const config = await configs.get(serviceSid, country(raw));
    if (!config) throw new VerifyError('NOT_FOUND', `The requested resource /Services/${serviceSid}/MessagingConfigurations/${raw} was not found`);
    return config;
  };

  app.post<{ Params: { sid: string }; Body: Form }>(path, { schema: { summary: 'Create a messaging configuration', tags: ['Messaging configurations'] } }, async (request, reply) => {
    const service = (await deps.loadService(request.params.sid));
    const now = deps.now();
    const config: MessagingConfiguration = {
      serviceSid: service.sid, accountSid: service.accountSid, country: country(param(request.body, 'Country')),
      messagingServiceSid: messagingServiceSid(request.body), createdAt: now, updatedAt: now,
    };
    if (!(await configs.insert(config))) throw new VerifyError('MESSAGING_CONFIGURATION_EXISTS');
    return reply.code(201).send(configJson(config, baseOf(request)));
  });

  app.get<{ Params: { sid: string }; Querystring: PageQuery }>(path, { schema: { summary: 'List messaging configurations', tags: ['Messaging configurations'] } }, async (request) => {
    const service = (await deps.loadService(request.params.sid));
    const window = pageWindow(request.query);
    const { items, total } = await configs.list(service.sid, window.offset, window.pageSize);
    const base = baseOf(request);
    return listPage('messaging_configurations', items.map((c) => configJson(c, base)), total, window, base, `/v2/Services/${service.sid}/MessagingConfigurations`);
  });

  app.get<{ Params: { sid: string; country: string } }>(`${path}/:country`, { schema: { summary: 'Fetch a messaging configuration', tags: ['Messaging configurations'] } }, async (request) =>
    configJson(await load((await deps.loadService(request.params.sid)).sid, request.params.country), baseOf(request)));

  app.post<{ Params: { sid: string; country: string }; Body: Form }>(`${path}/:country`, { schema: { summary: 'Update a messaging configuration', tags: ['Messaging configurations'] } }, async (request) => {
    const config = await load((await deps.loadService(request.params.sid)).sid, request.params.country);
    return configJson((await configs.update(config.serviceSid, config.country, messagingServiceSid(request.body), deps.now()))!, baseOf(request));
  });

  app.delete<{ Params: { sid: string; country: string } }>(`${path}/:country`, { schema: { summary: 'Delete a messaging configuration', tags: ['Messaging configurations'] } }, async (request, reply) => {
    const config = await load((await deps.loadService(request.params.sid)).sid, request.params.country);
    await configs.delete(config.serviceSid, config.country);
    return reply.code(204).send();
  });
}
