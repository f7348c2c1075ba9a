import type { Service, Verification, VerifyStore } from '../store/verify-store';
import type { StatusCallbacks, VerifyEventType } from './status-callbacks';
import type { WebhookEvents } from './webhook-events';

/**
 * Verification and delivery events for a service's StatusCallback and its subscribed Webhooks: what the
 * state machine and the delivery tracker report, shaped as Twilio-style form parameters. Never carries
 * a code.
 */
export class VerificationEvents {
  constructor(private readonly store: VerifyStore, private readonly callbacks: StatusCallbacks, private readonly webhooks?: WebhookEvents) {}

  /** An event about `verification`, for a service already at hand. */
  emit(service: Service, verification: Verification, type: VerifyEventType, extra: Record<string, string> = {}): void {
    const params = {
      AccountSid: service.accountSid,
      ServiceSid: service.sid,
      VerificationSid: verification.sid,
      To: verification.to,
      Channel: verification.channel,
      Status: verification.status,
      ...extra,
    };
    if (service.statusCallback) this.callbacks.send({ type, url: service.statusCallback, params });
    this.webhooks?.emit(service.sid, type, params);
  }

  /** An event about `verification`, its service looked up. */
  emitFor(verification: Verification, type: VerifyEventType): void {
    const service = this.store.service(verification.accountSid, verification.serviceSid);
    if (service) this.emit(service, verification, type);
  }

  /** The delivery status of one send attempt changed. */
  attemptDelivery(attemptSid: string, deliveryStatus: string): void {
    const attempt = this.store.attempt(attemptSid);
    const verification = attempt && this.store.verificationBySid(attempt.verificationSid);
    const service = verification && this.store.service(verification.accountSid, verification.serviceSid);
    if (!attempt || !verification || !service) return;
    this.emit(service, verification, 'attempt.delivery', { AttemptSid: attempt.sid, AttemptChannel: attempt.channel, DeliveryStatus: deliveryStatus });
  }
}
