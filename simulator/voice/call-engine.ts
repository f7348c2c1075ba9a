import type { FastifyBaseLogger } from 'fastify';
import type { Clock, Timer } from '../../gateway/clock';
import type { Behaviours } from '../behaviours';
import type { HandsetHub } from '../handsets/handset-hub';
import { FrameError, type HandsetFrame } from '../handsets/handset-frames';
import {
  FINAL_STATUSES, newCallSid,
  type ApiFlavour, type CallbackEvent, type CallRecord, type CallStatus,
} from './call-record';
import { VoiceApiError } from './errors';
import type { DialVerb, HttpMethod, SmsVerb } from './rcml-parser';
import { RcmlSession, type DialResult, type SmsResult } from './rcml-interpreter';
import { statusCallbackParams, type CallbackQueue } from './status-callbacks';
import type { WebhookClient } from './webhook-client';
import type { NetworkEventSink } from '../console/event-sink';

/** Ended calls kept for inspection; the oldest go first. */
const MAX_CALLS_KEPT = 10_000;

export type CallFrame = Exclude<HandsetFrame, { type: 'sms.send' }>;

export interface NewCall {
  accountSid: string;
  flavour: ApiFlavour;
  from: string;
  to: string;
  url: string;
  method: HttpMethod;
  fallbackUrl?: string;
  fallbackMethod?: HttpMethod;
  statusCallback?: string;
  statusCallbackMethod?: HttpMethod;
  statusCallbackEvents?: CallbackEvent[];
  timeoutSeconds?: number;
}

export interface CallFilter { to?: string; from?: string; status?: CallStatus; parentCallSid?: string }

export interface CallEngineDeps {
  clock: Clock;
  hub: HandsetHub;
  behaviours: Behaviours;
  webhooks: WebhookClient;
  callbacks: CallbackQueue;
  /** Sends the text of an RCML `<Sms>`. */
  sendSms(verb: SmsVerb, call: CallRecord): SmsResult;
  logger?: FastifyBaseLogger;
  /** The console's event stream: calls created and changed. */
  events?: Pick<NetworkEventSink, 'callCreated' | 'callUpdated' | 'callsCleared'>;
}

interface LiveCall {
  record: CallRecord;
  timers: Timer[];
  session?: RcmlSession;
  callbackSequence: number;
  /** Run once when the call reaches a final status. */
  onEnd: ((call: CallRecord) => void)[];
}

/**
 * The voice network's call state machine: queued → ringing → in-progress →
 * completed | busy | no-answer | failed | canceled. Rings handsets over the
 * hub, follows each number's voice behaviour, runs the RCML of answered calls,
 * and sends the status callbacks asked for. All waiting uses the injected clock.
 */
export class CallEngine {
  readonly #deps: CallEngineDeps;
  readonly #calls = new Map<string, LiveCall>();
  #closed = false;

  constructor(deps: CallEngineDeps) {
    this.#deps = deps;
  }

