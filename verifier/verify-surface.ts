import type { Logger } from 'pino';
import type { StatusCallbacks } from './events/status-callbacks';
import { WebhookEvents } from './events/webhook-events';
import type { VerifierStorage } from './store/storage';

/**
 * The Verify v2 resources beyond services, verifications and checks (docs/verify-api.md's table): API
 * keys, rate limits, attempts, the safe list, messaging configurations, webhooks and TOTP, each a
 * repository of the verifier's storage; `storage` runs what must commit together.
 */
export interface VerifySurface {
  storage: VerifierStorage;
  keys: VerifierStorage['apiKeys'];
  rateLimits: VerifierStorage['rateLimits'];
  attempts: VerifierStorage['attemptReports'];
  safeList: VerifierStorage['safeList'];
  messagingConfigurations: VerifierStorage['messagingConfigurations'];
  webhooks: VerifierStorage['webhooks'];
  webhookEvents: WebhookEvents;
  totp: VerifierStorage['totp'];
}

export function buildVerifySurface(storage: VerifierStorage, callbacks: StatusCallbacks, logger?: Logger): VerifySurface {
  return {
    storage,
    keys: storage.apiKeys,
    rateLimits: storage.rateLimits,
    attempts: storage.attemptReports,
    safeList: storage.safeList,
    messagingConfigurations: storage.messagingConfigurations,
    webhooks: storage.webhooks,
    webhookEvents: new WebhookEvents(storage.webhooks, callbacks, logger),
    totp: storage.totp,
  };
}
