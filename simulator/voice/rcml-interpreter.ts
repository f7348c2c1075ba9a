import type { Clock } from '../../gateway/clock';
import type { CallRecord, CallStatus, TranscriptEntry } from './call-record';
import { RcmlError } from './errors';
import { parseRcml, type DialVerb, type GatherPrompt, type GatherVerb, type HttpMethod, type SmsVerb, type Verb } from './rcml-parser';
import { callParams } from './status-callbacks';
import { WebhookTooLargeError, type WebhookClient } from './webhook-client';
import { redactSecrets } from '../../gateway/logging/redact';

/** Redirects in a row with no input waited for (Pause, Gather, Dial) before the call is cut off as a loop. */
export const MAX_REDIRECTS_WITHOUT_INPUT = 20;

export interface DialResult { callSid: string; status: CallStatus; durationSeconds: number }
export interface SmsResult { sid: string; status: 'sent' | 'failed' }

/** What the interpreter needs from the call engine. */
export interface RcmlSessionDeps {
  clock: Clock;
  webhooks: WebhookClient;
  /** A frame to the called handset. */
  toHandset(frame: object): void;
  timeline(event: string, detail?: string): void;
  /** Something went into the call's transcript. */
  transcribed?(): void;
  /** Rings `number` as a child leg and resolves once that leg has ended. */
  dial(verb: DialVerb, number: string, signal: AbortSignal): Promise<DialResult>;
  sms(verb: SmsVerb): SmsResult;
}

/** How the RCML ended the call. */
export type SessionEnd =
  | { status: 'completed'; reason: string }
  | { status: 'busy'; reason: string }
  | { status: 'failed'; code: number; reason: string };

type Next = { kind: 'fetch'; url: string; method: HttpMethod; params: Record<string, string>; redirect: boolean } | { kind: 'end'; end: SessionEnd };

class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

type Transcribed = TranscriptEntry extends infer T ? (T extends TranscriptEntry ? Omit<T, 'at'> : never) : never;

interface ActiveGather {
  verb: GatherVerb;
  digits: string;
  finishedOnKey: boolean;
  done: boolean;
  resolve: (outcome: 'finished' | 'timeout' | 'hangup') => void;
  rearm: () => void;
}

/**
 * Runs the RCML of one answered call: fetches the document (signed, with the
 * standard parameters), executes its verbs in order and follows Gather, Dial
 * and Sms actions and Redirects, until a Hangup, the end of a document, a
 * failure, or the call ending from outside (`stop`). A live redirect through
 * the REST API (`redirect`) interrupts the current verb.
 */
export class RcmlSession {
  readonly #call: CallRecord;
  readonly #deps: RcmlSessionDeps;
  #interrupt = new AbortController();
  #ended = false;
  #pendingRedirect: { url: string; method: HttpMethod } | undefined;
  #gather: ActiveGather | undefined;
  #redirectsWithoutInput = 0;

  constructor(call: CallRecord, deps: RcmlSessionDeps) {
    this.#call = call;
    this.#deps = deps;
  }

  /** The far end hung up, or the API completed the call: stop at once. */
  stop(): void {
    this.#ended = true;
    this.#gather?.resolve('hangup');
    this.#interrupt.abort(new Interrupted('call ended'));
  }

  /** The REST API asked for new RCML (`Url` on a live call). */
  redirect(url: string, method: HttpMethod): void {
    this.#pendingRedirect = { url, method };
    this.#gather?.resolve('hangup');
    this.#interrupt.abort(new Interrupted('redirected'));
  }

  /** Keys pressed on the handset; heard only while a Gather listens. */
  digits(keys: string): void {
    const gather = this.#gather;
    if (!gather || gather.done) {
      this.#note({ kind: 'dtmf', digits: keys, heard: false });
      return;
    }
    this.#note({ kind: 'dtmf', digits: keys, heard: true });
    for (const key of keys) {
      if (gather.done) break;
      if (gather.verb.finishOnKey && key === gather.verb.finishOnKey) {
        gather.finishedOnKey = true;
        gather.resolve('finished');
        break;
      }
      gather.digits += key;
      if (gather.verb.numDigits !== undefined && gather.digits.length >= gather.verb.numDigits) gather.resolve('finished');
    }
    if (!gather.done) gather.rearm();
  }

