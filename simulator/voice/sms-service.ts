import { randomHex } from '../../gateway/random-hex';
import type { Clock } from '../../gateway/clock';
import { countParts } from '../../gateway/text';
import type { HandsetHub } from '../handsets/handset-hub';
import type { MessageCenter } from '../message-center';
import type { Outcome, Segment } from '../store/message-store';
import { API_VERSION, rfc2822, type ApiFlavour } from './call-record';
import { VoiceApiError, VOICE_ERRORS } from './errors';
import type { HttpMethod } from './rcml-parser';
import type { CallbackQueue } from './status-callbacks';

export const MAX_BODY_LENGTH = 1600;
const MAX_MESSAGES_KEPT = 10_000;

export type SmsStatus = 'scheduled' | 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'canceled';

export interface SmsRecord {
  sid: string;
  accountSid: string;
  flavour: ApiFlavour;
  from: string;
  to: string;
  body: string;
  /** MMS: the media URLs; the message then goes to the handset as an `mms` frame, not through the SMSC. */
  media: string[];
  messagingServiceSid: string | null;
  /** A scheduled message (`ScheduleType=fixed`) is sent at this time unless canceled first. */
  sendAt: number | null;
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
  media?: string[];
  messagingServiceSid?: string;
  sendAt?: number;
  statusCallback?: string;
  statusCallbackMethod?: HttpMethod;
}

export interface SmsFilter { to?: string; from?: string; sentAfter?: number; sentBefore?: number }

/** Message error codes for each outcome the number's behaviour gives. */
const OUTCOME_ERROR: Record<Exclude<Outcome, 'delivered'>, number> = {
  undeliverable: 30008,
  expired: 30036,
  absent: 30003,
  // Only SMPP's cancel_sm and replace_if_present_flag end a part so; a REST message never meets them.
  cancelled: 30008,
  replaced: 30008,
};

/**
 * The SMS resources of the REST API (`…/SMS/Messages`, `…/Messages`): each
 * message enters the same message center as SMPP submissions (same store,
 * behaviours and handset delivery); its status follows the part's outcome and
 * is reported to StatusCallback as sent, then delivered or undelivered.
 */
export class SmsService {
  readonly #center: MessageCenter;
  readonly #hub: HandsetHub;
  readonly #clock: Clock;
  readonly #timers = new Map<string, { cancel(): void }>();
  readonly #callbacks: CallbackQueue;
  readonly #messages = new Map<string, SmsRecord>();
  /** Part id in the message center → REST message SID. */
  readonly #byPart = new Map<string, string>();
  readonly #onOutcome = (segment: Segment) => this.#outcome(segment);

  constructor(deps: { center: MessageCenter; hub: HandsetHub; clock: Clock; callbacks: CallbackQueue }) {
    this.#center = deps.center;
    this.#hub = deps.hub;
    this.#clock = deps.clock;
    this.#callbacks = deps.callbacks;
    this.#center.on('outcome', this.#onOutcome);
  }

