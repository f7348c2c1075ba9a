import type { FastifyInstance } from 'fastify';
import { VerifyError } from '../errors';
import { isSid, newSid } from '../ids';
import type { Service } from '../store/service-repository';
import type { Webhook, WebhookRepository, WebhookUpdate } from '../store/webhook-repository';
import { baseOf, listPage, pageWindow, param, params, type Form, type PageQuery } from './paging';
import { isoDate } from './serialize';

export interface WebhookRoutesDeps {
  webhooks: WebhookRepository;
  loadService(sid: string): Promise<Service>;
  now(): number;
}

/** What a webhook can subscribe to: every event (`*`), the TOTP events, and the verification events. */
export const WEBHOOK_EVENT_TYPES = [
  '*', 'factor.created', 'factor.verified', 'factor.deleted', 'challenge.approved', 'challenge.expired',
  'verification.pending', 'verification.approved', 'verification.canceled', 'verification.expired', 'verification.max-attempts-reached', 'attempt.delivery',
];

function webhookJson(hook: Webhook, base: string) {
  return {
    sid: hook.sid, service_sid: hook.serviceSid, account_sid: hook.accountSid, friendly_name: hook.friendlyName, event_types: hook.eventTypes,
    status: hook.status, version: hook.version, webhook_url: hook.webhookUrl, webhook_method: hook.webhookMethod,
    date_created: isoDate(hook.createdAt), date_updated: isoDate(hook.updatedAt), url: `${base}/v2/Services/${hook.serviceSid}/Webhooks/${hook.sid}`,
  };
}

function changesOf(form: Form | undefined): WebhookUpdate {
  const changes: WebhookUpdate = {};
  const name = param(form, 'FriendlyName');
  if (name !== undefined) {
    if (name.length < 1 || name.length > 64) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `FriendlyName`: 1 to 64 characters');
    changes.friendlyName = name;
  }
  const types = params(form, 'EventTypes');
  if (types.length > 0) {
    const unknown = types.find((t) => !WEBHOOK_EVENT_TYPES.includes(t));
    if (unknown !== undefined) throw new VerifyError('INVALID_PARAMETER', `Invalid parameter \`EventTypes\`: ${unknown.slice(0, 64)} is not one of ${WEBHOOK_EVENT_TYPES.join(', ')}`);
    changes.eventTypes = [...new Set(types)];
  }
  const url = param(form, 'WebhookUrl');
  if (url !== undefined) {
    if (url.length > 2_048 || !/^https?:\/\/\S+$/.test(url)) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `WebhookUrl`: an http(s) URL');
    changes.webhookUrl = url;
  }
  const status = param(form, 'Status');
  if (status !== undefined) {
    if (status !== 'enabled' && status !== 'disabled') throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `Status`: enabled or disabled');
    changes.status = status;
  }
  const version = param(form, 'Version');
  if (version !== undefined && version !== 'v2') throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `Version`: v2');
  return changes;
}

/** Services/{VA}/Webhooks: where a service's Verify events are posted, signed. */
export function registerWebhookRoutes(app: FastifyInstance, deps: WebhookRoutesDeps): void {
  const { webhooks } = deps;
  const path = '/v2/Services/:sid/Webhooks';
  const load = async (serviceSid: string, sid: string) => {
    const hook = isSid(sid, 'YW') ? await webhooks.get(serviceSid, sid) : undefined;
    if (!hook) throw new VerifyError('NOT_FOUND', `The requested resource /Services/${serviceSid}/Webhooks/${sid} was not found`);
    return hook;
  };

  app.post<{ Params: { sid: string }; Body: Form }>(path, { schema: { summary: 'Create a webhook', tags: ['Webhooks'] } }, async (request, reply) => {
    const service = (await deps.loadService(request.params.sid));
    for (const required of ['FriendlyName', 'EventTypes', 'WebhookUrl']) {
      if (request.body?.[required] === undefined) throw new VerifyError('MISSING_PARAMETER', `Missing required parameter ${required} in the post body`);
    }
    const changes = changesOf(request.body);
    const now = deps.now();
    const hook: Webhook = {
      sid: newSid('YW'), serviceSid: service.sid, accountSid: service.accountSid, friendlyName: changes.friendlyName!, eventTypes: changes.eventTypes!,
      status: changes.status ?? 'enabled', version: 'v2', webhookUrl: changes.webhookUrl!, webhookMethod: 'POST', createdAt: now, updatedAt: now,
    };
    await webhooks.insert(hook);
    return reply.code(201).send(webhookJson(hook, baseOf(request)));
  });

  app.get<{ Params: { sid: string }; Querystring: PageQuery }>(path, { schema: { summary: 'List webhooks', tags: ['Webhooks'] } }, async (request) => {
    const service = (await deps.loadService(request.params.sid));
    const window = pageWindow(request.query);
    const { items, total } = await webhooks.list(service.sid, window.offset, window.pageSize);
    const base = baseOf(request);
    return listPage('webhooks', items.map((h) => webhookJson(h, base)), total, window, base, `/v2/Services/${service.sid}/Webhooks`);
  });

  app.get<{ Params: { sid: string; hook: string } }>(`${path}/:hook`, { schema: { summary: 'Fetch a webhook', tags: ['Webhooks'] } }, async (request) =>
    webhookJson(await load((await deps.loadService(request.params.sid)).sid, request.params.hook), baseOf(request)));

  app.post<{ Params: { sid: string; hook: string }; Body: Form }>(`${path}/:hook`, { schema: { summary: 'Update a webhook', tags: ['Webhooks'] } }, async (request) => {
    const hook = await load((await deps.loadService(request.params.sid)).sid, request.params.hook);
    return webhookJson((await webhooks.update(hook.serviceSid, hook.sid, changesOf(request.body), deps.now()))!, baseOf(request));
  });

  app.delete<{ Params: { sid: string; hook: string } }>(`${path}/:hook`, { schema: { summary: 'Delete a webhook', tags: ['Webhooks'] } }, async (request, reply) => {
    const hook = await load((await deps.loadService(request.params.sid)).sid, request.params.hook);
    await webhooks.delete(hook.serviceSid, hook.sid);
    return reply.code(204).send();
  });
}
