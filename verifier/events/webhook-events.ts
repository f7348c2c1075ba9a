import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { WebhookRepository } from '../store/webhook-repository';
import type { StatusCallbacks, VerifyEventType } from './status-callbacks';

/**
 * Fans a service's Verify events out to its Webhooks (Services/{VA}/Webhooks) subscribed to the event's
 * type or to `*`: form-encoded, signed with X-Twilio-Signature, retried with backoff (StatusCallbacks).
 */
export class WebhookEvents {
  constructor(private readonly webhooks: WebhookRepository, private readonly callbacks: StatusCallbacks, private readonly logger?: Logger) {}

  /** Looks the subscribers up and queues one callback each; never throws (a failed lookup is logged), so the caller need not wait. */
  emit(serviceSid: string, type: VerifyEventType, params: Record<string, string>): void {
    this.webhooks.subscribers(serviceSid, type).then((hooks) => {
      for (const hook of hooks) this.callbacks.send({ type, url: hook.webhookUrl, params: { uuid: randomUUID(), type, ...params } });
    }).catch((error: unknown) => this.logger?.error({ err: error, serviceSid, type }, 'could not look up the webhooks of an event'));
  }
}
