import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { normaliseAddress } from '../numbers';
import { API_PREFIX, type ApiFlavour } from './call-record';
import type { AccountCheck } from './call-routes';
import { VoiceApiError } from './errors';
import { page } from './paging';
import { RequestParams } from './request-params';
import { MAX_BODY_LENGTH, smsJson, type SmsRecord, type SmsService } from './sms-service';

type Params = { accountSid: string; messageSid?: string };

/** Sender used when a message names a Messaging Service and no From: the simulator keeps no number pools. */
export const MESSAGING_SERVICE_SENDER = '+15005550006';
const MAX_MEDIA = 10;

/** Restcomm's `…/SMS/Messages` and Twilio's `…/Messages`. */
export function registerSmsRoutes(app: FastifyInstance, flavour: ApiFlavour, sms: SmsService, account: AccountCheck): void {
  const base = `${API_PREFIX[flavour]}/Accounts/:accountSid/${flavour === 'restcomm' ? 'SMS/Messages' : 'Messages'}`;

  const create = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const accountSid = account(request);
    const p = RequestParams.ofBody(request);
    const to = p.e164('To', 21211, 21604);
    const messagingServiceSid = p.string('MessagingServiceSid');
    if (messagingServiceSid !== undefined && !/^MG[0-9a-fA-F]{32}$/.test(messagingServiceSid)) {
      throw new VoiceApiError(21701, `MessagingServiceSid must be MG followed by 32 hex digits, got ${messagingServiceSid}`);
    }
    const fromRaw = messagingServiceSid === undefined ? p.required('From', 21603) : (p.string('From') ?? MESSAGING_SERVICE_SENDER);
    const from = normaliseAddress(fromRaw);
    if (!/^\+\d{3,15}$/.test(from) && !/^[A-Za-z0-9 ]{1,11}$/.test(fromRaw)) {
      throw new VoiceApiError(21212, `The 'From' ${fromRaw} is neither a phone number nor an alphanumeric sender of up to 11 characters`);
    }
    const media = (p.list('MediaUrl') ?? []).map((url) => {
      try {
        const parsed = new URL(url);
        if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.toString();
      } catch {
        // fall through
      }
      throw new VoiceApiError(21620, `MediaUrl must be an absolute http(s) URL, got ${url}`);
    });
    if (media.length > MAX_MEDIA) throw new VoiceApiError(21620, `at most ${MAX_MEDIA} MediaUrl, got ${media.length}`);
    const body = p.string('Body') ?? '';
    if (body === '' && media.length === 0) throw new VoiceApiError(21602, 'Message body is required (or MediaUrl, for an MMS)');
    if (body.length > MAX_BODY_LENGTH) throw new VoiceApiError(21617, `Body is ${body.length} characters; the limit is ${MAX_BODY_LENGTH}`);
    const sendAt = scheduleOf(p, messagingServiceSid);
    const record = sms.send({
      accountSid,
      flavour,
      from,
      to,
      body,
      media,
      messagingServiceSid,
      sendAt,
      statusCallback: p.url('StatusCallback', 21609),
      statusCallbackMethod: p.method('StatusCallbackMethod'),
    });
    return reply.code(201).send(smsJson(record));
  };

  const list = async (request: FastifyRequest<{ Params: Params }>) => {
    const accountSid = account(request);
    const q = RequestParams.ofQuery(request);
    const filters: Record<string, string | undefined> = { To: q.string('To'), From: q.string('From') };
    for (const name of ['DateSent', 'DateSent>', 'DateSent<']) filters[name] = q.string(name);
    const sent = q.dateRange('DateSent');
    const messages = sms.list({
      to: filters['To'] && normaliseAddress(filters['To']),
      from: filters['From'] && normaliseAddress(filters['From']),
      sentAfter: sent.from,
      sentBefore: sent.to,
    }).filter((m) => m.accountSid === accountSid);
    return page(flavour === 'restcomm' ? 'sms_messages' : 'messages', messages.map(smsJson), request.url.split('?')[0] ?? '', q, filters);
  };

  const find = (request: FastifyRequest<{ Params: Params }>): SmsRecord => {
    const accountSid = account(request);
    const record = sms.get((request.params.messageSid ?? '').replace(/\.json$/, ''));
    if (!record || record.accountSid !== accountSid) throw new VoiceApiError(20404, `The requested resource ${request.url.split('?')[0]} was not found`);
    return record;
  };

  const update = async (request: FastifyRequest<{ Params: Params }>) => {
    const record = find(request);
    const p = RequestParams.ofBody(request);
    const raw = (request.body ?? {}) as Record<string, unknown>;
    // Body="" is meaningful here (redaction), so it is read before the empty-means-absent rule.
    const body = typeof raw['Body'] === 'string' && raw['Body'].trim() === '' ? '' : p.string('Body');
    const status = p.string('Status');
    if (body === undefined && status === undefined) throw new VoiceApiError(20001, 'Give Body="" to redact the message or Status=canceled to cancel a scheduled one');
    return smsJson(sms.update(record.sid, { body, status }));
  };

  const remove = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    sms.remove(find(request).sid);
    return reply.code(204).send();
  };

  for (const path of [base, `${base}.json`]) {
    app.post<{ Params: Params }>(path, create);
    app.get<{ Params: Params }>(path, list);
  }
  app.get<{ Params: Params }>(`${base}/:messageSid`, async (request) => smsJson(find(request)));
  app.post<{ Params: Params }>(`${base}/:messageSid`, update);
  app.delete<{ Params: Params }>(`${base}/:messageSid`, remove);
}

/** `ScheduleType=fixed` with `SendAt` (ISO 8601), which Twilio allows only with a Messaging Service. */
function scheduleOf(p: RequestParams, messagingServiceSid: string | undefined): number | undefined {
  const type = p.string('ScheduleType');
  const sendAt = p.string('SendAt');
  if (type === undefined && sendAt === undefined) return undefined;
  if (type !== 'fixed') throw new VoiceApiError(20001, `ScheduleType must be fixed, got ${type ?? 'nothing'}`);
  if (messagingServiceSid === undefined) throw new VoiceApiError(20001, 'A scheduled message needs a MessagingServiceSid');
  const at = sendAt === undefined ? NaN : Date.parse(sendAt);
  if (Number.isNaN(at)) throw new VoiceApiError(20001, `SendAt must be an ISO 8601 date and time, got ${sendAt ?? 'nothing'}`);
  return at;
}