  async run(): Promise<SessionEnd> {
    if (!this.#call.url) return { status: 'completed', reason: 'no RCML' };
    let next: Next = { kind: 'fetch', url: this.#call.url, method: this.#call.method, params: {}, redirect: false };
    let first = true;
    for (;;) {
      if (next.kind === 'end') return next.end;
      try {
        this.#checkRedirect();
        if (next.redirect && ++this.#redirectsWithoutInput > MAX_REDIRECTS_WITHOUT_INPUT) {
          throw new RcmlError(11215, `more than ${MAX_REDIRECTS_WITHOUT_INPUT} redirects in a row without waiting for input: cut off as a loop`);
        }
        const verbs = await this.#load(next.url, next.method, next.params, first);
        first = false;
        next = await this.#execute(verbs);
      } catch (error) {
        if (error instanceof Interrupted || this.#ended || this.#pendingRedirect) {
          if (this.#ended) return { status: 'completed', reason: 'call ended while RCML ran' };
          const target = this.#pendingRedirect;
          if (target) {
            this.#pendingRedirect = undefined;
            this.#interrupt = new AbortController();
            this.#deps.timeline('redirect.api', `${target.method} ${target.url}`);
            next = { kind: 'fetch', url: target.url, method: target.method, params: {}, redirect: false };
            continue;
          }
        }
        if (error instanceof RcmlError) {
          this.#deps.timeline('rcml.error', `${error.code}: ${error.message}`);
          return { status: 'failed', code: error.code, reason: error.message };
        }
        throw error;
      }
    }
  }

  #checkRedirect(): void {
    if (this.#ended || this.#pendingRedirect) throw new Interrupted('interrupted');
  }

  /** Fetches and parses a document; on the call's first document, falls back to FallbackUrl on any failure. */
  async #load(url: string, method: HttpMethod, params: Record<string, string>, allowFallback: boolean): Promise<Verb[]> {
    try {
      return await this.#fetchDocument(url, method, params);
    } catch (error) {
      const fallback = this.#call.fallbackUrl;
      if (!(error instanceof RcmlError) || !allowFallback || !fallback) throw error;
      this.#deps.timeline('rcml.fallback', `${error.code}: ${error.message}`);
      const fallbackParams = { ...params, ErrorCode: String(error.code), ErrorUrl: url };
      return await this.#fetchDocument(fallback, this.#call.fallbackMethod, fallbackParams);
    }
  }

  async #fetchDocument(url: string, method: HttpMethod, params: Record<string, string>): Promise<Verb[]> {
    let response;
    try {
      response = await this.#deps.webhooks.send({ url, method, params: { ...callParams(this.#call), ...params } });
    } catch (error) {
      this.#checkRedirect();
      if (error instanceof WebhookTooLargeError) throw new RcmlError(12100, error.message);
      throw new RcmlError(11205, (error as Error).message);
    }
    this.#checkRedirect();
    this.#deps.timeline('rcml.fetch', `${method} ${url} → ${response.status}`);
    if (response.status < 200 || response.status >= 300) throw new RcmlError(11200, redactSecrets(`${method} ${url} answered HTTP ${response.status}`));
    return parseRcml(response.body, url);
  }

  async #execute(verbs: Verb[]): Promise<Next> {
    for (const verb of verbs) {
      this.#checkRedirect();
      switch (verb.verb) {
        case 'Say':
        case 'Play':
        case 'Pause':
          await this.#prompt(verb);
          break;
        case 'Gather': {
          const result = await this.#runGather(verb);
          if (result) return { kind: 'fetch', url: verb.action, method: verb.method, params: result, redirect: false };
          break;
        }
        case 'Hangup':
          return { kind: 'end', end: { status: 'completed', reason: '<Hangup>' } };
        case 'Reject':
          return { kind: 'end', end: { status: 'busy', reason: `<Reject reason="${verb.reason}">` } };
        case 'Redirect':
          return { kind: 'fetch', url: verb.url, method: verb.method, params: {}, redirect: true };
        case 'Dial': {
          const params = await this.#runDial(verb);
          if (verb.action) return { kind: 'fetch', url: verb.action, method: verb.method, params, redirect: false };
          break;
        }
        case 'Sms': {
          const result = this.#deps.sms(verb);
          this.#note({ kind: 'sms', to: verb.to ?? this.#call.to, text: verb.text, status: result.status });
          if (verb.action) return { kind: 'fetch', url: verb.action, method: verb.method, params: { SmsSid: result.sid, SmsStatus: result.status }, redirect: false };
          break;
        }
      }
    }
    return { kind: 'end', end: { status: 'completed', reason: 'end of RCML document' } };
  }

