import type { Clock } from '../../gateway/clock';
import type { CallRecord, CallStatus, TranscriptEntry } from './call-record';
import { RcmlError, type VoiceErrorCode } from './errors';
import {
  MAX_LOOP, parseRcml,
  type DialVerb, type GatherVerb, type GatherPrompt, type HttpMethod, type RecordVerb, type SmsVerb, type Verb, type RcmlWarning,
} from './rcml-parser';
import { digitsMs, PLAY_MS, speechMs } from './speech-time';
import { callParams } from './status-callbacks';
import { WebhookRedirectError, WebhookTooLargeError, type WebhookClient } from './webhook-client';
import { redactSecrets } from '../../gateway/logging/redact';

/**
 * Documents fetched (Url, Redirect, actions) within one second of call time,
 * with no input from the handset between them, before the call is cut off as
 * a loop: a `<Redirect>` to itself, or a loop through `<Pause length="0">` or
 * `<Gather timeout="0">`, would otherwise hit the app server as fast as it
 * answers. Input (digits, speech, a recording) shows a person is there.
 */
export const MAX_DOCUMENTS_PER_SECOND = 20;
/** Twilio's code for a session that requested too many documents. */
export const LOOP_ERROR_CODE = 14106;

export interface DialResult { callSid: string; status: CallStatus; durationSeconds: number; number?: string }
export interface SmsResult { sid: string; status: 'sent' | 'failed' }
export interface RecordingResult { sid: string; url: string; durationSeconds: number }
/** What the handset did while a `<Record>` listened. */
export type RecordedPart = { kind: 'audio'; ms: number } | { kind: 'tones'; digits: string };

/** What the interpreter needs from the call engine. */
export interface RcmlSessionDeps {
  clock: Clock;
  webhooks: WebhookClient;
  /** Whether speaking and playing take time on the clock. */
  speechTime(): boolean;
  /** A frame to the called handset. */
  toHandset(frame: object): void;
  timeline(event: string, detail?: string): void;
  /** Something went into the call's transcript. */
  transcribed?(): void;
  /** An error or warning in the call's notifications. */
  notify(code: VoiceErrorCode, level: 'error' | 'warning', message: string, request?: { url: string; method: string }): void;
  /** Rings the Dial's targets (all numbers at once) and resolves once the bridged leg has ended. */
  dial(verb: DialVerb, signal: AbortSignal): Promise<DialResult>;
  sms(verb: SmsVerb): SmsResult;
  /** Stores what a `<Record>` took down, and tells `statusCallback` of it. */
  recording(parts: RecordedPart[], durationSeconds: number, statusCallback: string | undefined): RecordingResult;
}

/** How the RCML ended the call. */
export type SessionEnd =
  | { status: 'completed'; reason: string }
  | { status: 'busy'; reason: string }
  | { status: 'error'; code: VoiceErrorCode; reason: string };

type Next =
  | { kind: 'fetch'; url: string; method: HttpMethod; params: Record<string, string> }
  | { kind: 'inline'; twiml: string }
  | { kind: 'end'; end: SessionEnd };

class Interrupted extends Error {
  override readonly name = 'Interrupted';
}
// Control flow only, never shown: one instance each, not a stack trace captured per call.
const CALL_ENDED = new Interrupted('call ended');
const REDIRECTED = new Interrupted('redirected');
const INTERRUPTED = new Interrupted('interrupted');

type Transcribed = TranscriptEntry extends infer T ? (T extends TranscriptEntry ? Omit<T, 'at'> : never) : never;

type Listening =
  | { kind: 'gather'; verb: GatherVerb; digits: string; speech: string | undefined; confidence: number; finishedOnKey: boolean; done: boolean; finish(how: 'finished' | 'timeout' | 'hangup'): void; rearm(): void }
  | { kind: 'record'; verb: RecordVerb; parts: RecordedPart[]; ms: number; finishKey: string | undefined; done: boolean; finish(how: 'finished' | 'timeout' | 'hangup' | 'max-length'): void; rearm(): void };

/**
 * Runs the RCML of one answered call: fetches the document (signed, with the
 * standard parameters) or takes the inline `Twiml`, executes its verbs in
 * order, speaking and playing in (clock) time, and follows Gather, Record,
 * Dial and Sms actions and Redirects, until a Hangup, the end of a document,
 * an error, or the call ending from outside (`stop`). A live update through
 * the REST API (`redirect`) interrupts the current verb.
 */
