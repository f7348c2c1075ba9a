import { randomUUID } from 'node:crypto';
import type { WebhookStore } from '../store/webhook-store';
import type { StatusCallbacks, VerifyEventType } from './status-callbacks';

/**
 * Fans a service's Verify events out to its Webhooks (Services/{VA}/Webhooks) subscribed to the event's
 * type or to `*`: form-encoded, signed with X-Twilio-Signature, retried with backoff (StatusCallbacks).
 */
export class WebhookEvents {
  constructor(private readonly store: WebhookStore, private readonly callbacks: StatusCallbacks) {}

  emit(serviceSid: string, type: VerifyEventType, params: Record<string, string>): void {
    for (const hook of this.store.subscribers(serviceSid, type)) {
      this.callbacks.send({ type, url: hook.webhookUrl, params: { uuid: randomUUID(), type, ...params } });
    }
  }
}
