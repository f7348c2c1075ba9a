import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { normaliseAddress } from '../numbers';
import { API_PREFIX, type ApiFlavour } from './call-record';
import type { AccountCheck } from './call-routes';
import { VoiceApiError } from './errors';
import { page } from './paging';
import { RequestParams } from './request-params';
import { MAX_BODY_LENGTH, smsJson, type SmsService } from './sms-service';

type Params = { accountSid: string; messageSid?: string };

/** Restcomm's `…/SMS/Messages` and Twilio's `…/Messages`. */
export function registerSmsRoutes(app: FastifyInstance, flavour: ApiFlavour, sms: SmsService, account: AccountCheck): void {
  const base = `${API_PREFIX[flavour]}/Accounts/:accountSid/${flavour === 'restcomm' ? 'SMS/Messages' : 'Messages'}`;

  const create = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const accountSid = account(request);
    const p = RequestParams.ofBody(request);
    const to = p.phone('To', 21211, 21604);
    const fromRaw = p.required('From', 21603);
    const from = normaliseAddress(fromRaw);
    if (!/^\+\d{3,15}$/.test(from) && !/^[A-Za-z0-9 ]{1,11}$/.test(fromRaw)) {
      throw new VoiceApiError(21212, `The 'From' ${fromRaw} is neither a phone number nor an alphanumeric sender of up to 11 characters`);
    }
    const body = p.required('Body', 21602);
    if (body.length > MAX_BODY_LENGTH) throw new VoiceApiError(21617, `Body is ${body.length} characters; the limit is ${MAX_BODY_LENGTH}`);
    const record = sms.send({
      accountSid,
      flavour,
      from,
      to,
      body,
      statusCallback: p.url('StatusCallback', 21609),
      statusCallbackMethod: p.method('StatusCallbackMethod'),
    });
    return reply.code(201).send(smsJson(record));
  };

  const list = async (request: FastifyRequest<{ Params: Params }>) => {
    const accountSid = account(request);
    const q = RequestParams.ofQuery(request);
    const filters = { To: q.string('To'), From: q.string('From') };
    const messages = sms.list({ to: filters.To && normaliseAddress(filters.To), from: filters.From && normaliseAddress(filters.From) })
      .filter((m) => m.accountSid === accountSid);
    return page(flavour === 'restcomm' ? 'sms_messages' : 'messages', messages.map(smsJson), request.url.split('?')[0] ?? '', q, filters);
  };

  const fetch = async (request: FastifyRequest<{ Params: Params }>) => {
    const accountSid = account(request);
    const record = sms.get((request.params.messageSid ?? '').replace(/\.json$/, ''));
    if (!record || record.accountSid !== accountSid) throw new VoiceApiError(20404, `The requested resource ${request.url.split('?')[0]} was not found`);
    return smsJson(record);
  };

  for (const path of [base, `${base}.json`]) {
    app.post<{ Params: Params }>(path, create);
    app.get<{ Params: Params }>(path, list);
  }
  app.get<{ Params: Params }>(`${base}/:messageSid`, fetch);
}