  async #prompt(verb: GatherPrompt, until?: () => boolean): Promise<void> {
    const sid = this.#call.sid;
    if (verb.verb === 'Say') {
      // loop="0" means "until hang-up" on Twilio; here it is said once (time does not pass while speaking).
      for (let i = 0; i < Math.max(1, verb.loop); i++) {
        if (until?.()) return;
        this.#note({ kind: 'say', text: verb.text, voice: verb.voice, language: verb.language });
        this.#deps.toHandset({ type: 'call.say', callSid: sid, text: verb.text, voice: verb.voice, language: verb.language });
      }
    } else if (verb.verb === 'Play') {
      for (let i = 0; i < Math.max(1, verb.loop); i++) {
        if (until?.()) return;
        this.#note({ kind: 'play', url: verb.url });
        this.#deps.toHandset({ type: 'call.play', callSid: sid, url: verb.url });
      }
    } else {
      this.#note({ kind: 'pause', seconds: verb.lengthSeconds });
      this.#redirectsWithoutInput = 0;
      await this.#wait(verb.lengthSeconds * 1000, until);
    }
  }

  /** Resolves with the action's parameters when digits came in, or undefined to fall through. */
  async #runGather(verb: GatherVerb): Promise<Record<string, string> | undefined> {
    this.#redirectsWithoutInput = 0;
    let timer: { cancel(): void } | undefined;
    let outcome!: 'finished' | 'timeout' | 'hangup';
    const finished = new Promise<void>((resolve) => {
      const gather: ActiveGather = {
        verb,
        digits: '',
        finishedOnKey: false,
        done: false,
        resolve: (how) => {
          if (gather.done) return;
          gather.done = true;
          outcome = how;
          timer?.cancel();
          resolve();
        },
        rearm: () => {
          timer?.cancel();
          timer = this.#deps.clock.setTimeout(() => gather.resolve('timeout'), verb.timeoutSeconds * 1000);
        },
      };
      this.#gather = gather;
    });
    const gather = this.#gather!;
    try {
      for (const prompt of verb.prompts) {
        if (gather.done) break;
        await this.#prompt(prompt, () => gather.done);
      }
      if (!gather.done) {
        this.#deps.toHandset({ type: 'call.gather', callSid: this.#call.sid, numDigits: verb.numDigits ?? null, timeout: verb.timeoutSeconds, finishOnKey: verb.finishOnKey });
        gather.rearm();
      }
      await finished;
    } finally {
      timer?.cancel();
      this.#gather = undefined;
    }
    this.#checkRedirect();
    this.#note({ kind: 'gather', digits: gather.digits, outcome });
    if (gather.digits === '') return undefined;
    return { Digits: gather.digits, ...(gather.finishedOnKey ? { FinishedOnKey: verb.finishOnKey } : {}) };
  }

  async #runDial(verb: DialVerb): Promise<Record<string, string>> {
    this.#redirectsWithoutInput = 0;
    let last: DialResult | undefined;
    for (const number of verb.numbers) {
      last = await this.#deps.dial(verb, number, this.#interrupt.signal);
      this.#checkRedirect();
      this.#note({ kind: 'dial', number, callSid: last.callSid, status: last.status });
      if (last.status === 'completed') break;
    }
    if (!last) return {};
    return { DialCallSid: last.callSid, DialCallStatus: last.status, DialCallDuration: String(last.durationSeconds) };
  }

  /** Waits on the injected clock; a hang-up or a live redirect interrupts it. */
  #wait(ms: number, until?: () => boolean): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    const signal = this.#interrupt.signal;
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
        // A Pause inside a Gather ends early once the Gather has its digits.
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
    this.#call.transcript.push({ ...entry, at: this.#deps.clock.now() } as TranscriptEntry);
    this.#deps.transcribed?.();
  }
}
