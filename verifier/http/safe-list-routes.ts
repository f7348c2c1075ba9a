import type { FastifyInstance } from 'fastify';
import { VerifyError } from '../errors';
import { newSid } from '../ids';
import { parseE164 } from '../phone';
import type { SafeListEntry, SafeListRepository } from '../store/safe-list-repository';
import { baseOf, param, type Form } from './paging';

export interface SafeListRoutesDeps {
  safeList: SafeListRepository;
  accountSid: string;
  now(): number;
}

function entryJson(entry: SafeListEntry, base: string) {
  return { sid: entry.sid, phone_number: entry.phoneNumber, url: `${base}/v2/SafeList/Numbers/${encodeURIComponent(entry.phoneNumber)}` };
}

function number(raw: string | undefined): string {
  if (raw === undefined) throw new VerifyError('MISSING_PARAMETER', 'Missing required parameter PhoneNumber in the post body');
  const phone = parseE164(raw);
  if (!phone) throw new VerifyError('INVALID_PARAMETER', 'Invalid parameter `PhoneNumber`: an E.164 number');
  return phone.e164;
}

/** The safe list (`/v2/SafeList/Numbers`): numbers the fraud guard never blocks (docs/verify-api.md). */
export function registerSafeListRoutes(app: FastifyInstance, deps: SafeListRoutesDeps): void {
  app.post<{ Body: Form }>('/v2/SafeList/Numbers', { schema: { summary: 'Add a number to the safe list', tags: ['Safe list'] } }, async (request, reply) => {
    const entry = await deps.safeList.add({ sid: newSid('GN'), phoneNumber: number(param(request.body, 'PhoneNumber')), accountSid: deps.accountSid, createdAt: deps.now() });
    return reply.code(201).send(entryJson(entry, baseOf(request)));
  });

  const load = async (raw: string) => {
    const entry = await deps.safeList.get(number(raw));
    if (!entry) throw new VerifyError('NOT_FOUND', `The requested resource /SafeList/Numbers/${raw} was not found`);
    return entry;
  };

  app.get<{ Params: { number: string } }>('/v2/SafeList/Numbers/:number', { schema: { summary: 'Fetch a safe-listed number', tags: ['Safe list'] } }, async (request) =>
    entryJson(await load(request.params.number), baseOf(request)));

  app.delete<{ Params: { number: string } }>('/v2/SafeList/Numbers/:number', { schema: { summary: 'Remove a number from the safe list', tags: ['Safe list'] } }, async (request, reply) => {
    await deps.safeList.remove((await load(request.params.number)).phoneNumber);
    return reply.code(204).send();
  });
}
