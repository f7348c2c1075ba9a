import { randomBytes } from 'node:crypto';
import type { Clock } from '../../gateway/clock';
import { countParts } from '../../gateway/text';
import type { MessageCenter } from '../message-center';
import type { Outcome, Segment } from '../store/message-store';
import { API_VERSION, rfc2822, type ApiFlavour } from './call-record';
import { VoiceApiError, VOICE_ERRORS } from './errors';
import type { HttpMethod } from './rcml-parser';
import type { CallbackQueue } from './status-callbacks';

export const MAX_BODY_LENGTH = 1600;
const MAX_MESSAGES_KEPT = 10_000;

export type SmsStatus = 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed';

export interface SmsRecord {
  sid: string;
  accountSid: string;
  flavour: ApiFlavour;
  from: string;
  to: string;
  body: string;
  numSegments: number;
  status: SmsStatus;
  errorCode: number | null;
  statusCallback: string | null;
  statusCallbackMethod: HttpMethod;
  createdAt: number;
  updatedAt: number;
  sentAt: number | null;
}

export interface NewSms {
  accountSid: string;
  flavour: ApiFlavour;
  from: string;
  to: string;
  body: string;
  statusCallback?: string;
  statusCallbackMethod?: HttpMethod;
}

/** Message error codes for each outcome the number's behaviour gives. */
const OUTCOME_ERROR: Record<Exclude<Outcome, 'delivered'>, number> = {
  undeliverable: 30008,
  expired: 30036,
  absent: 30003,
};

/**
 * The SMS resources of the REST API (`…/SMS/Messages`, `…/Messages`): each
 * message enters the same message center as SMPP submissions (same store,
 * behaviours and handset delivery); its status follows the part's outcome and
 * is reported to StatusCallback as sent, then delivered or undelivered.
 */
export class SmsService {
  readonly #center: MessageCenter;
  readonly #clock: Clock;
  readonly #callbacks: CallbackQueue;
  readonly #messages = new Map<string, SmsRecord>();
  /** Part id in the message center → REST message SID. */
  readonly #byPart = new Map<string, string>();
  readonly #onOutcome = (segment: Segment) => this.#outcome(segment);

  constructor(deps: { center: MessageCenter; clock: Clock; callbacks: CallbackQueue }) {
    this.#center = deps.center;
    this.#clock = deps.clock;
    this.#callbacks = deps.callbacks;
    this.#center.on('outcome', this.#onOutcome);
  }

  /** Accepts a message, or throws VoiceApiError when the number's behaviour refuses it at submit. */
  send(input: NewSms): SmsRecord {
    const accepted = this.#center.acceptText({ source: input.from, destination: input.to, text: input.body, systemId: `rest:${input.accountSid}` });
    if (!accepted.accepted) {
      if (accepted.reason === 'throttled') throw new VoiceApiError(20429, `Too many requests: ${input.to} is set to throttled`);
      if (accepted.reason === 'queue-full') throw new VoiceApiError(21611);
      throw new VoiceApiError(21211, `The 'To' number ${input.to} is not a valid phone number (it is set to ${accepted.reason})`);
    }
    const now = this.#clock.now();
    const record: SmsRecord = {
      sid: accepted.message.id,
      accountSid: input.accountSid,
      flavour: input.flavour,
      from: input.from,
      to: input.to,
      body: input.body,
      numSegments: countParts(input.body).parts,
      status: 'queued',
      errorCode: null,
      statusCallback: input.statusCallback ?? null,
      statusCallbackMethod: input.statusCallbackMethod ?? 'POST',
      createdAt: now,
      updatedAt: now,
      sentAt: null,
    };
    this.#messages.set(record.sid, record);
    this.#byPart.set(accepted.segment.messageId, record.sid);
    this.#evict();
    // Answered as queued; the carrier has it at once, so "sent" follows right away.
    const answer = { ...record };
    this.#setStatus(record, 'sent');
    return answer;
  }

  /** The `<Sms>` verb: no REST resource of its own beyond the stored message. */
  sendFromCall(input: { from: string; to: string; body: string; accountSid: string }): { sid: string; status: 'sent' | 'failed' } {
    const accepted = this.#center.acceptText({ source: input.from, destination: input.to, text: input.body, systemId: `rcml:${input.accountSid}` });
    return accepted.accepted ? { sid: accepted.message.id, status: 'sent' } : { sid: `SM${randomBytes(16).toString('hex')}`, status: 'failed' };
  }

  get(sid: string): SmsRecord | undefined {
    return this.#messages.get(sid);
  }

  /** Newest first. */
  list(filter: { to?: string; from?: string } = {}): SmsRecord[] {
    return [...this.#messages.values()]
      .filter((m) => (filter.to === undefined || m.to === filter.to) && (filter.from === undefined || m.from === filter.from))
      .reverse();
  }

  close(): void {
    this.#center.off('outcome', this.#onOutcome);
  }

  #outcome(segment: Segment): void {
    const sid = this.#byPart.get(segment.messageId);
    const record = sid && this.#messages.get(sid);
    if (!record) return;
    this.#byPart.delete(segment.messageId);
    if (segment.outcome === 'delivered') {
      this.#setStatus(record, 'delivered');
    } else {
      record.errorCode = OUTCOME_ERROR[segment.outcome];
      this.#setStatus(record, 'undelivered');
    }
  }

  #setStatus(record: SmsRecord, status: SmsStatus): void {
    const now = this.#clock.now();
    record.status = status;
    record.updatedAt = now;
    if (status === 'sent') record.sentAt = now;
    if (!record.statusCallback) return;
    const params: Record<string, string> = {
      MessageSid: record.sid,
      SmsSid: record.sid,
      AccountSid: record.accountSid,
      From: record.from,
      To: record.to,
      MessageStatus: status,
      SmsStatus: status,
      ApiVersion: API_VERSION[record.flavour],
    };
    if (record.errorCode !== null) params['ErrorCode'] = String(record.errorCode);
    this.#callbacks.enqueue(record.sid, { url: record.statusCallback, method: record.statusCallbackMethod, params });
  }

  #evict(): void {
    for (const sid of this.#messages.keys()) {
      if (this.#messages.size <= MAX_MESSAGES_KEPT) return;
      this.#messages.delete(sid);
    }
  }
}

export function smsUri(record: SmsRecord): string {
  return record.flavour === 'restcomm'
    ? `/restcomm/${API_VERSION.restcomm}/Accounts/${record.accountSid}/SMS/Messages/${record.sid}.json`
    : `/${API_VERSION.twilio}/Accounts/${record.accountSid}/Messages/${record.sid}.json`;
}

export function smsJson(record: SmsRecord) {
  const uri = smsUri(record);
  return {
    sid: record.sid,
    date_created: rfc2822(record.createdAt),
    date_updated: rfc2822(record.updatedAt),
    date_sent: rfc2822(record.sentAt),
    account_sid: record.accountSid,
    to: record.to,
    from: record.from,
    messaging_service_sid: null,
    body: record.body,
    status: record.status,
    num_segments: String(record.numSegments),
    num_media: '0',
    direction: 'outbound-api',
    api_version: API_VERSION[record.flavour],
    price: null,
    price_unit: 'USD',
    error_code: record.errorCode,
    error_message: record.errorCode === null ? null : (VOICE_ERRORS as Record<number, { title: string }>)[record.errorCode]?.title ?? null,
    uri,
    subresource_uris: { media: uri.replace(/\.json$/, '/Media.json') },
  };
}
