import type { FastifyInstance, FastifyRequest } from 'fastify';
import { normaliseAddress } from '../numbers';
import { API_PREFIX, CALL_STATUSES, CALLBACK_EVENTS, callJson, type ApiFlavour, type CallbackEvent, type CallStatus } from './call-record';
import type { CallEngine } from './call-engine';
import { VoiceApiError } from './errors';
import { page } from './paging';
import { RequestParams } from './request-params';

type Params = { accountSid: string; callSid?: string };

export interface AccountCheck {
  (request: FastifyRequest<{ Params: Params }>): string;
}

/** The Calls resource under one API prefix (Restcomm's or Twilio's). */
export function registerCallRoutes(app: FastifyInstance, flavour: ApiFlavour, engine: CallEngine, account: AccountCheck): void {
  const base = `${API_PREFIX[flavour]}/Accounts/:accountSid/Calls`;

  const create = async (request: FastifyRequest<{ Params: Params }>, reply: import('fastify').FastifyReply) => {
    const accountSid = account(request);
    const p = RequestParams.ofBody(request);
    const to = p.phone('To', 21211, 21201);
    const from = p.phone('From', 21212, 21213);
    const url = p.url('Url', 21205);
    if (!url) throw new VoiceApiError(21205, 'Missing required parameter Url: the RCML to run when the call is answered');
    const events = p.list('StatusCallbackEvent');
    for (const event of events ?? []) {
      if (!(CALLBACK_EVENTS as readonly string[]).includes(event)) {
        throw new VoiceApiError(20001, `StatusCallbackEvent must be among ${CALLBACK_EVENTS.join(', ')}, got ${event}`);
      }
    }
    const call = engine.create({
      accountSid,
      flavour,
      from,
      to,
      url,
      method: p.method('Method') ?? 'POST',
      fallbackUrl: p.url('FallbackUrl', 21205),
      fallbackMethod: p.method('FallbackMethod'),
      statusCallback: p.url('StatusCallback', 21609),
      statusCallbackMethod: p.method('StatusCallbackMethod'),
      statusCallbackEvents: events && ([...new Set(events)] as CallbackEvent[]),
      timeoutSeconds: p.integer('Timeout', 1, 600),
    });
    return reply.code(201).send(callJson(call));
  };

  const list = async (request: FastifyRequest<{ Params: Params }>) => {
    const accountSid = account(request);
    const q = RequestParams.ofQuery(request);
    const status = q.string('Status');
    if (status !== undefined && !(CALL_STATUSES as readonly string[]).includes(status)) {
      throw new VoiceApiError(20001, `Status must be one of ${CALL_STATUSES.join(', ')}, got ${status}`);
    }
    const filters = { To: q.string('To'), From: q.string('From'), Status: status, ParentCallSid: q.string('ParentCallSid') };
    const calls = engine.list({
      to: filters.To && normaliseAddress(filters.To),
      from: filters.From && normaliseAddress(filters.From),
      status: status as CallStatus | undefined,
      parentCallSid: filters.ParentCallSid,
    }).filter((c) => c.accountSid === accountSid);
    const path = request.url.split('?')[0] ?? '';
    return page('calls', calls.map(callJson), path, q, filters);
  };

  const findCall = (request: FastifyRequest<{ Params: Params }>) => {
    const accountSid = account(request);
    const sid = (request.params.callSid ?? '').replace(/\.json$/, '');
    const call = engine.get(sid);
    if (!call || call.accountSid !== accountSid) throw new VoiceApiError(20404, `The requested resource ${request.url.split('?')[0]} was not found`);
    return call;
  };

  const fetch = async (request: FastifyRequest<{ Params: Params }>) => callJson(findCall(request));

  const modify = async (request: FastifyRequest<{ Params: Params }>) => {
    const call = findCall(request);
    const p = RequestParams.ofBody(request);
    const status = p.string('Status');
    if (status !== undefined && status !== 'canceled' && status !== 'completed') {
      throw new VoiceApiError(20001, `Status must be canceled or completed, got ${status}`);
    }
    const url = p.url('Url', 21205);
    const method = p.method('Method');
    if (status === undefined && url === undefined) throw new VoiceApiError(20001, 'Give Status (canceled or completed) or Url to change a call');
    return callJson(engine.modify(call.sid, { status, url, method }));
  };

  for (const path of [base, `${base}.json`]) {
    app.post<{ Params: Params }>(path, create);
    app.get<{ Params: Params }>(path, list);
  }
  app.get<{ Params: Params }>(`${base}/:callSid`, fetch);
  app.post<{ Params: Params }>(`${base}/:callSid`, modify);
}
