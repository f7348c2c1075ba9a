import { assetPath } from '../../../gateway/assets';
import { migrateOutbox, SqliteOutbox } from '../../../gateway/outbox/sqlite-outbox';
import { closeDatabase, migrate, openDatabase, openReader, optimizeOnOpen, type SqliteDatabase } from '../../../gateway/storage/sqlite';
import { gated, gatedOutside, SqliteGate, type SqliteRun } from '../../../gateway/storage/sqlite-gate';
import type { VerifierStorage } from '../storage';
import { SqliteApiKeyRepository } from './api-key-repository';
import { SqliteAttemptReportRepository } from './attempt-report-repository';
import { SqliteAttemptRepository } from './attempt-repository';
import { SqliteFraudRepository } from './fraud-repository';
import { SqliteMessagingConfigurationRepository } from './messaging-configuration-repository';
import { SqlitePageHitRepository } from './page-hit-repository';
import { SqliteRateLimitRepository } from './rate-limit-repository';
import { SqliteSafeListRepository } from './safe-list-repository';
import { SqliteSecretRepository } from './secret-repository';
import { SqliteServiceRepository } from './service-repository';
import { SqliteSessionKeyRepository } from './session-key-repository';
import { SqliteTotpRepository } from './totp-repository';
import { SqliteVerificationRepository } from './verification-repository';
import { SqliteWebhookRepository } from './webhook-repository';

type Repositories = Omit<VerifierStorage, 'transaction' | 'lock' | 'close'>;

function repositories(db: SqliteDatabase): Repositories {
  return {
    services: new SqliteServiceRepository(db),
    verifications: new SqliteVerificationRepository(db),
    attempts: new SqliteAttemptRepository(db),
    fraud: new SqliteFraudRepository(db),
    secrets: new SqliteSecretRepository(db),
    outbox: new SqliteOutbox(db),
    apiKeys: new SqliteApiKeyRepository(db),
    rateLimits: new SqliteRateLimitRepository(db),
    attemptReports: new SqliteAttemptReportRepository(db),
    safeList: new SqliteSafeListRepository(db),
    messagingConfigurations: new SqliteMessagingConfigurationRepository(db),
    webhooks: new SqliteWebhookRepository(db),
    totp: new SqliteTotpRepository(db),
    sessionKeys: new SqliteSessionKeyRepository(db),
    pageHits: new SqlitePageHitRepository(db),
  };
}

function gatedAll(repos: Repositories, run: SqliteRun): Repositories {
  return Object.fromEntries(Object.entries(repos).map(([name, repository]) => [name, gated(repository as object, run)])) as unknown as Repositories;
}

/** On SQLite a transaction already holds the only write lock (BEGIN IMMEDIATE): there is nothing more to take. */
const lock = async (): Promise<void> => undefined;

/**
 * The verifier's storage in one SQLite file (or `:memory:`), WAL mode, migrations applied (the
 * verifier's and the outbox's). One connection writes: transactions are serialised by a SqliteGate; a
 * call made outside a transaction never joins one (it reads from a second connection, or writes in a
 * transaction of its own; with `:memory:` it waits while one is open).
 */
export function openSqliteStorage(file: string): VerifierStorage {
  const db = openDatabase(file);
  try {
    migrate(db, 'verifier', assetPath('verifier/store/migrations'));
    migrateOutbox(db);
    optimizeOnOpen(db);
  } catch (error) {
    db.close();
    throw error;
  }
  const gate = new SqliteGate(db);
  const raw = repositories(db);
  const tx: VerifierStorage = {
    ...gatedAll(raw, gate.inside),
    transaction: (work) => work(tx),
    lock,
    close: () => Promise.reject(new Error('close the storage, not one of its transactions')),
  };
  // Outside a transaction: reads from a second connection, writes as transactions of their own (see gatedOutside).
  const reader = openReader(file);
  const onReader = reader && repositories(reader);
  const outside = onReader
    ? Object.fromEntries(Object.entries(raw).map(([name, repository]) => [name, gatedOutside(repository as object, onReader[name as keyof Repositories] as object, gate)])) as unknown as Repositories
    : gatedAll(raw, gate.outside);
  return {
    ...outside,
    transaction: (work) => gate.transaction(() => work(tx)),
    lock,
    async close() {
      await gate.idle();
      reader?.close();
      closeDatabase(db);
    },
  };
}
