import { randomHex } from '../../gateway/random-hex';
import type { HttpMethod } from './rcml-parser';
import { twilioMoreInfo } from '../../gateway/errors';

export const CALL_STATUSES = ['queued', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
export const FINAL_STATUSES: ReadonlySet<CallStatus> = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

export const CALLBACK_EVENTS = ['initiated', 'ringing', 'answered', 'completed'] as const;
export type CallbackEvent = (typeof CALLBACK_EVENTS)[number];

/** Which API created the call: it decides the `api_version` and the `uri` in answers and requests. */
export type ApiFlavour = 'restcomm' | 'twilio';
export const API_VERSION: Record<ApiFlavour, string> = { restcomm: '2012-04-24', twilio: '2010-04-01' };
export const API_PREFIX: Record<ApiFlavour, string> = { restcomm: '/restcomm/2012-04-24', twilio: '/2010-04-01' };

export interface TimelineEntry { at: number; event: string; detail?: string }

/** An error or warning logged against a call, as Twilio's Notifications subresource lists them. */
export interface CallNotification {
  sid: string;
  at: number;
  code: number;
  level: 'error' | 'warning';
  message: string;
  /** The request that led to it, when there was one. */
  requestUrl: string | null;
  requestMethod: string | null;
}

/** What the far end heard, saw or typed. */
export type TranscriptEntry =
  | { at: number; kind: 'say'; text: string; voice: string; language: string }
  | { at: number; kind: 'play'; url: string | null; digits: string | null }
  | { at: number; kind: 'pause'; seconds: number }
  | { at: number; kind: 'gather'; digits: string; speech?: string; outcome: 'finished' | 'timeout' | 'hangup' }
  | { at: number; kind: 'dtmf'; digits: string; heard: boolean }
  | { at: number; kind: 'speech'; text: string; heard: boolean }
  | { at: number; kind: 'record'; seconds: number; outcome: 'finished' | 'timeout' | 'hangup' | 'max-length' }
  | { at: number; kind: 'send-digits'; digits: string }
  | { at: number; kind: 'dial'; number: string; callSid: string; status: string }
  | { at: number; kind: 'conference'; name: string; outcome: string }
  | { at: number; kind: 'sms'; to: string; text: string; status: string };

export interface CallRecord {
  sid: string;
  accountSid: string;
  flavour: ApiFlavour;
  parentCallSid: string | null;
  direction: 'outbound-api' | 'outbound-dial';
  from: string;
  to: string;
  /** RCML to run on answer; none for a `<Dial>` leg or a call given inline `Twiml`. */
  url: string | null;
  /** Inline RCML (the `Twiml` parameter) to run on answer instead of fetching `url`. */
  twiml: string | null;
  method: HttpMethod;
  fallbackUrl: string | null;
  fallbackMethod: HttpMethod;
  statusCallback: string | null;
  statusCallbackMethod: HttpMethod;
  statusCallbackEvents: CallbackEvent[];
  timeoutSeconds: number;
  /** Longest the call may stay in progress. */
  timeLimitSeconds: number;
  /** DTMF played to the callee on answer, before the RCML runs. */
  sendDigits: string | null;
  /** `Enable` or `DetectMessageEnd` when answering machine detection was asked for. */
  machineDetection: 'Enable' | 'DetectMessageEnd' | null;
  answeredBy: string | null;
  /** Whether the whole call is recorded (`Record=true`). */
  record: boolean;
  recordingStatusCallback: string | null;
  recordingStatusCallbackMethod: HttpMethod;
  /** Origin of the REST API the call was placed through, for absolute URLs (RecordingUrl). */
  apiOrigin: string;
  status: CallStatus;
  createdAt: number;
  updatedAt: number;
  /** When it started ringing. */
  startedAt: number | null;
  answeredAt: number | null;
  endedAt: number | null;
  /** Twilio's numeric code when the call failed, with the reason. */
  errorCode: number | null;
  errorMessage: string | null;
  timeline: TimelineEntry[];
  transcript: TranscriptEntry[];
  notifications: CallNotification[];
}

export function newCallSid(): string {
  return `CA${randomHex(16)}`;
}

export function newSid(prefix: string): string {
  return `${prefix}${randomHex(16)}`;
}

/** RFC 2822 in UTC, as Twilio and Restcomm write dates: `Mon, 23 Nov 2026 10:00:00 +0000`. */
export function rfc2822(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toUTCString().replace('GMT', '+0000');
}

/** Seconds from answer to hang-up (0 when never answered), as `duration` and CallDuration. */
export function callDuration(call: CallRecord): number {
  if (call.answeredAt === null) return 0;
  return Math.max(0, Math.round(((call.endedAt ?? call.answeredAt) - call.answeredAt) / 1000));
}

export function callUri(call: CallRecord): string {
  const version = API_VERSION[call.flavour];
  return `${call.flavour === 'restcomm' ? '/restcomm' : ''}/${version}/Accounts/${call.accountSid}/Calls/${call.sid}.json`;
}

/** The REST representation, with the fields both Twilio and Restcomm return. */
export function callJson(call: CallRecord) {
  const uri = callUri(call);
  const ended = call.endedAt !== null;
  return {
    sid: call.sid,
    date_created: rfc2822(call.createdAt),
    date_updated: rfc2822(call.updatedAt),
    parent_call_sid: call.parentCallSid,
    account_sid: call.accountSid,
    to: call.to,
    to_formatted: call.to,
    from: call.from,
    from_formatted: call.from,
    phone_number_sid: null,
    status: call.status,
    start_time: rfc2822(call.startedAt),
    end_time: rfc2822(call.endedAt),
    duration: ended ? String(callDuration(call)) : null,
    ring_duration: call.startedAt !== null ? String(Math.round(((call.answeredAt ?? call.endedAt ?? call.updatedAt) - call.startedAt) / 1000)) : null,
    price: null,
    price_unit: 'USD',
    direction: call.direction,
    answered_by: call.answeredBy,
    api_version: API_VERSION[call.flavour],
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: '0',
    trunk_sid: null,
    uri,
    subresource_uris: {
      notifications: uri.replace(/\.json$/, '/Notifications.json'),
      recordings: uri.replace(/\.json$/, '/Recordings.json'),
    },
  };
}

/** The control API's view: the record with its timeline and transcript, ISO dates. */
export function callInspectionJson(call: CallRecord) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    sid: call.sid,
    parentCallSid: call.parentCallSid,
    direction: call.direction,
    from: call.from,
    to: call.to,
    status: call.status,
    // The password of a `user:pass@` Url is not shown; the rest of the URL is, as the app gave it.
    url: call.url === null ? null : call.url.replace(/:\/\/([^:@/]*):[^@/]*@/, '://$1:[redacted]@'),
    api: call.flavour,
    createdAt: iso(call.createdAt),
    startedAt: iso(call.startedAt),
    answeredAt: iso(call.answeredAt),
    endedAt: iso(call.endedAt),
    duration: callDuration(call),
    errorCode: call.errorCode,
    errorMessage: call.errorMessage,
    timeline: call.timeline.map((t) => ({ ...t, at: iso(t.at) })),
    transcript: call.transcript.map((t) => ({ ...t, at: iso(t.at) })),
    notifications: call.notifications.map((n) => ({ ...n, at: iso(n.at) })),
  };
}

/** One entry of `…/Calls/{CA}/Notifications.json`, in Twilio's shape (`log` 0 is an error, 1 a warning). */
export function notificationJson(call: CallRecord, n: CallNotification) {
  const uri = callUri(call).replace(/\.json$/, `/Notifications/${n.sid}.json`);
  return {
    sid: n.sid,
    account_sid: call.accountSid,
    call_sid: call.sid,
    api_version: API_VERSION[call.flavour],
    date_created: rfc2822(n.at),
    date_updated: rfc2822(n.at),
    message_date: rfc2822(n.at),
    error_code: String(n.code),
    log: n.level === 'error' ? '0' : '1',
    message_text: n.message,
    more_info: twilioMoreInfo(n.code),
    request_method: n.requestMethod,
    request_url: n.requestUrl ?? '',
    uri,
  };
}
