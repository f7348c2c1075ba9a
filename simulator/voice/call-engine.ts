import type { FastifyBaseLogger } from 'fastify';
import type { Clock, Timer } from '../../gateway/clock';
import type { Behaviours } from '../behaviours';
import type { HandsetHub } from '../handsets/handset-hub';
import { FrameError, type HandsetFrame } from '../handsets/handset-frames';
import {
  FINAL_STATUSES, newCallSid, newSid,
  type ApiFlavour, type CallbackEvent, type CallRecord, type CallStatus,
} from './call-record';
import { ConferenceRooms } from './conference-rooms';
import { VoiceApiError, type VoiceErrorCode } from './errors';
import type { DialTarget, DialVerb, HttpMethod, SmsVerb } from './rcml-parser';
import { RcmlSession, type DialResult, type RecordedPart, type SmsResult } from './rcml-interpreter';
import type { RecordingRecord, RecordingStore } from './recordings';
import { digitsMs } from './speech-time';
import { statusCallbackParams, type CallbackQueue } from './status-callbacks';
import type { WebhookClient } from './webhook-client';
import type { NetworkEventSink } from '../console/event-sink';

/** Ended calls kept for inspection; the oldest go first. */
const MAX_CALLS_KEPT = 10_000;
/** Said to the callee when the app's RCML cannot be fetched or run, as Twilio says it. */
export const APPLICATION_ERROR_TEXT = 'We are sorry, an application error has occurred. Goodbye.';

export type CallFrame = Exclude<HandsetFrame, { type: 'sms.send' }>;

/** Voice settings that may change while the simulator runs. */
export interface VoiceSettings {
  /** Whether `<Say>`/`<Play>` take (clock) time as they would on a real call. */
  speechTime: boolean;
  /** Whether a call to a handset already in a call rings there (`waiting: true`) instead of ending `busy`. */
  callWaiting: boolean;
}

export const DEFAULT_VOICE_SETTINGS: VoiceSettings = { speechTime: true, callWaiting: false };

export interface NewCall {
  accountSid: string;
  flavour: ApiFlavour;
  /** `scheme://host` of the API the call was placed through. */
  apiOrigin: string;
  from: string;
  to: string;
  url?: string;
  twiml?: string;
  method: HttpMethod;
  fallbackUrl?: string;
  fallbackMethod?: HttpMethod;
  statusCallback?: string;
  statusCallbackMethod?: HttpMethod;
  statusCallbackEvents?: CallbackEvent[];
  timeoutSeconds?: number;
  timeLimitSeconds?: number;
  sendDigits?: string;
  machineDetection?: 'Enable' | 'DetectMessageEnd';
  record?: boolean;
  recordingStatusCallback?: string;
  recordingStatusCallbackMethod?: HttpMethod;
}

export interface CallFilter {
  to?: string;
  from?: string;
  status?: CallStatus;
  parentCallSid?: string;
  /** Started (created) at or after, at or before: ms. */
  startedAfter?: number;
  startedBefore?: number;
  endedAfter?: number;
  endedBefore?: number;
}

export interface CallEngineDeps {
  clock: Clock;
  hub: HandsetHub;
  behaviours: Behaviours;
  webhooks: WebhookClient;
  callbacks: CallbackQueue;
  recordings: RecordingStore;
  settings: VoiceSettings;
  /** Sends the text of an RCML `<Sms>`/`<Message>`. */
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
  /** Answered from a handset socket (not by the number's behaviour): a dropped socket ends it. */
  answeredByHandset: boolean;
  onAnswer: ((call: CallRecord) => void)[];
  /** Run once when the call reaches a final status. */
  onEnd: ((call: CallRecord) => void)[];
}

/**
 * The voice network's call state machine: queued → ringing → in-progress →
 * completed | busy | no-answer | failed | canceled. Rings handsets over the
 * hub as phone lines (busy while in a call, unless call waiting is on; a
 * dropped socket ends the call), follows each number's voice behaviour, runs
 * the RCML of answered calls, and sends the status callbacks asked for. All
 * waiting uses the injected clock.
 */