  /** Accepts a call (status queued); it starts ringing right after the API has answered. */
  create(input: NewCall): CallRecord {
    const live = this.#add({
      accountSid: input.accountSid,
      flavour: input.flavour,
      parentCallSid: null,
      direction: 'outbound-api',
      from: input.from,
      to: input.to,
      url: input.url,
      method: input.method,
      fallbackUrl: input.fallbackUrl ?? null,
      fallbackMethod: input.fallbackMethod ?? 'POST',
      statusCallback: input.statusCallback ?? null,
      statusCallbackMethod: input.statusCallbackMethod ?? 'POST',
      statusCallbackEvents: input.statusCallbackEvents ?? (input.statusCallback ? ['completed'] : []),
      timeoutSeconds: input.timeoutSeconds ?? 60,
    });
    this.#callback(live, 'initiated');
    setImmediate(() => this.#ring(live));
    return live.record;
  }

  get(sid: string): CallRecord | undefined {
    return this.#calls.get(sid)?.record;
  }

  /** Newest first. */
  list(filter: CallFilter = {}): CallRecord[] {
    const out: CallRecord[] = [];
    for (const { record } of this.#calls.values()) {
      if (filter.to !== undefined && record.to !== filter.to) continue;
      if (filter.from !== undefined && record.from !== filter.from) continue;
      if (filter.status !== undefined && record.status !== filter.status) continue;
      if (filter.parentCallSid !== undefined && record.parentCallSid !== filter.parentCallSid) continue;
      out.push(record);
    }
    return out.reverse();
  }

  /**
   * `POST …/Calls/{CA}`: Status=canceled ends a queued or ringing call (no
   * effect later, as on Twilio); Status=completed hangs up a live call and
   * cancels one not yet answered; Url (+ Method) gives a live call new RCML.
   */
  modify(sid: string, change: { status?: 'canceled' | 'completed'; url?: string; method?: HttpMethod }): CallRecord {
    const live = this.#calls.get(sid);
    if (!live) throw new VoiceApiError(20404, `The requested resource Call ${sid} was not found`);
    const { record } = live;
    if (change.url !== undefined) {
      if (record.status !== 'in-progress' || !live.session) throw new VoiceApiError(21220, 'Call is not in-progress. Cannot redirect.');
      live.session.redirect(change.url, change.method ?? 'POST');
    }
    if (change.status === 'canceled' && (record.status === 'queued' || record.status === 'ringing')) {
      this.#end(live, 'canceled', 'canceled through the API');
    } else if (change.status === 'completed') {
      if (record.status === 'in-progress') this.#end(live, 'completed', 'completed through the API');
      else if (record.status === 'queued' || record.status === 'ringing') this.#end(live, 'canceled', 'completed through the API before answer');
    }
    return record;
  }

  /** A call frame from the handset socket of `number`; FrameError is answered to that socket as an error frame. */
  onHandsetFrame(number: string, frame: CallFrame): void {
    const live = this.#calls.get(frame.callSid);
    if (!live || live.record.to !== number) throw new FrameError(`no call ${frame.callSid} to ${number}`);
    const { record } = live;
    const status = record.status;
    switch (frame.type) {
      case 'call.answer':
        if (status !== 'ringing') throw new FrameError(`call ${record.sid} is ${status}, not ringing`);
        if (this.#behaviourOf(record.to).voice === 'no-answer') throw new FrameError(`call ${record.sid} cannot be answered: ${record.to} is set to no-answer`);
        this.#timeline(live, 'handset.answer');
        this.#answer(live);
        return;
      case 'call.reject':
        if (status !== 'ringing') throw new FrameError(`call ${record.sid} is ${status}, not ringing`);
        this.#end(live, 'busy', `rejected by the handset (${frame.reason})`);
        return;
      case 'call.hangup':
        if (status === 'ringing') this.#end(live, 'busy', 'hung up by the handset while ringing');
        else if (status === 'in-progress') this.#end(live, 'completed', 'hung up by the handset');
        else throw new FrameError(`call ${record.sid} is ${status}`);
        return;
      case 'call.dtmf':
        if (status !== 'in-progress') throw new FrameError(`call ${record.sid} is ${status}, not in progress`);
        if (live.session) live.session.digits(frame.digits);
        else record.transcript.push({ at: this.#deps.clock.now(), kind: 'dtmf', digits: frame.digits, heard: false });
        this.#deps.events?.callUpdated(record);
        return;
    }
  }

  /** A handset socket for `number` opened: it is offered every call ringing there, oldest first. */
  offerRinging(number: string, send: (frame: object) => void): void {
    for (const { record } of this.#calls.values()) {
      if (record.to === number && record.status === 'ringing') send({ type: 'call.incoming', callSid: record.sid, from: record.from, to: record.to });
    }
  }

  /** Forgets ended calls (the control API's reset). */
  clearEnded(): void {
    for (const [sid, live] of this.#calls) if (FINAL_STATUSES.has(live.record.status)) this.#calls.delete(sid);
    this.#deps.events?.callsCleared();
  }

  /** Ends every live call (as completed or canceled) without further callbacks. */
  close(): void {
    this.#closed = true;
    for (const live of this.#calls.values()) {
      for (const timer of live.timers) timer.cancel();
      live.session?.stop();
    }
  }

  /** Callback results land in the call's timeline. */
  noteCallback(sid: string, event: string, detail: string): void {
    const live = this.#calls.get(sid);
    if (live) this.#timeline(live, event, detail);
  }

  #add(fields: Omit<CallRecord, 'sid' | 'status' | 'createdAt' | 'updatedAt' | 'startedAt' | 'answeredAt' | 'endedAt' | 'errorCode' | 'errorMessage' | 'timeline' | 'transcript'>): LiveCall {
    const now = this.#deps.clock.now();
    const record: CallRecord = {
      ...fields,
      sid: newCallSid(),
      status: 'queued',
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      answeredAt: null,
      endedAt: null,
      errorCode: null,
      errorMessage: null,
      timeline: [{ at: now, event: 'queued' }],
      transcript: [],
    };
    const live: LiveCall = { record, timers: [], callbackSequence: 0, onEnd: [] };
    this.#calls.set(record.sid, live);
    this.#deps.events?.callCreated(record);
    this.#evict();
    return live;
  }

  #evict(): void {
    if (this.#calls.size <= MAX_CALLS_KEPT) return;
    for (const [sid, live] of this.#calls) {
      if (FINAL_STATUSES.has(live.record.status)) {
        this.#calls.delete(sid);
        if (this.#calls.size <= MAX_CALLS_KEPT) return;
      }
    }
  }

  #behaviourOf(number: string) {
    const behaviour = this.#deps.behaviours.for(number);
    return { voice: behaviour.voice ?? 'ring', answerAfterMs: behaviour.answerAfterMs ?? 0 };
  }

  #ring(live: LiveCall): void {
    const { record } = live;
    if (this.#closed || record.status !== 'queued') return;
    const behaviour = this.#behaviourOf(record.to);
    if (behaviour.voice === 'busy') return this.#end(live, 'busy', `${record.to} is set to busy`);
    if (behaviour.voice === 'unreachable') return this.#end(live, 'failed', `${record.to} is set to unreachable`);
    const now = this.#deps.clock.now();
    record.startedAt = now;
    this.#setStatus(live, 'ringing');
    const reached = this.#deps.hub.send(record.to, { type: 'call.incoming', callSid: record.sid, from: record.from, to: record.to });
    this.#timeline(live, 'ringing', reached > 0 ? `call.incoming sent to ${reached} handset(s)` : 'no handset connected');
    this.#callback(live, 'ringing');
    live.timers.push(this.#deps.clock.setTimeout(() => {
      if (record.status === 'ringing') this.#end(live, 'no-answer', `nobody answered within ${record.timeoutSeconds} s`);
    }, record.timeoutSeconds * 1000));
    if (behaviour.voice === 'answer') {
      live.timers.push(this.#deps.clock.setTimeout(() => {
        if (record.status !== 'ringing') return;
        this.#timeline(live, 'network.answer', `answered by the number's behaviour after ${behaviour.answerAfterMs} ms`);
        this.#answer(live);
      }, behaviour.answerAfterMs));
    }
  }

  #answer(live: LiveCall): void {
    const { record } = live;
    for (const timer of live.timers.splice(0)) timer.cancel();
    record.answeredAt = this.#deps.clock.now();
    this.#setStatus(live, 'in-progress');
    this.#callback(live, 'answered');
    if (!record.url) return; // A <Dial> leg: bridged until one side hangs up.
    const session = new RcmlSession(record, {
      clock: this.#deps.clock,
      webhooks: this.#deps.webhooks,
      toHandset: (frame) => this.#deps.hub.send(record.to, frame),
      timeline: (event, detail) => this.#timeline(live, event, detail),
      transcribed: () => this.#deps.events?.callUpdated(record),
      dial: (verb, number, signal) => this.#dial(live, verb, number, signal),
      sms: (verb) => this.#deps.sendSms(verb, record),
    });
    live.session = session;
    session.run().then(
      (end) => {
        if (end.status === 'failed') this.#end(live, 'failed', end.reason, end.code);
        else this.#end(live, end.status, end.reason);
      },
      (error: unknown) => {
        this.#deps.logger?.error({ err: error, callSid: record.sid }, 'RCML session crashed');
        this.#end(live, 'failed', 'internal error while running RCML', 12400);
      },
    );
  }

  /** `<Dial><Number>`: rings another handset as a child leg and waits until it has ended. */
  #dial(parent: LiveCall, verb: DialVerb, number: string, signal: AbortSignal): Promise<DialResult> {
    const child = this.#add({
      accountSid: parent.record.accountSid,
      flavour: parent.record.flavour,
      parentCallSid: parent.record.sid,
      direction: 'outbound-dial',
      from: verb.callerId ?? parent.record.from,
      to: number,
      url: null,
      method: 'POST',
      fallbackUrl: null,
      fallbackMethod: 'POST',
      statusCallback: null,
      statusCallbackMethod: 'POST',
      statusCallbackEvents: [],
      timeoutSeconds: verb.timeoutSeconds,
    });
    this.#timeline(parent, 'dial', `${number} as ${child.record.sid}`);
    return new Promise<DialResult>((resolve) => {
      const onAbort = () => this.modify(child.record.sid, { status: 'completed' });
      child.onEnd.push((call) => {
        signal.removeEventListener('abort', onAbort);
        resolve({ callSid: call.sid, status: call.status, durationSeconds: call.answeredAt ? Math.round(((call.endedAt ?? 0) - call.answeredAt) / 1000) : 0 });
      });
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#ring(child);
    });
  }

  #end(live: LiveCall, status: CallStatus, reason: string, errorCode?: number): void {
    const { record } = live;
    if (FINAL_STATUSES.has(record.status)) return;
    for (const timer of live.timers.splice(0)) timer.cancel();
    record.endedAt = this.#deps.clock.now();
    if (errorCode !== undefined) {
      record.errorCode = errorCode;
      record.errorMessage = reason;
    }
    const wasOffered = record.startedAt !== null;
    this.#setStatus(live, status, reason);
    live.session?.stop();
    if (wasOffered) this.#deps.hub.send(record.to, { type: 'call.ended', callSid: record.sid, status });
    this.#callback(live, 'completed');
    for (const listener of live.onEnd.splice(0)) listener(record);
  }

  #setStatus(live: LiveCall, status: CallStatus, detail?: string): void {
    live.record.status = status;
    live.record.updatedAt = this.#deps.clock.now();
    this.#timeline(live, status, detail);
  }

  #timeline(live: LiveCall, event: string, detail?: string): void {
    const last = live.record.timeline.at(-1);
    // `queued` is written at creation; setStatus would repeat it.
    if (last && last.event === event && detail === undefined) return;
    live.record.timeline.push(detail === undefined ? { at: this.#deps.clock.now(), event } : { at: this.#deps.clock.now(), event, detail });
    this.#deps.events?.callUpdated(live.record);
  }

  #callback(live: LiveCall, event: CallbackEvent): void {
    const { record } = live;
    if (this.#closed || !record.statusCallback || !record.statusCallbackEvents.includes(event)) return;
    const params = statusCallbackParams(record, live.callbackSequence++, this.#deps.clock.now());
    this.#deps.callbacks.enqueue(record.sid, { url: record.statusCallback, method: record.statusCallbackMethod, params });
  }
}
