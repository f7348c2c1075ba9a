import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { VerifyError } from '../errors';
import { isSid, newSid } from '../ids';
import { apiKeySecretHash, type ApiKey, type ApiKeyRepository } from '../store/api-key-repository';
import { param, type Form, type PageQuery, pageWindow } from './paging';

export interface ApiKeyRoutesDeps {
  keys: ApiKeyRepository;
  accountSid: string;
  now(): number;
}

/** The 2010-04-01 API writes dates as RFC 2822. */
const rfc2822 = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000');

function keyJson(key: ApiKey) {
  return { sid: key.sid, friendly_name: key.friendlyName, date_created: rfc2822(key.createdAt), date_updated: rfc2822(key.updatedAt) };
}

function friendlyName(form: Form | undefined): string | undefined {
  const name = param(form, 'FriendlyName');
  if (name !== undefined && name.length > 64) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `FriendlyName`: at most 64 characters');
  return name;
}

/**
 * API keys on Twilio's 2010-04-01 paths: `SK…` SIDs with a secret shown once. Managing keys takes the
 * account's own credentials (as Twilio's main credentials); the keys themselves work on every Verify route.
 */
export function registerApiKeyRoutes(app: FastifyInstance, deps: ApiKeyRoutesDeps): void {
  const { keys, accountSid } = deps;
  const base = `/2010-04-01/Accounts/:accountSid`;
  const account = (given: string) => {
    if (given !== accountSid) throw new VerifyError('NOT_FOUND', `The requested resource /2010-04-01/Accounts/${given} was not found`);
  };
  const load = async (sid: string) => {
    const key = isSid(sid, 'SK') ? await keys.get(accountSid, sid) : undefined;
    if (!key) throw new VerifyError('NOT_FOUND', `The requested resource /2010-04-01/Accounts/${accountSid}/Keys/${sid}.json was not found`);
    return key;
  };

  app.post<{ Params: { accountSid: string }; Body: Form }>(`${base}/Keys.json`, { schema: { summary: 'Create an API key', tags: ['API keys'] } }, async (request, reply) => {
    account(request.params.accountSid);
    const now = deps.now();
    const secret = randomBytes(24).toString('base64url');
    const key: ApiKey = { sid: newSid('SK'), accountSid, friendlyName: friendlyName(request.body) ?? '', createdAt: now, updatedAt: now };
    await keys.insert(key, apiKeySecretHash(secret));
    return reply.code(201).send({ ...keyJson(key), secret });
  });

  app.get<{ Params: { accountSid: string }; Querystring: PageQuery }>(`${base}/Keys.json`, { schema: { summary: 'List API keys', tags: ['API keys'] } }, async (request) => {
    account(request.params.accountSid);
    const window = pageWindow(request.query);
    const { items, total } = await keys.list(accountSid, window.offset, window.pageSize);
    const uri = (p: number) => `/2010-04-01/Accounts/${accountSid}/Keys.json?PageSize=${window.pageSize}&Page=${p}`;
    return {
      keys: items.map(keyJson),
      start: window.offset,
      end: window.offset + Math.max(items.length - 1, 0),
      page: window.page,
      page_size: window.pageSize,
      uri: uri(window.page),
      first_page_uri: uri(0),
      previous_page_uri: window.page > 0 ? uri(window.page - 1) : null,
      next_page_uri: window.offset + items.length < total ? uri(window.page + 1) : null,
    };
  });

  app.get<{ Params: { accountSid: string; sid: string } }>(`${base}/Keys/:sid.json`, { schema: { summary: 'Fetch an API key', tags: ['API keys'] } }, async (request) => {
    account(request.params.accountSid);
    return keyJson(await load(request.params.sid));
  });

  app.post<{ Params: { accountSid: string; sid: string }; Body: Form }>(`${base}/Keys/:sid.json`, { schema: { summary: 'Rename an API key', tags: ['API keys'] } }, async (request) => {
    account(request.params.accountSid);
    await load(request.params.sid);
    return keyJson((await keys.rename(accountSid, request.params.sid, friendlyName(request.body) ?? '', deps.now()))!);
  });

  app.delete<{ Params: { accountSid: string; sid: string } }>(`${base}/Keys/:sid.json`, { schema: { summary: 'Delete an API key', tags: ['API keys'] } }, async (request, reply) => {
    account(request.params.accountSid);
    await load(request.params.sid);
    await keys.delete(accountSid, request.params.sid);
    return reply.code(204).send();
  });
}