export class CallEngine {
  readonly #deps: CallEngineDeps;
  readonly #calls = new Map<string, LiveCall>();
  /**
   * The calls not yet ended, per number called, oldest first: a line's state (in a call, ringing) is read on
   * every ring and answer, and scanning every call kept (up to MAX_CALLS_KEPT) for it cost more than the call.
   */
  readonly #openByNumber = new Map<string, Set<LiveCall>>();
  readonly #conferences: ConferenceRooms;
  #closed = false;

  constructor(deps: CallEngineDeps) {
    this.#deps = deps;
    this.#conferences = new ConferenceRooms((number, frame) => deps.hub.send(number, frame));
  }

  /** Accepts a call (status queued); it starts ringing right after the API has answered. */
  create(input: NewCall): CallRecord {
    const live = this.#add({
      accountSid: input.accountSid,
      flavour: input.flavour,
      apiOrigin: input.apiOrigin,
      parentCallSid: null,
      direction: 'outbound-api',
      from: input.from,
      to: input.to,
      url: input.url ?? null,
      twiml: input.url === undefined ? (input.twiml ?? null) : null,
      method: input.method,
      fallbackUrl: input.fallbackUrl ?? null,
      fallbackMethod: input.fallbackMethod ?? 'POST',
      statusCallback: input.statusCallback ?? null,
      statusCallbackMethod: input.statusCallbackMethod ?? 'POST',
      statusCallbackEvents: input.statusCallbackEvents ?? (input.statusCallback ? ['completed'] : []),
      timeoutSeconds: input.timeoutSeconds ?? 60,
      timeLimitSeconds: input.timeLimitSeconds ?? 14_400,
      sendDigits: input.sendDigits ?? null,
      machineDetection: input.machineDetection ?? null,
      record: input.record ?? false,
      recordingStatusCallback: input.recordingStatusCallback ?? null,
      recordingStatusCallbackMethod: input.recordingStatusCallbackMethod ?? 'POST',
    });
    if (input.url !== undefined && input.twiml !== undefined) this.#notify(live, 32019, 'warning', 'Twiml and Url are both set: using Url');
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
      const started = record.startedAt ?? record.createdAt;
      if (filter.startedAfter !== undefined && started < filter.startedAfter) continue;
      if (filter.startedBefore !== undefined && started > filter.startedBefore) continue;
      if (filter.endedAfter !== undefined && (record.endedAt === null || record.endedAt < filter.endedAfter)) continue;
      if (filter.endedBefore !== undefined && (record.endedAt === null || record.endedAt > filter.endedBefore)) continue;
      out.push(record);
    }
    return out.reverse();
  }

  /**
   * `POST …/Calls/{CA}`: Status=canceled ends a queued or ringing call (no
   * effect later, as on Twilio); Status=completed hangs up a live call and
   * cancels one not yet answered; Url (+ Method) or Twiml gives a live call
   * new RCML.
   */
  modify(sid: string, change: { status?: 'canceled' | 'completed'; url?: string; method?: HttpMethod; twiml?: string }): CallRecord {
    const live = this.#calls.get(sid);
    if (!live) throw new VoiceApiError(20404, `The requested resource Call ${sid} was not found`);
    const { record } = live;
    if (change.url !== undefined || change.twiml !== undefined) {
      if (record.status !== 'in-progress' || !live.session) throw new VoiceApiError(21220, 'Call is not in-progress. Cannot redirect.');
      if (change.url !== undefined) {
        if (change.twiml !== undefined) this.#notify(live, 32019, 'warning', 'Twiml and Url are both set: using Url');
        live.session.redirect({ url: change.url, method: change.method ?? 'POST' });
      } else live.session.redirect({ twiml: change.twiml! });
    }
    if (change.status === 'canceled' && (record.status === 'queued' || record.status === 'ringing')) {
      this.#end(live, 'canceled', 'canceled through the API');
    } else if (change.status === 'completed') {
      if (record.status === 'in-progress') this.#end(live, 'completed', 'completed through the API');
      else if (record.status === 'queued' || record.status === 'ringing') this.#end(live, 'canceled', 'completed through the API before answer');
    }
    return record;
  }

  /** `DELETE …/Calls/{CA}`: only an ended call may be deleted, as on Twilio. */
  remove(sid: string): void {
    const live = this.#calls.get(sid);
    if (!live) throw new VoiceApiError(20404, `The requested resource Call ${sid} was not found`);
    if (!FINAL_STATUSES.has(live.record.status)) throw new VoiceApiError(21220, `Call ${sid} is ${live.record.status}: only an ended call can be deleted`);
    this.#calls.delete(sid);
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
        this.#timeline(live, 'handset.answer', frame.answeredBy ? `as ${frame.answeredBy}` : undefined);
        live.answeredByHandset = true;
        this.#answer(live, frame.answeredBy ?? 'human');
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
      case 'call.speech':
      case 'call.audio':
        if (status !== 'in-progress') throw new FrameError(`call ${record.sid} is ${status}, not in progress`);
        if (!live.session) {
          if (frame.type === 'call.dtmf') record.transcript.push({ at: this.#deps.clock.now(), kind: 'dtmf', digits: frame.digits, heard: false });
          if (frame.type === 'call.speech') record.transcript.push({ at: this.#deps.clock.now(), kind: 'speech', text: frame.text, heard: false });
          this.#deps.events?.callUpdated(record);
          return;
        }
        if (frame.type === 'call.dtmf') live.session.digits(frame.digits);
        else if (frame.type === 'call.speech') live.session.speech(frame.text, frame.confidence);
        else live.session.audio(frame.seconds * 1000);
        this.#deps.events?.callUpdated(record);
        return;
    }
  }

  /** A handset socket for `number` opened: it is offered every call ringing there, oldest first. */
  offerRinging(number: string, send: (frame: object) => void): void {
    for (const live of this.#openCalls(number)) {
      if (live.record.status === 'ringing') send(this.#incomingFrame(live));
    }
  }

  /** The last socket of `number` closed: a call it answered is over, as when a phone loses its line. */
  lineDropped(number: string): void {
    for (const live of this.#openCalls(number)) {
      if (live.record.status === 'in-progress' && live.answeredByHandset) {
        this.#end(live, 'completed', 'the handset\'s connection dropped');
      }
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

  #add(fields: Omit<CallRecord, 'sid' | 'status' | 'createdAt' | 'updatedAt' | 'startedAt' | 'answeredAt' | 'endedAt' | 'errorCode' | 'errorMessage' | 'timeline' | 'transcript' | 'notifications' | 'answeredBy'>): LiveCall {
    const now = this.#deps.clock.now();
    // Every field written out, in one order: a spread would give each record a hidden class of its own, and
    // every read of a record (JSON, callbacks, the console) would go megamorphic.
    const record: CallRecord = {
      sid: newCallSid(),
      accountSid: fields.accountSid,
      flavour: fields.flavour,
      parentCallSid: fields.parentCallSid,
      direction: fields.direction,
      from: fields.from,
      to: fields.to,
      url: fields.url,
      twiml: fields.twiml,
      method: fields.method,
      fallbackUrl: fields.fallbackUrl,
      fallbackMethod: fields.fallbackMethod,
      statusCallback: fields.statusCallback,
      statusCallbackMethod: fields.statusCallbackMethod,
      statusCallbackEvents: fields.statusCallbackEvents,
      timeoutSeconds: fields.timeoutSeconds,
      timeLimitSeconds: fields.timeLimitSeconds,
      sendDigits: fields.sendDigits,
      machineDetection: fields.machineDetection,
      record: fields.record,
      recordingStatusCallback: fields.recordingStatusCallback,
      recordingStatusCallbackMethod: fields.recordingStatusCallbackMethod,
      apiOrigin: fields.apiOrigin,
      status: 'queued',
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      answeredAt: null,
      endedAt: null,
      answeredBy: null,
      errorCode: null,
      errorMessage: null,
      timeline: [{ at: now, event: 'queued' }],
      transcript: [],
      notifications: [],
    };
    const live: LiveCall = { record, timers: [], callbackSequence: 0, answeredByHandset: false, onAnswer: [], onEnd: [] };
    this.#calls.set(record.sid, live);
    const open = this.#openByNumber.get(record.to);
    if (open) open.add(live);
    else this.#openByNumber.set(record.to, new Set([live]));
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

  /** The calls to `number` not yet ended, oldest first (a copy: ending one while walking them is safe). */
  #openCalls(number: string): LiveCall[] {
    const open = this.#openByNumber.get(number);
    return open ? [...open] : [];
  }

  /** Another call of `number` that is in progress. */
  #inCall(number: string, except: LiveCall): LiveCall | undefined {
    for (const live of this.#openByNumber.get(number) ?? []) {
      if (live !== except && live.record.status === 'in-progress') return live;
    }
    return undefined;
  }

  #incomingFrame(live: LiveCall): object {
    const { record } = live;
    const waiting = this.#inCall(record.to, live) !== undefined;
    return { type: 'call.incoming', callSid: record.sid, from: record.from, to: record.to, ...(waiting ? { waiting: true } : {}) };
  }

  #ring(live: LiveCall): void {
    const { record } = live;
    if (this.#closed || record.status !== 'queued') return;
    const behaviour = this.#behaviourOf(record.to);
    if (behaviour.voice === 'busy') return this.#end(live, 'busy', `${record.to} is set to busy`);
    if (behaviour.voice === 'unreachable') return this.#end(live, 'failed', `${record.to} is set to unreachable`);
    const other = this.#inCall(record.to, live);
    if (other && !this.#deps.settings.callWaiting) return this.#end(live, 'busy', `${record.to} is in call ${other.record.sid} (no call waiting)`);
    record.startedAt = this.#deps.clock.now();
    this.#setStatus(live, 'ringing');
    const reached = this.#deps.hub.send(record.to, this.#incomingFrame(live));
    this.#timeline(live, 'ringing', reached > 0 ? `call.incoming sent to ${reached} handset(s)${other ? ', as a waiting call' : ''}` : 'no handset connected');
    this.#callback(live, 'ringing');
    live.timers.push(this.#deps.clock.setTimeout(() => {
      if (record.status === 'ringing') this.#end(live, 'no-answer', `nobody answered within ${record.timeoutSeconds} s`);
    }, record.timeoutSeconds * 1000));
    if (behaviour.voice === 'answer') {
      live.timers.push(this.#deps.clock.setTimeout(() => {
        if (record.status !== 'ringing') return;
        this.#timeline(live, 'network.answer', `answered by the number's behaviour after ${behaviour.answerAfterMs} ms`);
        this.#answer(live, 'human');
      }, behaviour.answerAfterMs));
    }
  }

  #answer(live: LiveCall, answeredAs: 'human' | 'machine' | 'fax'): void {
    const { record } = live;
    for (const timer of live.timers.splice(0)) timer.cancel();
    record.answeredAt = this.#deps.clock.now();
    if (record.machineDetection) {
      record.answeredBy = answeredAs === 'machine' ? (record.machineDetection === 'DetectMessageEnd' ? 'machine_end_beep' : 'machine_start') : answeredAs;
    }
    this.#setStatus(live, 'in-progress');
    if (!this.#deps.settings.callWaiting) {
      // One call at a time on a line: the others ringing there get a busy line.
      for (const other of this.#openCalls(record.to)) {
        if (other !== live && other.record.status === 'ringing') this.#end(other, 'busy', `${record.to} answered ${record.sid}`);
      }
    }
    live.timers.push(this.#deps.clock.setTimeout(() => this.#end(live, 'completed', `TimeLimit of ${record.timeLimitSeconds} s reached`), record.timeLimitSeconds * 1000));
    this.#callback(live, 'answered');
    for (const listener of live.onAnswer.splice(0)) listener(record);
    const sendDigits = record.sendDigits;
    if (sendDigits) {
      record.transcript.push({ at: this.#deps.clock.now(), kind: 'send-digits', digits: sendDigits });
      this.#deps.hub.send(record.to, { type: 'call.dtmf', callSid: record.sid, digits: sendDigits });
    }
    if (!record.url && record.twiml === null) return; // A <Dial> leg: bridged until one side hangs up.
    const start = () => {
      if (record.status === 'in-progress' && !this.#closed) this.#run(live);
    };
    if (sendDigits && this.#deps.settings.speechTime) live.timers.push(this.#deps.clock.setTimeout(start, digitsMs(sendDigits)));
    else start();
  }

  #run(live: LiveCall): void {
    const { record } = live;
    const session = new RcmlSession(record, {
      clock: this.#deps.clock,
      webhooks: this.#deps.webhooks,
      speechTime: () => this.#deps.settings.speechTime,
      toHandset: (frame) => this.#deps.hub.send(record.to, frame),
      timeline: (event, detail) => this.#timeline(live, event, detail),
      transcribed: () => this.#deps.events?.callUpdated(record),
      notify: (code, level, message, request) => this.#notify(live, code, level, message, request),
      dial: (verb, signal) => this.#dial(live, verb, signal),
      sms: (verb) => this.#deps.sendSms(verb, record),
      recording: (parts, seconds, statusCallback) => this.#recording(live, parts, seconds, 'RecordVerb', statusCallback),
    });
    live.session = session;
    session.run().then(
      (end) => {
        if (end.status === 'error') {
          // As on Twilio: the callee hears the error message and the call completes; the error is a notification.
          this.#notify(live, end.code, 'error', end.reason);
          if (record.status === 'in-progress') this.#deps.hub.send(record.to, { type: 'call.say', callSid: record.sid, text: APPLICATION_ERROR_TEXT, voice: 'woman', language: 'en' });
          this.#end(live, 'completed', end.reason, end.code);
        } else this.#end(live, end.status, end.reason);
      },
      (error: unknown) => {
        this.#deps.logger?.error({ err: error, callSid: record.sid }, 'RCML session crashed');
        this.#notify(live, 12400, 'error', 'internal error while running RCML');
        this.#end(live, 'completed', 'internal error while running RCML', 12400);
      },
    );
  }

  /** `<Dial>`: every `<Number>` rings at once as a child leg; the first to answer is bridged, the others are canceled. */
  #dial(parent: LiveCall, verb: DialVerb, signal: AbortSignal): Promise<DialResult> {
    const first = verb.targets[0]!;
    if (first.kind === 'conference') return this.#conference(parent, first, signal);
    const numbers = verb.targets.filter((t): t is Extract<DialTarget, { kind: 'number' }> => t.kind === 'number');
    const children = numbers.map((target) => this.#add({
      accountSid: parent.record.accountSid,
      flavour: parent.record.flavour,
      apiOrigin: parent.record.apiOrigin,
      parentCallSid: parent.record.sid,
      direction: 'outbound-dial',
      from: verb.callerId ?? parent.record.from,
      to: target.number,
      url: null,
      twiml: null,
      method: 'POST',
      fallbackUrl: null,
      fallbackMethod: 'POST',
      statusCallback: null,
      statusCallbackMethod: 'POST',
      statusCallbackEvents: [],
      timeoutSeconds: verb.timeoutSeconds,
      timeLimitSeconds: verb.timeLimitSeconds,
      sendDigits: target.sendDigits ?? null,
      machineDetection: null,
      record: false,
      recordingStatusCallback: null,
      recordingStatusCallbackMethod: 'POST',
    }));
    this.#timeline(parent, 'dial', children.map((c) => `${c.record.to} as ${c.record.sid}`).join(', '));
    return new Promise<DialResult>((resolve) => {
      let winner: LiveCall | undefined;
      let open = children.length;
      const onAbort = () => {
        for (const child of children) this.modify(child.record.sid, { status: 'completed' });
      };
      for (const child of children) {
        child.onAnswer.push(() => {
          if (winner) return;
          winner = child;
          for (const other of children) if (other !== child) this.#end(other, 'canceled', `${child.record.to} answered the Dial first`);
        });
        child.onEnd.push((call) => {
          parent.record.transcript.push({ at: this.#deps.clock.now(), kind: 'dial', number: call.to, callSid: call.sid, status: call.status });
          if (--open > 0) return;
          signal.removeEventListener('abort', onAbort);
          resolve(winner ? this.#dialResult(winner.record) : this.#unansweredResult(children.map((c) => c.record)));
        });
      }
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      for (const child of children) this.#ring(child);
    });
  }

  #dialResult(call: CallRecord): DialResult {
    const duration = call.answeredAt ? Math.round(((call.endedAt ?? 0) - call.answeredAt) / 1000) : 0;
    return { callSid: call.sid, status: call.status, durationSeconds: duration, number: call.to };
  }

  /** Nobody answered: busy if every line was, failed if every one failed, otherwise no-answer. */
  #unansweredResult(calls: CallRecord[]): DialResult {
    const all = (status: CallStatus) => calls.every((c) => c.status === status);
    const status: CallStatus = all('busy') ? 'busy' : all('failed') ? 'failed' : all('canceled') ? 'canceled' : 'no-answer';
    const last = calls.at(-1)!;
    return { callSid: last.sid, status, durationSeconds: 0, number: last.to };
  }

  /** `<Dial><Conference>`: the call stays in the named room until it leaves or the room ends. */
  #conference(live: LiveCall, target: Extract<DialTarget, { kind: 'conference' }>, signal: AbortSignal): Promise<DialResult> {
    const { record } = live;
    const joinedAt = this.#deps.clock.now();
    this.#timeline(live, 'conference', `joined ${target.name}`);
    return new Promise<DialResult>((resolve) => {
      const onAbort = () => this.#conferences.leave(record.accountSid, target.name, record.sid);
      this.#conferences.join(record.accountSid, target.name, {
        callSid: record.sid,
        number: record.to,
        endConferenceOnExit: target.endConferenceOnExit,
        release: (reason) => {
          signal.removeEventListener('abort', onAbort);
          this.#conferences.leave(record.accountSid, target.name, record.sid);
          record.transcript.push({ at: this.#deps.clock.now(), kind: 'conference', name: target.name, outcome: reason });
          resolve({ callSid: '', status: 'completed', durationSeconds: Math.round((this.#deps.clock.now() - joinedAt) / 1000) });
        },
      });
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Stores a recording and tells its status callback: `Record=true`'s, or the `<Record>` verb's (POST). */
  #recording(live: LiveCall, parts: RecordedPart[], seconds: number, source: RecordingRecord['source'], verbCallback?: string): RecordingRecord {
    const { record } = live;
    const stored = this.#deps.recordings.add(record, parts, seconds, source, this.#deps.clock.now());
    this.#timeline(live, 'recording', `${stored.sid}, ${seconds} s`);
    const callback = source === 'OutboundAPI' ? record.recordingStatusCallback : verbCallback;
    if (callback) {
      this.#deps.callbacks.enqueue(stored.sid, {
        url: callback,
        method: source === 'OutboundAPI' ? record.recordingStatusCallbackMethod : 'POST',
        params: {
          AccountSid: record.accountSid, CallSid: record.sid, RecordingSid: stored.sid, RecordingUrl: stored.url,
          RecordingStatus: 'completed', RecordingDuration: String(seconds), RecordingChannels: '1', RecordingSource: source,
        },
      });
    }
    return stored;
  }

  #end(live: LiveCall, status: CallStatus, reason: string, errorCode?: VoiceErrorCode): void {
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
    if (record.record && record.answeredAt !== null && !this.#closed) {
      const ms = record.endedAt - record.answeredAt;
      this.#recording(live, [{ kind: 'audio', ms }], Math.max(1, Math.round(ms / 1000)), 'OutboundAPI');
    }
    this.#callback(live, 'completed');
    for (const listener of live.onEnd.splice(0)) listener(record);
  }

  #notify(live: LiveCall, code: VoiceErrorCode, level: 'error' | 'warning', message: string, request?: { url: string; method: string }): void {
    live.record.notifications.push({
      sid: newSid('NO'),
      at: this.#deps.clock.now(),
      code,
      level,
      message,
      requestUrl: request?.url ?? null,
      requestMethod: request?.method ?? null,
    });
    this.#deps.events?.callUpdated(live.record);
  }

  #setStatus(live: LiveCall, status: CallStatus, detail?: string): void {
    live.record.status = status;
    if (FINAL_STATUSES.has(status)) {
      const open = this.#openByNumber.get(live.record.to);
      open?.delete(live);
      if (open?.size === 0) this.#openByNumber.delete(live.record.to);
    }
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
    const params = statusCallbackParams(record, event, live.callbackSequence++, this.#deps.clock.now());
    this.#deps.callbacks.enqueue(record.sid, { url: record.statusCallback, method: record.statusCallbackMethod, params });
  }
}
