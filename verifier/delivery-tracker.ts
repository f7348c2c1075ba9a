import type { Logger } from 'pino';
import type { Clock } from '../gateway/clock';
import type { DeliveryReport, Gateway } from '../gateway/gateway';
import type { OutboxRow } from '../gateway/outbox';
import type { VerificationEvents } from './events/verification-events';
import type { Attempt, Verification, VerifyStore } from './store/verify-store';

/** What the voice network can do for the engine: cancel a ringing flash call. */
export interface CallCanceller {
  cancelCall(callSid: string): Promise<unknown>;
}

export interface DeliveryTrackerDeps {
  store: VerifyStore;
  gateway: Gateway;
  clock: Clock;
  events: VerificationEvents;
  calls?: CallCanceller;
  logger?: Logger;
}

/**
 * The delivery status of every send attempt: from the gateway (sent, SMPP
 * receipts, failed, expired) and from the voice network's and REST SMS API's
 * status callbacks. A flash call is hung up as soon as it rang.
 */
export class DeliveryTracker {
  readonly #deps: DeliveryTrackerDeps;

  constructor(deps: DeliveryTrackerDeps) {
    this.#deps = deps;
    const { gateway } = deps;
    gateway.on('sent', (row, result) => this.#onSent(row, result));
    gateway.on('delivery', (report) => this.#onDelivery(report));
    gateway.on('failed', (row, error) => this.#attemptFailed(row, error.message));
    gateway.on('expired', (row, reason) => this.#attemptFailed(row, reason));
  }

  /** A call status callback for one attempt (CallStatus as the voice network reports it). */
  onCallStatus(attempt: Attempt, callSid: string | undefined, status: string): void {
    this.#update(attempt.sid, { deliveryStatus: status, callSid });
    // A flash call has done its job once it rings: the caller ID is the code.
    if (attempt.channel === 'flashcall' && status === 'ringing' && callSid) void this.#cancelCall(callSid);
  }

  /** A REST SMS status callback (MessageStatus as Twilio names it) for one attempt. */
  onSmsStatus(attempt: Attempt, status: string): void {
    this.#update(attempt.sid, { deliveryStatus: status === 'undelivered' || status === 'failed' ? 'undelivered' : status });
  }

  /** Cancels the flash calls of `verification` that may still ring. */
  hangUpFlashCalls(verification: Verification): void {
    for (const attempt of this.#deps.store.attemptsOf(verification.sid)) {
      if (attempt.channel === 'flashcall' && attempt.callSid && ['queued', 'initiated', 'ringing'].includes(attempt.deliveryStatus)) void this.#cancelCall(attempt.callSid);
    }
  }

  async #cancelCall(callSid: string): Promise<void> {
    try {
      await this.#deps.calls?.cancelCall(callSid);
    } catch (error) {
      this.#deps.logger?.debug({ callSid, error: (error as Error).message }, 'flash call already over');
    }
  }

  #onSent(row: OutboxRow, result: Record<string, unknown>): void {
    const attempt = this.#deps.store.attemptByOutbox(row.id);
    if (!attempt) return;
    const callSid = typeof result['callSid'] === 'string' ? result['callSid'] : undefined;
    this.#update(attempt.sid, { deliveryStatus: callSid ? 'initiated' : 'sent', callSid });
  }

  #onDelivery(report: DeliveryReport): void {
    const attempt = this.#deps.store.attemptByOutbox(report.outboxId);
    if (!attempt) return;
    const states = report.parts.map((p) => p.delivery);
    const status = states.every((s) => s === 'delivered') ? 'delivered' : states.some((s) => s !== 'delivered' && s !== 'pending') ? 'undelivered' : undefined;
    if (status) this.#update(attempt.sid, { deliveryStatus: status });
  }

  #attemptFailed(row: OutboxRow, reason: string): void {
    const attempt = this.#deps.store.attemptByOutbox(row.id);
    if (attempt) this.#update(attempt.sid, { deliveryStatus: 'failed', error: reason });
  }

  #update(attemptSid: string, changes: { deliveryStatus: string; callSid?: string; error?: string }): void {
    this.#deps.store.updateAttempt(attemptSid, changes, this.#deps.clock.now());
    this.#deps.events.attemptDelivery(attemptSid, changes.deliveryStatus);
  }
}
