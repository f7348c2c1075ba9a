import type { OutboxRepository } from '../../gateway/outbox/outbox-repository';
import type { ApiKeyRepository } from './api-key-repository';
import type { AttemptReportRepository } from './attempt-report-repository';
import type { AttemptRepository } from './attempt-repository';
import type { FraudRepository } from './fraud-repository';
import type { MessagingConfigurationRepository } from './messaging-configuration-repository';
import type { PageHitRepository } from './page-hit-repository';
import type { RateLimitRepository } from './rate-limit-repository';
import type { SafeListRepository } from './safe-list-repository';
import type { SecretRepository } from './secret-repository';
import type { ServiceRepository } from './service-repository';
import type { SessionKeyRepository } from './session-key-repository';
import type { TotpRepository } from './totp-repository';
import type { VerificationRepository } from './verification-repository';
import type { WebhookRepository } from './webhook-repository';

/**
 * The verifier's storage seam (docs/architecture.md, "Storage"): one async repository per aggregate,
 * and the unit of work that makes several of them commit together. Implementations: SQLite
 * (verifier/store/sqlite/, the embedded default) and PostgreSQL (verifier/store/postgres/). Nothing
 * outside those folders, gateway/storage/ and the outbox implementations sees a driver or SQL.
 */
export interface VerifierStorage {
  readonly services: ServiceRepository;
  readonly verifications: VerificationRepository;
  readonly attempts: AttemptRepository;
  readonly fraud: FraudRepository;
  readonly secrets: SecretRepository;
  /** The gateway's outbox, in the same database so that a row commits with the record that caused it. */
  readonly outbox: OutboxRepository;

  // The Verify surface's repositories.
  readonly apiKeys: ApiKeyRepository;
  /** Programmable rate limits, their buckets and counters. */
  readonly rateLimits: RateLimitRepository;
  /** Read-only reports over attempts and verifications (Verify's Attempts resource). */
  readonly attemptReports: AttemptReportRepository;
  readonly safeList: SafeListRepository;
  readonly messagingConfigurations: MessagingConfigurationRepository;
  readonly webhooks: WebhookRepository;
  readonly totp: TotpRepository;
  /** The keys that sign session tokens, sealed under the code key. */
  readonly sessionKeys: SessionKeyRepository;
  /** The hosted pages' rate windows. */
  readonly pageHits: PageHitRepository;

  /**
   * Runs `work` in one transaction with `tx`, a view of this storage whose repositories run in it:
   * everything `work` did through `tx` commits together when it resolves, or nothing does when it
   * throws (the error is rethrown). Use `tx`, never this storage, inside `work`: calls made on this
   * storage while a transaction is open never join it (on SQLite they wait for it to end). Nested
   * `tx.transaction` calls run inside the enclosing one.
   */
  transaction<T>(work: (tx: VerifierStorage) => Promise<T>): Promise<T>;
  /**
   * Serialises flows that read and then write a limit (a start: pending lookup, per-number and
   * per-service counts, insert): inside a transaction, waits until no other transaction holds `key`
   * and holds it until commit. PostgreSQL takes `pg_advisory_xact_lock(hashtext(key))`; SQLite does
   * nothing (BEGIN IMMEDIATE already serialises writers). Outside a transaction it does nothing.
   */
  lock(key: string): Promise<void>;
  /** Closes the connection(s); waits for an open transaction to end first. */
  close(): Promise<void>;
}

/** How to open storage (verifier/store/open-storage.ts): a SQLite file (or `:memory:`), or a PostgreSQL URL. */
export type StorageLocation = { dataFile: string; databaseUrl?: undefined } | { databaseUrl: string; dataFile?: undefined };
