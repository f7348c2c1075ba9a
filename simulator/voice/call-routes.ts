import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { normaliseAddress } from '../numbers';
import { API_PREFIX, CALL_STATUSES, CALLBACK_EVENTS, callJson, notificationJson, type ApiFlavour, type CallbackEvent, type CallRecord, type CallStatus } from './call-record';
import type { CallEngine } from './call-engine';
import { VoiceApiError } from './errors';
import { page } from './paging';
import { recordingJson, recordingWav, type RecordingStore } from './recordings';
import { RequestParams } from './request-params';

type Params = { accountSid: string; callSid?: string; recordingSid?: string };

export interface AccountCheck {
  (request: FastifyRequest<{ Params: Params }>): string;
}

/** Twilio's limit on inline `Twiml`. */
export const MAX_TWIML_CHARACTERS = 4000;

/** `scheme://host` the request came to, for absolute URLs in what the call sends later. */
export function apiOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? request.hostname}`;
}

/** The Calls resource (and its Notifications and Recordings) under one API prefix (Restcomm's or Twilio's). */
export function registerCallRoutes(app: FastifyInstance, flavour: ApiFlavour, engine: CallEngine, recordings: RecordingStore, account: AccountCheck): void {
  const accountBase = `${API_PREFIX[flavour]}/Accounts/:accountSid`;
  const base = `${accountBase}/Calls`;

  const twimlOf = (p: RequestParams): string | undefined => {
    const twiml = p.string('Twiml');
    if (twiml !== undefined && twiml.length > MAX_TWIML_CHARACTERS) throw new VoiceApiError(32018, `Twiml is ${twiml.length} characters; the limit is ${MAX_TWIML_CHARACTERS}`);
    return twiml;
  };

  const create = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const accountSid = account(request);
    const p = RequestParams.ofBody(request);
    const to = p.e164('To', 21211, 21201);
    const from = p.phone('From', 21212, 21213);
    if (p.string('ApplicationSid') !== undefined) {
      throw new VoiceApiError(21218, 'ApplicationSid is not supported by the simulator (it keeps no applications): give Url or Twiml instead');
    }
    const url = p.url('Url', 21205);
    const twiml = twimlOf(p);
    if (!url && twiml === undefined) throw new VoiceApiError(21205, 'Missing required parameter: Url or Twiml, the RCML to run when the call is answered');
    const events = p.list('StatusCallbackEvent');
    for (const event of events ?? []) {
      if (!(CALLBACK_EVENTS as readonly string[]).includes(event)) {
        throw new VoiceApiError(21626, `StatusCallbackEvent must be among ${CALLBACK_EVENTS.join(', ')}, got ${event}`);
      }
    }
    const sendDigits = p.string('SendDigits');
    if (sendDigits !== undefined && !/^[0-9*#wW]{1,32}$/.test(sendDigits)) throw new VoiceApiError(21206, `SendDigits may hold up to 32 of 0-9, *, # and w, got ${sendDigits}`);
    const machineDetection = p.string('MachineDetection');
    if (machineDetection !== undefined && machineDetection !== 'Enable' && machineDetection !== 'DetectMessageEnd') {
      throw new VoiceApiError(21223, `MachineDetection must be Enable or DetectMessageEnd, got ${machineDetection}`);
    }
    const record = p.boolean('Record');
    const call = engine.create({
      accountSid,
      flavour,
      apiOrigin: apiOrigin(request),
      from,
      to,
      url,
      twiml,
      method: p.method('Method') ?? 'POST',
      fallbackUrl: p.url('FallbackUrl', 21205),
      fallbackMethod: p.method('FallbackMethod'),
      statusCallback: p.url('StatusCallback', 21609),
      statusCallbackMethod: p.method('StatusCallbackMethod'),
      statusCallbackEvents: events && ([...new Set(events)] as CallbackEvent[]),
      timeoutSeconds: p.integer('Timeout', 1, 600, 21208),
      timeLimitSeconds: p.integer('TimeLimit', 1, 14_400),
      sendDigits,
      machineDetection,
      record,
      recordingStatusCallback: p.url('RecordingStatusCallback', 21609),
      recordingStatusCallbackMethod: p.method('RecordingStatusCallbackMethod'),
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
    const filters: Record<string, string | undefined> = { To: q.string('To'), From: q.string('From'), Status: status, ParentCallSid: q.string('ParentCallSid') };
    const started = q.dateRange('StartTime');
    const ended = q.dateRange('EndTime');
    for (const name of ['StartTime', 'StartTime>', 'StartTime<', 'EndTime', 'EndTime>', 'EndTime<']) filters[name] = q.string(name);
    const calls = engine.list({
      to: filters['To'] && normaliseAddress(filters['To']),
      from: filters['From'] && normaliseAddress(filters['From']),
      status: status as CallStatus | undefined,
      parentCallSid: filters['ParentCallSid'],
      startedAfter: started.from,
      startedBefore: started.to,
      endedAfter: ended.from,
      endedBefore: ended.to,
    }).filter((c) => c.accountSid === accountSid);
    return page('calls', calls.map(callJson), pathOf(request), q, filters);
  };

  const findCall = (request: FastifyRequest<{ Params: Params }>): CallRecord => {
    const accountSid = account(request);
    const sid = (request.params.callSid ?? '').replace(/\.json$/, '');
    const call = engine.get(sid);
    if (!call || call.accountSid !== accountSid) throw new VoiceApiError(20404, `The requested resource ${pathOf(request)} was not found`);
    return call;
  };

  const modify = async (request: FastifyRequest<{ Params: Params }>) => {
    const call = findCall(request);
    const p = RequestParams.ofBody(request);
    const status = p.string('Status');
    if (status !== undefined && status !== 'canceled' && status !== 'completed') {
      throw new VoiceApiError(20001, `Status must be canceled or completed, got ${status}`);
    }
    const url = p.url('Url', 21205);
    const twiml = twimlOf(p);
    const method = p.method('Method');
    if (status === undefined && url === undefined && twiml === undefined) throw new VoiceApiError(20001, 'Give Status (canceled or completed), Url or Twiml to change a call');
    return callJson(engine.modify(call.sid, { status, url, method, twiml }));
  };

  const remove = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    engine.remove(findCall(request).sid);
    return reply.code(204).send();
  };

  const notifications = async (request: FastifyRequest<{ Params: Params }>) => {
    const call = findCall(request);
    const q = RequestParams.ofQuery(request);
    const items = [...call.notifications].reverse().map((n) => notificationJson(call, n));
    return page('notifications', items, pathOf(request), q, {});
  };

  const callRecordings = async (request: FastifyRequest<{ Params: Params }>) => {
    const call = findCall(request);
    return page('recordings', recordings.list({ callSid: call.sid }).map(recordingJson), pathOf(request), RequestParams.ofQuery(request), {});
  };

  const accountRecordings = async (request: FastifyRequest<{ Params: Params }>) => {
    const accountSid = account(request);
    const q = RequestParams.ofQuery(request);
    const callSid = q.string('CallSid');
    const items = recordings.list({ callSid }).filter((r) => r.accountSid === accountSid);
    return page('recordings', items.map(recordingJson), pathOf(request), q, { CallSid: callSid });
  };

  /** `…/Recordings/{RE}.json` is the resource; `.wav` or no extension is the audio, as on Twilio. */
  const recording = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const accountSid = account(request);
    const [, sid, extension] = /^(RE[0-9a-f]{32})(?:\.(json|wav))?$/.exec(request.params.recordingSid ?? '') ?? [];
    const found = sid ? recordings.get(sid) : undefined;
    if (!found || found.accountSid !== accountSid) throw new VoiceApiError(20404, `The requested resource ${pathOf(request)} was not found`);
    if (extension === 'json') return recordingJson(found);
    return reply.type('audio/x-wav').send(recordingWav(found));
  };

  for (const path of [base, `${base}.json`]) {
    app.post<{ Params: Params }>(path, create);
    app.get<{ Params: Params }>(path, list);
  }
  app.get<{ Params: Params }>(`${base}/:callSid`, async (request) => callJson(findCall(request)));
  app.post<{ Params: Params }>(`${base}/:callSid`, modify);
  app.delete<{ Params: Params }>(`${base}/:callSid`, remove);
  for (const suffix of ['', '.json']) {
    app.get<{ Params: Params }>(`${base}/:callSid/Notifications${suffix}`, notifications);
    app.get<{ Params: Params }>(`${base}/:callSid/Recordings${suffix}`, callRecordings);
    app.get<{ Params: Params }>(`${accountBase}/Recordings${suffix}`, accountRecordings);
  }
  app.get<{ Params: Params }>(`${accountBase}/Recordings/:recordingSid`, recording);
}

function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? '';
}
