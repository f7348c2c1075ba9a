import type { SqliteDatabase } from '../gateway/storage/sqlite';
import type { StatusCallbacks } from './events/status-callbacks';
import { WebhookEvents } from './events/webhook-events';
import { ApiKeyStore } from './store/api-key-store';
import { AttemptReportStore } from './store/attempt-report-store';
import { MessagingConfigurationStore } from './store/messaging-configuration-store';
import { RateLimitStore } from './store/rate-limit-store';
import { SafeListStore } from './store/safe-list-store';
import { TotpStore } from './store/totp-store';
import { WebhookStore } from './store/webhook-store';

/**
 * The Verify v2 resources beyond services, verifications and checks (docs/verify-api.md's table): API
 * keys, rate limits, attempts, the safe list, messaging configurations, webhooks and TOTP. Built on the
 * verifier's database after its migrations ran (VerifyStore runs them).
 */
export interface VerifySurface {
  keys: ApiKeyStore;
  rateLimits: RateLimitStore;
  attempts: AttemptReportStore;
  safeList: SafeListStore;
  messagingConfigurations: MessagingConfigurationStore;
  webhooks: WebhookStore;
  webhookEvents: WebhookEvents;
  totp: TotpStore;
}

export function buildVerifySurface(db: SqliteDatabase, callbacks: StatusCallbacks): VerifySurface {
  const webhooks = new WebhookStore(db);
  return {
    keys: new ApiKeyStore(db),
    rateLimits: new RateLimitStore(db),
    attempts: new AttemptReportStore(db),
    safeList: new SafeListStore(db),
    messagingConfigurations: new MessagingConfigurationStore(db),
    webhooks,
    webhookEvents: new WebhookEvents(webhooks, callbacks),
    totp: new TotpStore(db),
  };
}
