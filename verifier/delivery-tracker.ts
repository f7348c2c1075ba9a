import type { Logger } from 'pino';
import type { Clock } from '../gateway/clock';
import type { DeliveryReport, Gateway } from '../gateway/gateway';
import type { OutboxRow } from '../gateway/outbox';
import type { VerificationEvents } from './events/verification-events';
import type { Attempt, AttemptChanges, ChangedAttempt } from './store/attempt-repository';
import type { VerifierStorage } from './store/storage';
import type { Verification } from './store/verification-repository';

/** What the voice network can do for the engine: cancel a ringing flash call. */
export interface CallCanceller {
  cancelCall(callSid: string): Promise<unknown>;
}

export interface DeliveryTrackerDeps {
  storage: VerifierStorage;
  gateway: Gateway;
  clock: Clock;
  events: VerificationEvents;
  calls?: CallCanceller;
  logger?: Logger;
}

/**
 * The delivery status of every send attempt: from the gateway (sent, SMPP
 * receipts, failed, expired) and from the voice network's and REST SMS API's
 * status callbacks. A flash call is hung up as soon as it rang. Each change is
 * one statement that returns the attempt as changed, for its event.
 */
export class DeliveryTracker {
  readonly #deps: DeliveryTrackerDeps;

  constructor(deps: DeliveryTrackerDeps) {
    this.#deps = deps;
    const { gateway } = deps;
    gateway.on('sent', (row, result) => {
      const callSid = typeof result['callSid'] === 'string' ? result['callSid'] : undefined;
      this.#track(this.#byOutbox(row, { deliveryStatus: callSid ? 'initiated' : 'sent', callSid }));
    });
    gateway.on('delivery', (report) => {
      const status = deliveryStatusOf(report);
      if (status) this.#track(this.#byOutbox({ id: report.outboxId }, { deliveryStatus: status }));
    });
    gateway.on('failed', (row, error) => this.#track(this.#byOutbox(row, { deliveryStatus: 'failed', error: error.message })));
    gateway.on('expired', (row, reason) => this.#track(this.#byOutbox(row, { deliveryStatus: 'failed', error: reason })));
  }

  /** A call status callback for one attempt (CallStatus as the voice network reports it). */
  async onCallStatus(attempt: Attempt, callSid: string | undefined, status: string): Promise<void> {
    await this.#changed(await this.#deps.storage.attempts.update(attempt.sid, { deliveryStatus: status, callSid }, this.#deps.clock.now()));
    // A flash call has done its job once it rings: the caller ID is the code.
    if (attempt.channel === 'flashcall' && status === 'ringing' && callSid) void this.#cancelCall(callSid);
  }

  /** A REST SMS status callback (MessageStatus as Twilio names it) for one attempt. */
  async onSmsStatus(attempt: Attempt, status: string): Promise<void> {
    const deliveryStatus = status === 'undelivered' || status === 'failed' ? 'undelivered' : status;
    await this.#changed(await this.#deps.storage.attempts.update(attempt.sid, { deliveryStatus }, this.#deps.clock.now()));
  }

  /** Cancels the flash calls of `verification` that may still ring. */
  hangUpFlashCalls(verification: Verification): void {
    if (!this.#deps.calls) return;
    this.#track((async () => {
      for (const attempt of await this.#deps.storage.attempts.of(verification.sid)) {
        if (attempt.channel === 'flashcall' && attempt.callSid && ['queued', 'initiated', 'ringing'].includes(attempt.deliveryStatus)) void this.#cancelCall(attempt.callSid);
      }
    })());
  }

  async #cancelCall(callSid: string): Promise<void> {
    try {
      await this.#deps.calls?.cancelCall(callSid);
    } catch (error) {
      this.#deps.logger?.debug({ callSid, error: (error as Error).message }, 'flash call already over');
    }
  }

  async #byOutbox(row: Pick<OutboxRow, 'id'>, changes: AttemptChanges): Promise<void> {
    await this.#changed(await this.#deps.storage.attempts.updateByOutbox(row.id, changes, this.#deps.clock.now()));
  }

  async #changed(attempt: ChangedAttempt | undefined): Promise<void> {
    if (attempt) await this.#deps.events.attemptDelivery(attempt);
  }

  /** Gateway events are not awaited: a failure is logged, never left unhandled. */
  #track(work: Promise<void>): void {
    work.catch((error: Error) => this.#deps.logger?.warn({ error: error.message }, 'could not record a delivery status'));
  }
}

/** An SMS is delivered when every part is; undelivered when a part ended otherwise; undefined while parts are pending. */
function deliveryStatusOf(report: DeliveryReport): string | undefined {
  const states = report.parts.map((p) => p.delivery);
  if (states.every((s) => s === 'delivered')) return 'delivered';
  return states.some((s) => s !== 'delivered' && s !== 'pending') ? 'undelivered' : undefined;
}
