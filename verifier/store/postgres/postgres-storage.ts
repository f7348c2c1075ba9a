import { OUTBOX_CHANNEL, PostgresOutboxRepository } from '../../../gateway/outbox/postgres-outbox';
import { listen, openPool, query, transaction, type PgListener, type PgPool, type PgQueryable } from '../../../gateway/storage/postgres';
import type { VerifierStorage } from '../storage';
import { PostgresApiKeyRepository } from './api-key-repository';
import { PostgresAttemptReportRepository } from './attempt-report-repository';
import { PostgresAttemptRepository } from './attempt-repository';
import { PostgresFraudRepository } from './fraud-repository';
import { PostgresMessagingConfigurationRepository } from './messaging-configuration-repository';
import { PostgresPageHitRepository } from './page-hit-repository';
import { PostgresRateLimitRepository } from './rate-limit-repository';
import { PostgresSafeListRepository } from './safe-list-repository';
import { migrateVerigate } from './schema';
import { PostgresSecretRepository } from './secret-repository';
import { PostgresServiceRepository } from './service-repository';
import { PostgresSessionKeyRepository } from './session-key-repository';
import { PostgresTotpRepository } from './totp-repository';
import { PostgresVerificationRepository } from './verification-repository';
import { PostgresWebhookRepository } from './webhook-repository';

export interface PostgresStorageOptions {
  /** Connections in this instance's pool (default 10). */
  poolSize?: number;
  /** Connections of the outbox's own pool, which the dispatcher claims, records sends and renews leases on (default 3). */
  outboxPoolSize?: number;
  /** Told when the outbox's LISTEN connection drops (it reconnects by itself). */
  onListenError?: (error: Error) => void;
}

/** The repositories of one database view: the pool (each call on any free connection) or one transaction's connection. */
abstract class PostgresRepositories {
  readonly services;
  readonly verifications;
  readonly attempts;
  readonly fraud;
  readonly secrets;
  readonly outbox;
  readonly apiKeys;
  readonly rateLimits;
  readonly attemptReports;
  readonly safeList;
  readonly messagingConfigurations;
  readonly webhooks;
  readonly totp;
  readonly sessionKeys;
  readonly pageHits;

  /** `outboxDb`: where the outbox runs, when not on `db` (the storage's own pool for the dispatcher). */
  constructor(db: PgQueryable, watch?: (wake: () => void) => () => void, outboxDb: PgQueryable = db) {
    this.services = new PostgresServiceRepository(db);
    this.verifications = new PostgresVerificationRepository(db);
    this.attempts = new PostgresAttemptRepository(db);
    this.fraud = new PostgresFraudRepository(db);
    this.secrets = new PostgresSecretRepository(db);
    this.outbox = new PostgresOutboxRepository(outboxDb, watch);
    this.apiKeys = new PostgresApiKeyRepository(db);
    this.rateLimits = new PostgresRateLimitRepository(db);
    this.attemptReports = new PostgresAttemptReportRepository(db);
    this.safeList = new PostgresSafeListRepository(db);
    this.messagingConfigurations = new PostgresMessagingConfigurationRepository(db);
    this.webhooks = new PostgresWebhookRepository(db);
    this.totp = new PostgresTotpRepository(db);
    this.sessionKeys = new PostgresSessionKeyRepository(db);
    this.pageHits = new PostgresPageHitRepository(db);
  }
}

/** One transaction's view: its repositories run on the transaction's connection. */
class PostgresTransaction extends PostgresRepositories implements VerifierStorage {
  readonly #client: PgQueryable;

  constructor(client: PgQueryable) {
    super(client);
    this.#client = client;
  }

  /** Nested units of work run inside the enclosing transaction. */
  transaction<T>(work: (tx: VerifierStorage) => Promise<T>): Promise<T> {
    return work(this);
  }

  /** Held until the transaction ends; two instances locking one key run one after the other. */
  async lock(key: string): Promise<void> {
    await query(this.#client, 'SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
  }

  async close(): Promise<void> {
    throw new Error('close the storage, not a transaction');
  }
}

/**
 * The verifier's storage on PostgreSQL, shared by every instance on one database: a pool of connections,
 * named prepared statements, one transaction per unit of work, advisory locks for read-then-write limits,
 * and one LISTEN connection that wakes this instance's dispatchers when any instance enqueues.
 *
 * The outbox outside a transaction (the dispatcher's claims, sends, lease renewals and receipts) has a small
 * pool of its own: in a burst of requests the main pool's queue can grow longer than a lease, and a renewal
 * waiting in it would let the instance's live leases run out (another instance then sends those rows again)
 * while nothing is sent until the burst is over. A row is still enqueued in its verification's transaction.
 */
export class PostgresStorage extends PostgresRepositories implements VerifierStorage {
  readonly #pool: PgPool;
  readonly #outboxPool: PgPool;
  readonly #url: string;
  readonly #options: PostgresStorageOptions;
  readonly #wakers = new Set<() => void>();
  #listener: PgListener | undefined;

  /** Connects to `url`, brings the schema up to date (safe when several instances start at once) and opens the pool. */
  static async open(url: string, options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
    const pool = openPool(url, { max: options.poolSize });
    try {
      await migrateVerigate(pool);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresStorage(pool, openPool(url, { max: options.outboxPoolSize ?? 3, applicationName: 'verigate-outbox' }), url, options);
  }

  private constructor(pool: PgPool, outboxPool: PgPool, url: string, options: PostgresStorageOptions) {
    super(pool, (wake) => this.#watch(wake), outboxPool);
    this.#pool = pool;
    this.#outboxPool = outboxPool;
    this.#url = url;
    this.#options = options;
  }

  transaction<T>(work: (tx: VerifierStorage) => Promise<T>): Promise<T> {
    return transaction(this.#pool, (client) => work(new PostgresTransaction(client)));
  }

  /** Outside a transaction there is nothing to hold a lock until. */
  async lock(): Promise<void> {}

  async close(): Promise<void> {
    this.#wakers.clear();
    await this.#listener?.close();
    this.#listener = undefined;
    // end() waits for connections checked out by open transactions to come back.
    await Promise.all([this.#pool.end(), this.#outboxPool.end()]);
  }

  /** Wakes `wake` on every NOTIFY, and once as soon as the LISTEN is in place (at once if it already is). */
  #watch(wake: () => void): () => void {
    this.#wakers.add(wake);
    if (this.#listener?.listening) queueMicrotask(wake);
    this.#listener ??= listen(this.#url, OUTBOX_CHANNEL, () => {
      for (const waker of this.#wakers) waker();
    }, this.#options.onListenError);
    return () => this.#wakers.delete(wake);
  }
}