  /**
   * Accepts a message, or throws VoiceApiError when the number's behaviour
   * refuses it at submit. A scheduled one waits (on the clock) for its time.
   */
  send(input: NewSms): SmsRecord {
    const now = this.#clock.now();
    const scheduled = input.sendAt !== undefined && input.sendAt > now;
    const record: SmsRecord = {
      sid: `SM${randomHex(16)}`,
      accountSid: input.accountSid,
      flavour: input.flavour,
      from: input.from,
      to: input.to,
      body: input.body,
      media: input.media ?? [],
      messagingServiceSid: input.messagingServiceSid ?? null,
      sendAt: scheduled ? input.sendAt! : null,
      numSegments: countParts(input.body || ' ').parts,
      status: scheduled ? 'scheduled' : 'queued',
      errorCode: null,
      statusCallback: input.statusCallback ?? null,
      statusCallbackMethod: input.statusCallbackMethod ?? 'POST',
      createdAt: now,
      updatedAt: now,
      sentAt: null,
    };
    if (scheduled) {
      this.#keep(record);
      this.#timers.set(record.sid, this.#clock.setTimeout(() => {
        this.#timers.delete(record.sid);
        if (record.status !== 'scheduled') return;
        try {
          this.#dispatch(record);
        } catch (error) {
          record.errorCode = error instanceof VoiceApiError ? error.code : 30008;
          this.#setStatus(record, 'failed');
        }
      }, record.sendAt! - now));
      return { ...record };
    }
    this.#dispatch(record);
    const answer = { ...record, status: 'queued' as const, sentAt: null };
    this.#keep(record);
    return answer;
  }

  /** Hands the message to the network: SMS through the message center, MMS straight to the handset. */
  #dispatch(record: SmsRecord): void {
    if (record.media.length > 0) {
      const taken = this.#hub.send(record.to, {
        type: 'mms', id: record.sid, from: record.from, to: record.to, text: record.body, media: record.media, at: new Date(this.#clock.now()).toISOString(),
      });
      this.#setStatus(record, 'sent');
      if (taken > 0) this.#setStatus(record, 'delivered');
      else {
        record.errorCode = 30003;
        this.#setStatus(record, 'undelivered');
      }
      return;
    }
    const accepted = this.#center.acceptText({ source: record.from, destination: record.to, text: record.body, systemId: `rest:${record.accountSid}` });
    if (!accepted.accepted) {
      if (accepted.reason === 'throttled') throw new VoiceApiError(20429, `Too many requests: ${record.to} is set to throttled`);
      if (accepted.reason === 'queue-full') throw new VoiceApiError(21611);
      throw new VoiceApiError(21211, `The 'To' number ${record.to} is not a valid phone number (it is set to ${accepted.reason})`);
    }
    // The REST SID is the message center's id, so the message is the same in GET /api/messages
    // (a scheduled message keeps the SID it was given when it was accepted).
    if (record.sendAt === null) record.sid = accepted.message.id;
    this.#byPart.set(accepted.segment.messageId, record.sid);
    // The carrier has it at once, so "sent" follows right away.
    this.#setStatus(record, 'sent');
  }

  #keep(record: SmsRecord): void {
    this.#messages.set(record.sid, record);
    this.#evict();
  }

  /** `POST …/Messages/{SM}`: Body="" redacts the text; Status=canceled cancels a scheduled message. */
  update(sid: string, change: { body?: string; status?: string }): SmsRecord {
    const record = this.#messages.get(sid);
    if (!record) throw new VoiceApiError(20404, `The requested resource Message ${sid} was not found`);
    if (change.status !== undefined) {
      if (change.status !== 'canceled') throw new VoiceApiError(20001, `Status may only be canceled, got ${change.status}`);
      if (record.status !== 'scheduled') throw new VoiceApiError(20001, `Message ${sid} is ${record.status}: only a scheduled message can be canceled`);
      this.#timers.get(sid)?.cancel();
      this.#timers.delete(sid);
      this.#setStatus(record, 'canceled');
    }
    if (change.body !== undefined) {
      if (change.body !== '') throw new VoiceApiError(20001, 'Body may only be set to the empty string, to redact the message');
      record.body = '';
      record.updatedAt = this.#clock.now();
    }
    return record;
  }

  /** `DELETE …/Messages/{SM}`; a scheduled message is canceled first. */
  remove(sid: string): void {
    if (!this.#messages.has(sid)) throw new VoiceApiError(20404, `The requested resource Message ${sid} was not found`);
    this.#timers.get(sid)?.cancel();
    this.#timers.delete(sid);
    this.#messages.delete(sid);
  }

  /** The `<Sms>` verb: no REST resource of its own beyond the stored message. */
  sendFromCall(input: { from: string; to: string; body: string; accountSid: string }): { sid: string; status: 'sent' | 'failed' } {
    const accepted = this.#center.acceptText({ source: input.from, destination: input.to, text: input.body, systemId: `rcml:${input.accountSid}` });
    return accepted.accepted ? { sid: accepted.message.id, status: 'sent' } : { sid: `SM${randomHex(16)}`, status: 'failed' };
  }

  get(sid: string): SmsRecord | undefined {
    return this.#messages.get(sid);
  }

  /** Newest first. */
  list(filter: SmsFilter = {}): SmsRecord[] {
    return [...this.#messages.values()]
      .filter((m) => (filter.to === undefined || m.to === filter.to) && (filter.from === undefined || m.from === filter.from))
      .filter((m) => filter.sentAfter === undefined || (m.sentAt !== null && m.sentAt >= filter.sentAfter))
      .filter((m) => filter.sentBefore === undefined || (m.sentAt !== null && m.sentAt <= filter.sentBefore))
      .reverse();
  }

  close(): void {
    for (const timer of this.#timers.values()) timer.cancel();
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
    messaging_service_sid: record.messagingServiceSid,
    body: record.body,
    status: record.status,
    num_segments: String(record.numSegments),
    num_media: String(record.media.length),
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