export class RcmlSession {
  readonly #call: CallRecord;
  readonly #deps: RcmlSessionDeps;
  /** Made when something waits on it (most calls never do): aborted by a hang-up or a live redirect. */
  #interrupt: AbortController | undefined;
  #ended = false;
  #pending: Next | undefined;
  #listening: Listening | undefined;
  #windowStart = 0;
  #documentsInWindow = 0;

  constructor(call: CallRecord, deps: RcmlSessionDeps) {
    this.#call = call;
    this.#deps = deps;
  }

  /** The far end hung up, or the API completed the call: stop at once. */
  stop(): void {
    this.#ended = true;
    this.#listening?.finish('hangup');
    this.#interrupt?.abort(CALL_ENDED);
  }

  /** The REST API gave the live call new RCML (`Url` or `Twiml`). */
  redirect(target: { url: string; method: HttpMethod } | { twiml: string }): void {
    this.#pending = 'twiml' in target ? { kind: 'inline', twiml: target.twiml } : { kind: 'fetch', url: target.url, method: target.method, params: {} };
    this.#listening?.finish('hangup');
    this.#interrupt?.abort(REDIRECTED);
  }

  /** Keys pressed on the handset; heard only while a Gather or a Record listens. */
  digits(keys: string): void {
    const listening = this.#listening;
    if (!listening || listening.done || (listening.kind === 'gather' && !listening.verb.input.includes('dtmf'))) {
      this.#note({ kind: 'dtmf', digits: keys, heard: false });
      return;
    }
    this.#note({ kind: 'dtmf', digits: keys, heard: true });
    if (listening.kind === 'record') {
      const key = [...keys].find((k) => listening.verb.finishOnKey.includes(k));
      const tones = key === undefined ? keys : keys.slice(0, keys.indexOf(key));
      if (tones) listening.parts.push({ kind: 'tones', digits: tones });
      if (key !== undefined) {
        listening.finishKey = key;
        listening.finish('finished');
      } else listening.rearm();
      return;
    }
    for (const key of keys) {
      if (listening.done) break;
      if (listening.verb.finishOnKey && key === listening.verb.finishOnKey) {
        listening.finishedOnKey = true;
        listening.finish('finished');
        break;
      }
      listening.digits += key;
      if (listening.verb.numDigits !== undefined && listening.digits.length >= listening.verb.numDigits) listening.finish('finished');
    }
    if (!listening.done) listening.rearm();
  }

  /** A speech result from the handset (what a recogniser would have heard); only a Gather with input speech takes it. */
  speech(text: string, confidence: number): void {
    const listening = this.#listening;
    if (!listening || listening.done || listening.kind !== 'gather' || !listening.verb.input.includes('speech')) {
      this.#note({ kind: 'speech', text, heard: false });
      return;
    }
    this.#note({ kind: 'speech', text, heard: true });
    listening.speech = text;
    listening.confidence = confidence;
    listening.finish('finished');
  }

  /** The handset spoke for `ms` into a `<Record>`. */
  audio(ms: number): void {
    const listening = this.#listening;
    if (!listening || listening.done || listening.kind !== 'record') return;
    listening.parts.push({ kind: 'audio', ms });
    listening.ms += ms;
    if (listening.ms >= listening.verb.maxLengthSeconds * 1000) listening.finish('max-length');
    else listening.rearm();
  }

  async run(): Promise<SessionEnd> {
    let next: Next = this.#call.url
      ? { kind: 'fetch', url: this.#call.url, method: this.#call.method, params: {} }
      : this.#call.twiml !== null ? { kind: 'inline', twiml: this.#call.twiml } : { kind: 'end', end: { status: 'completed', reason: 'no RCML' } };
    let first = true;
    this.#windowStart = this.#deps.clock.now();
    for (;;) {
      if (next.kind === 'end') return next.end;
      try {
        this.#checkInterrupted();
        this.#countDocument();
        const verbs = next.kind === 'inline' ? this.#inline(next.twiml) : await this.#load(next.url, next.method, next.params, first);
        first = false;
        next = await this.#execute(verbs);
      } catch (error) {
        if (this.#ended) return { status: 'completed', reason: 'call ended while RCML ran' };
        const pending = this.#pending;
        if (pending) {
          this.#pending = undefined;
          this.#interrupt = undefined;
          this.#deps.timeline('redirect.api', pending.kind === 'fetch' ? `${pending.method} ${pending.url}` : 'inline Twiml');
          next = pending;
          continue;
        }
        if (error instanceof RcmlError) {
          this.#deps.timeline('rcml.error', `${error.code}: ${error.message}`);
          return { status: 'error', code: error.code, reason: error.message };
        }
        throw error;
      }
    }
  }

  #signal(): AbortSignal {
    if (!this.#interrupt) {
      this.#interrupt = new AbortController();
      if (this.#ended) this.#interrupt.abort(CALL_ENDED);
      else if (this.#pending) this.#interrupt.abort(REDIRECTED);
    }
    return this.#interrupt.signal;
  }

  #checkInterrupted(): void {
    if (this.#ended || this.#pending) throw INTERRUPTED;
  }

  #countDocument(): void {
    const now = this.#deps.clock.now();
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#documentsInWindow = 0;
    }
    if (++this.#documentsInWindow > MAX_DOCUMENTS_PER_SECOND) {
      throw new RcmlError(LOOP_ERROR_CODE, `more than ${MAX_DOCUMENTS_PER_SECOND} documents requested within one second of call time: cut off as a loop`);
    }
  }

  #inline(twiml: string): Verb[] {
    return this.#parsed(twiml, undefined, undefined);
  }

