import { API_VERSION, callDuration, rfc2822, type CallRecord } from './call-record';
import type { WebhookClient, WebhookRequest } from './webhook-client';

/** The parameters of every RCML fetch and action request about a call (Twilio's standard set). */
export function callParams(call: CallRecord): Record<string, string> {
  return {
    CallSid: call.sid,
    AccountSid: call.accountSid,
    From: call.from,
    To: call.to,
    Caller: call.from,
    Called: call.to,
    CallStatus: call.status,
    Direction: call.direction,
    ApiVersion: API_VERSION[call.flavour],
    ...(call.parentCallSid ? { ParentCallSid: call.parentCallSid } : {}),
  };
}

/** A status callback's parameters: the standard set plus CallDuration, Timestamp and SequenceNumber. */
export function statusCallbackParams(call: CallRecord, sequenceNumber: number, now: number): Record<string, string> {
  const params: Record<string, string> = {
    ...callParams(call),
    CallbackSource: 'call-progress-events',
    Timestamp: rfc2822(now) ?? '',
    SequenceNumber: String(sequenceNumber),
  };
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
 * Sends webhooks one after another per key (a call or a message SID), so that
 * an app server sees each resource's events in the order they happened, while
 * different resources do not wait on each other. Not retried, as Twilio does not.
 */
export class CallbackQueue {
  readonly #client: WebhookClient;
  readonly #onOutcome: (outcome: CallbackOutcome) => void;
  readonly #chains = new Map<string, Promise<void>>();

  constructor(client: WebhookClient, onOutcome: (outcome: CallbackOutcome) => void = () => {}) {
    this.#client = client;
    this.#onOutcome = onOutcome;
  }

  enqueue(key: string, request: WebhookRequest): void {
    const previous = this.#chains.get(key) ?? Promise.resolve();
    const next = previous.then(async () => {
      let result: number | Error;
      try {
        result = (await this.#client.send(request)).status;
      } catch (error) {
        result = error as Error;
      }
      this.#onOutcome({ key, request, result });
    });
    this.#chains.set(key, next);
    void next.then(() => {
      if (this.#chains.get(key) === next) this.#chains.delete(key);
    });
  }

  /** Resolves once everything queued so far has been sent or has failed. */
  async drain(): Promise<void> {
    while (this.#chains.size > 0) await Promise.all([...this.#chains.values()]);
  }
}
