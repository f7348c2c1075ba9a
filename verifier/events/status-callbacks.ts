import { request } from 'undici';
import type { Logger } from 'pino';
import type { Clock } from '../../gateway/clock';
import { backoffDelay } from '../../gateway/retry/backoff';
import { twilioSignature } from '../../gateway/webhooks/twilio-signature';
import { redactSecrets } from '../../gateway/logging/redact';

export type VerifyEventType =
  | 'verification.pending'
  | 'verification.approved'
  | 'verification.canceled'
  | 'verification.expired'
  | 'verification.max-attempts-reached'
  | 'attempt.delivery'
  | WebhookEventType;

/** The TOTP events a service's Webhooks can subscribe to, as Twilio names them. */
export type WebhookEventType = 'factor.created' | 'factor.verified' | 'factor.deleted' | 'challenge.approved' | 'challenge.expired';

export interface VerifyEvent {
  type: VerifyEventType;
  url: string;
  params: Record<string, string>;
}

const MAX_TRIES = 5;

/**
 * Posts events to a service's StatusCallback (our extension): form-encoded,
 * signed with X-Twilio-Signature under the account's auth token, retried with
 * backoff on network errors and 5xx. Never carries a code.
 */
export class StatusCallbacks {
  #pending = 0;

  constructor(private readonly authToken: string, private readonly clock: Clock, private readonly logger?: Logger) {}

  get pending(): number {
    return this.#pending;
  }

  send(event: VerifyEvent): void {
    const params = { EventType: event.type, Timestamp: new Date(this.clock.now()).toISOString(), ...event.params };
    this.#pending++;
    void this.#deliver(event.url, params, 0);
  }

  async #deliver(url: string, params: Record<string, string>, attempt: number): Promise<void> {
    let retry = false;
    try {
      const response = await request(url, {
        method: 'POST',
        body: new URLSearchParams(params).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(this.authToken, url, params) },
        headersTimeout: 5_000,
        bodyTimeout: 5_000,
      });
      await response.body.dump();
      retry = response.statusCode >= 500;
    } catch {
      retry = true;
    }
    if (retry && attempt + 1 < MAX_TRIES) {
      this.clock.setTimeout(() => void this.#deliver(url, params, attempt + 1), backoffDelay(attempt, { initialMs: 1_000, maxMs: 30_000, jitter: 0.2 }));
      return;
    }
    if (retry) this.logger?.warn({ url: redactSecrets(url), eventType: params['EventType'] }, 'status callback gave up after retries');
    this.#pending--;
  }
}
