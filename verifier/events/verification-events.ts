import type { ChangedAttempt } from '../store/attempt-repository';
import type { Service } from '../store/service-repository';
import type { VerifierStorage } from '../store/storage';
import type { Verification } from '../store/verification-repository';
import type { StatusCallbacks, VerifyEventType } from './status-callbacks';
import type { WebhookEvents } from './webhook-events';

/**
 * Verification and delivery events for a service's StatusCallback and its subscribed Webhooks: what the
 * state machine and the delivery tracker report, shaped as Twilio-style form parameters. Never carries
 * a code. Events go out after the change they report committed.
 */
export class VerificationEvents {
  constructor(
    private readonly storage: Pick<VerifierStorage, 'verifications'>,
    private readonly callbacks: StatusCallbacks,
    private readonly webhooks?: WebhookEvents,
  ) {}

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
    // A service read without Webhooks has no subscriber to look up.
    if (service.hasWebhooks !== false) this.webhooks?.emit(service.sid, type, params);
  }

  /** An event about `verification`, its service looked up (with the verification, in one read). */
  emitFor(verification: Verification, type: VerifyEventType): void {
    void this.storage.verifications.withService(verification.sid).then(
      (found) => found && this.emit(found.service, verification, type),
      () => undefined,
    );
  }

  /** The delivery status of one send attempt changed (`attempt` as changed): read back only when someone listens. */
  async attemptDelivery(attempt: ChangedAttempt): Promise<void> {
    if (!attempt.serviceListens) return;
    const found = await this.storage.verifications.withService(attempt.verificationSid);
    if (!found) return;
    this.emit(found.service, found.verification, 'attempt.delivery', { AttemptSid: attempt.sid, AttemptChannel: attempt.channel, DeliveryStatus: attempt.deliveryStatus });
  }
}