  #parsed(text: string, url: string | undefined, method: string | undefined): Verb[] {
    const { verbs, warnings } = parseRcml(text, url);
    for (const warning of warnings) this.#warn(warning, url, method);
    return verbs;
  }

  #warn(warning: RcmlWarning, url: string | undefined, method: string | undefined): void {
    this.#deps.timeline('rcml.warning', `${warning.code}: ${warning.message}`);
    this.#deps.notify(warning.code, 'warning', warning.message, url ? { url, method: method ?? 'POST' } : undefined);
  }

  /** Fetches and parses a document; on the call's first document, falls back to FallbackUrl on any error. */
  async #load(url: string, method: HttpMethod, params: Record<string, string>, allowFallback: boolean): Promise<Verb[]> {
    try {
      return await this.#fetchDocument(url, method, params);
    } catch (error) {
      const fallback = this.#call.fallbackUrl;
      if (!(error instanceof RcmlError) || !allowFallback || !fallback) throw error;
      this.#deps.timeline('rcml.fallback', `${error.code}: ${error.message}`);
      this.#deps.notify(error.code, 'error', error.message, { url, method });
      const fallbackParams = { ...params, ErrorCode: String(error.code), ErrorUrl: url };
      return await this.#fetchDocument(fallback, this.#call.fallbackMethod, fallbackParams);
    }
  }

  async #fetchDocument(url: string, method: HttpMethod, params: Record<string, string>): Promise<Verb[]> {
    let response;
    try {
      response = await this.#deps.webhooks.send({ url, method, params: callParams(this.#call, params) });
    } catch (error) {
      this.#checkInterrupted();
      if (error instanceof WebhookTooLargeError) throw new RcmlError(11750, error.message);
      if (error instanceof WebhookRedirectError) throw new RcmlError(11215, error.message);
      throw new RcmlError(11205, (error as Error).message);
    }
    this.#checkInterrupted();
    this.#deps.timeline('rcml.fetch', `${method} ${response.url} → ${response.status}`);
    if (response.status < 200 || response.status >= 300) throw new RcmlError(11200, redactSecrets(`${method} ${url} answered HTTP ${response.status}`));
    const type = response.contentType.split(';')[0]!.trim().toLowerCase();
    if (type.startsWith('audio/')) return [{ verb: 'Play', url: response.url, digits: undefined, loop: 1 }];
    if (type !== 'text/xml' && type !== 'application/xml' && type !== 'text/html') {
      throw new RcmlError(12300, `${method} ${url} answered Content-Type ${JSON.stringify(response.contentType)}; RCML needs text/xml or application/xml`);
    }
    return this.#parsed(response.body, response.url, method);
  }

  async #execute(verbs: Verb[]): Promise<Next> {
    for (const verb of verbs) {
      this.#checkInterrupted();
      switch (verb.verb) {
        case 'Say':
        case 'Play':
        case 'Pause':
          await this.#prompt(verb);
          break;
        case 'Gather': {
          const params = await this.#runGather(verb);
          if (params && verb.action) return { kind: 'fetch', url: verb.action, method: verb.method, params };
          if (params) this.#deps.timeline('gather.no-action', 'inline Twiml without action: going on to the next verb');
          break;
        }
        case 'Record': {
          const params = await this.#runRecord(verb);
          if (params && verb.action) return { kind: 'fetch', url: verb.action, method: verb.method, params };
          break;
        }
        case 'Hangup':
          return { kind: 'end', end: { status: 'completed', reason: '<Hangup>' } };
        case 'Reject':
          return { kind: 'end', end: { status: 'busy', reason: `<Reject reason="${verb.reason}">` } };
        case 'Redirect':
          return { kind: 'fetch', url: verb.url, method: verb.method, params: {} };
        case 'Dial': {
          const params = await this.#runDial(verb);
          if (verb.action) return { kind: 'fetch', url: verb.action, method: verb.method, params };
          break;
        }
        case 'Sms': {
          const result = this.#deps.sms(verb);
          this.#note({ kind: 'sms', to: verb.to ?? this.#call.to, text: verb.text, status: result.status });
          if (verb.action) return { kind: 'fetch', url: verb.action, method: verb.method, params: { SmsSid: result.sid, SmsStatus: result.status } };
          break;
        }
      }
    }
    return { kind: 'end', end: { status: 'completed', reason: 'end of RCML document' } };
  }

  /** Says, plays or pauses; `until` ends it early (a Gather that has its input). */
  async #prompt(verb: GatherPrompt, until?: () => boolean): Promise<void> {
    const sid = this.#call.sid;
    if (verb.verb === 'Pause') {
      this.#note({ kind: 'pause', seconds: verb.lengthSeconds });
      await this.#wait(verb.lengthSeconds * 1000, until);
      return;
    }
    const times = verb.loop === 0 ? MAX_LOOP : verb.loop;
    for (let i = 0; i < times; i++) {
      if (until?.()) return;
      this.#checkInterrupted();
      if (verb.verb === 'Say') {
        this.#note({ kind: 'say', text: verb.text, voice: verb.voice, language: verb.language });
        this.#deps.toHandset({ type: 'call.say', callSid: sid, text: verb.text, voice: verb.voice, language: verb.language });
        await this.#speak(speechMs(verb.text, verb.voice) + verb.breakMs, until);
      } else if (verb.digits !== undefined) {
        this.#note({ kind: 'play', url: null, digits: verb.digits });
        this.#deps.toHandset({ type: 'call.play', callSid: sid, url: null, digits: verb.digits });
        await this.#speak(digitsMs(verb.digits), until);
      } else {
        this.#note({ kind: 'play', url: verb.url ?? null, digits: null });
        this.#deps.toHandset({ type: 'call.play', callSid: sid, url: verb.url, digits: null });
        await this.#speak(PLAY_MS, until);
      }
    }
  }

  #speak(ms: number, until?: () => boolean): Promise<void> {
    return this.#deps.speechTime() ? this.#wait(ms, until) : Promise.resolve();
  }

  /** Resolves with the action's parameters, or undefined to fall through to the next verb. */
  async #runGather(verb: GatherVerb): Promise<Record<string, string> | undefined> {
    let timer: { cancel(): void } | undefined;
    let outcome!: 'finished' | 'timeout' | 'hangup';
    let gather!: Extract<Listening, { kind: 'gather' }>;
    const finished = new Promise<void>((resolve) => {
      gather = {
        kind: 'gather',
        verb,
        digits: '',
        speech: undefined,
        confidence: 0,
        finishedOnKey: false,
        done: false,
        finish: (how) => {
          if (gather.done) return;
          gather.done = true;
          outcome = how;
          timer?.cancel();
          resolve();
        },
        rearm: () => {
          timer?.cancel();
          timer = this.#deps.clock.setTimeout(() => gather.finish('timeout'), verb.timeoutSeconds * 1000);
        },
      };
    });
    this.#listening = gather;
    try {
      for (const prompt of verb.prompts) {
        if (gather.done) break;
        await this.#prompt(prompt, () => gather.done);
      }
      if (!gather.done) {
        this.#deps.toHandset({
          type: 'call.gather', callSid: this.#call.sid, input: verb.input.join(' '),
          numDigits: verb.numDigits ?? null, timeout: verb.timeoutSeconds, finishOnKey: verb.finishOnKey,
        });
        gather.rearm();
      }
      await finished;
    } finally {
      timer?.cancel();
      this.#listening = undefined;
    }
    this.#checkInterrupted();
    this.#note({ kind: 'gather', digits: gather.digits, ...(gather.speech !== undefined ? { speech: gather.speech } : {}), outcome });
    if (gather.digits !== '' || gather.speech !== undefined) this.#documentsInWindow = 0;
    if (gather.speech !== undefined) return { SpeechResult: gather.speech, Confidence: gather.confidence.toFixed(2) };
    if (gather.digits !== '') return { Digits: gather.digits, ...(gather.finishedOnKey ? { FinishedOnKey: verb.finishOnKey } : {}) };
    if (gather.finishedOnKey || verb.actionOnEmptyResult) return { Digits: '', ...(gather.finishedOnKey ? { FinishedOnKey: verb.finishOnKey } : {}) };
    return undefined;
  }

  /**
   * Records until a finish key, `timeout` seconds of silence (no audio or
   * tones from the handset), `maxLength`, or the hang-up. Nothing recorded:
   * goes on to the next verb, as Twilio does.
   */
  async #runRecord(verb: RecordVerb): Promise<Record<string, string> | undefined> {
    let timer: { cancel(): void } | undefined;
    let outcome!: 'finished' | 'timeout' | 'hangup' | 'max-length';
    let record!: Extract<Listening, { kind: 'record' }>;
    const finished = new Promise<void>((resolve) => {
      record = {
        kind: 'record',
        verb,
        parts: [],
        ms: 0,
        finishKey: undefined,
        done: false,
        finish: (how) => {
          if (record.done) return;
          record.done = true;
          outcome = how;
          timer?.cancel();
          resolve();
        },
        rearm: () => {
          timer?.cancel();
          if (verb.timeoutSeconds > 0) timer = this.#deps.clock.setTimeout(() => record.finish('timeout'), verb.timeoutSeconds * 1000);
        },
      };
    });
    this.#listening = record;
    try {
      if (verb.playBeep) this.#deps.toHandset({ type: 'call.play', callSid: this.#call.sid, url: null, digits: null, beep: true });
      this.#deps.toHandset({ type: 'call.record', callSid: this.#call.sid, maxLength: verb.maxLengthSeconds, timeout: verb.timeoutSeconds, finishOnKey: verb.finishOnKey });
      record.rearm();
      const maxTimer = this.#deps.clock.setTimeout(() => record.finish('max-length'), verb.maxLengthSeconds * 1000);
      await finished;
      maxTimer.cancel();
    } finally {
      timer?.cancel();
      this.#listening = undefined;
    }
    // Redirected through the API: the new RCML runs, nothing is stored.
    if (this.#pending) this.#checkInterrupted();
    const tones = record.parts.reduce((n, p) => n + (p.kind === 'tones' ? p.digits.length : 0), 0);
    const ms = Math.min(verb.maxLengthSeconds * 1000, record.ms + tones * 200);
    this.#note({ kind: 'record', seconds: Math.round(ms / 1000), outcome });
    if (ms === 0) {
      this.#checkInterrupted();
      return undefined;
    }
    this.#documentsInWindow = 0;
    const durationSeconds = Math.max(1, Math.round(ms / 1000));
    const stored = this.#deps.recording(record.parts, durationSeconds, verb.recordingStatusCallback);
    const params = {
      RecordingUrl: stored.url,
      RecordingSid: stored.sid,
      RecordingDuration: String(durationSeconds),
      Digits: outcome === 'hangup' ? 'hangup' : (record.finishKey ?? ''),
    };
    if (outcome === 'hangup' && verb.action) {
      // Twilio still tells the action about a recording ended by the hang-up; what it answers is not run.
      void this.#deps.webhooks.send({ url: verb.action, method: verb.method, params: callParams(this.#call, params) }).catch(() => undefined);
    }
    this.#checkInterrupted();
    return params;
  }

  async #runDial(verb: DialVerb): Promise<Record<string, string>> {
    const result = await this.#deps.dial(verb, this.#signal());
    this.#checkInterrupted();
    return { DialCallSid: result.callSid, DialCallStatus: result.status, DialCallDuration: String(result.durationSeconds) };
  }

  /** Waits on the injected clock; a hang-up or a live redirect interrupts it, `until` ends it early. */
  #wait(ms: number, until?: () => boolean): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    const signal = this.#signal();
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      let poll: { cancel(): void } | undefined;
      const timer = this.#deps.clock.setTimeout(() => done(), ms);
      const onAbort = () => {
        timer.cancel();
        poll?.cancel();
        reject(signal.reason as Error);
      };
      const done = () => {
        signal.removeEventListener('abort', onAbort);
        poll?.cancel();
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (until) {
        // A prompt inside a Gather ends early once the Gather has its input.
        const check = () => {
          if (until()) {
            timer.cancel();
            done();
          } else poll = this.#deps.clock.setTimeout(check, 100);
        };
        poll = this.#deps.clock.setTimeout(check, 100);
      }
    });
  }

  #note(entry: Transcribed): void {
    // Stamped in place: a spread copy would give every entry a hidden class of its own.
    const stamped = entry as TranscriptEntry;
    stamped.at = this.#deps.clock.now();
    this.#call.transcript.push(stamped);
    this.#deps.transcribed?.();
  }
}
