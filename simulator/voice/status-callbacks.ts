import { API_VERSION, callDuration, rfc2822, type CallbackEvent, type CallRecord } from './call-record';
import type { WebhookClient, WebhookRequest } from './webhook-client';

/**
 * The parameters of every RCML fetch and action request about a call (Twilio's standard set), then `extra`.
 * Built by assignment, not spreads: a spread copy gets a hidden class of its own, slow to encode and sign.
 */
export function callParams(call: CallRecord, extra?: Record<string, string>): Record<string, string> {
  const params: Record<string, string> = {
    CallSid: call.sid,
    AccountSid: call.accountSid,
    From: call.from,
    To: call.to,
    Caller: call.from,
    Called: call.to,
    CallStatus: call.status,
    Direction: call.direction,
    ApiVersion: API_VERSION[call.flavour],
  };
  if (call.parentCallSid) params['ParentCallSid'] = call.parentCallSid;
  if (call.answeredBy !== null) params['AnsweredBy'] = call.answeredBy;
  if (extra) for (const name of Object.keys(extra)) params[name] = extra[name]!;
  return params;
}

/**
 * The `CallStatus` a status callback reports for an event. `initiated` is
 * reported as `initiated` by Twilio and Restcomm alike; Restcomm reports the
 * answer as `answered` where Twilio says `in-progress`.
 */
export function callbackStatus(call: CallRecord, event: CallbackEvent): string {
  if (event === 'initiated') return 'initiated';
  if (event === 'answered') return call.flavour === 'restcomm' ? 'answered' : 'in-progress';
  return call.status;
}

/** A status callback's parameters: the standard set plus CallDuration, Timestamp and SequenceNumber. */
export function statusCallbackParams(call: CallRecord, event: CallbackEvent, sequenceNumber: number, now: number): Record<string, string> {
  const params = callParams(call);
  params['CallStatus'] = callbackStatus(call, event);
  params['CallbackSource'] = 'call-progress-events';
  params['Timestamp'] = rfc2822(now) ?? '';
  params['SequenceNumber'] = String(sequenceNumber);
  if (call.endedAt !== null) {
    params['CallDuration'] = String(callDuration(call));
    params['Duration'] = String(Math.ceil(callDuration(call) / 60));
  }
  if (call.errorCode !== null) {
    params['ErrorCode'] = String(call.errorCode);
    params['ErrorMessage'] = call.errorMessage ?? '';
  }
  return params;
}

export interface CallbackOutcome {
  key: string;
  request: WebhookRequest;
  /** HTTP status, or the transport error. */
  result: number | Error;
}

/**
 * Sends webhooks (status callbacks of calls and messages) as their events
 * happen. As on Twilio, each is its own HTTP request, fired in the order of
 * its resource's events and never held back by a slow answer to an earlier
 * one: the next request of a key starts once the previous one has been
 * written to its connection (or has failed), not once it has been answered.
 * Arrival order is therefore the event order in practice, and SequenceNumber
 * tells for certain. Not retried, as Twilio does not.
 */
export class CallbackQueue {
  readonly #client: WebhookClient;
  readonly #onOutcome: (outcome: CallbackOutcome) => void;
  /** Per key: resolves once the latest request of that key is on the wire. */
  readonly #written = new Map<string, Promise<void>>();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(client: WebhookClient, onOutcome: (outcome: CallbackOutcome) => void = () => {}) {
    this.#client = client;
    this.#onOutcome = onOutcome;
  }

  enqueue(key: string, request: WebhookRequest): void {
    const previous = this.#written.get(key) ?? Promise.resolve();
    let markWritten!: () => void;
    const written = new Promise<void>((resolve) => { markWritten = resolve; });
    this.#written.set(key, written);
    const done = previous.then(async () => {
      let result: number | Error;
      try {
        result = (await this.#client.send(request, { onWritten: markWritten })).status;
      } catch (error) {
        result = error as Error;
      }
      markWritten();
      this.#onOutcome({ key, request, result });
    });
    this.#inFlight.add(done);
    void done.then(() => {
      this.#inFlight.delete(done);
      if (this.#written.get(key) === written) this.#written.delete(key);
    });
  }

  /** Resolves once everything queued so far has been answered or has failed. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }
}
