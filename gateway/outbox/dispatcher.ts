import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type Timer } from '../clock';
import { backoffDelay, type BackoffPolicy } from '../retry/backoff';
import { isDeadLocalInstance, markAlive, newInstanceId } from './instance-id';
import type { OutboxRepository, OutboxRow, PartDelivery } from './outbox-repository';

export interface SendResult {
  route: string;
  result: Record<string, unknown>;
  /** SMSC message ids of an SMS's parts, for matching receipts. */
  smsMessageIds?: string[];
}

/** What sends a row; errors with `temporary: false` fail the row, any other error is retried. */
export interface OutboxSender {
  send(row: OutboxRow): Promise<SendResult>;
}

export interface DispatcherEvents {
  /** Sent; `early` holds receipts that had arrived before the send was recorded. */
  sent: [row: OutboxRow, result: SendResult, early: PartDelivery[]];
  retry: [row: OutboxRow, error: Error, nextAttemptAt: number];
  failed: [row: OutboxRow, error: Error];
  expired: [row: OutboxRow, reason: string];
  /** At start: `rows` leased by `owner`, a process on this machine that no longer runs, were freed. */
  reclaimed: [owner: string, rows: number];
  /** The store failed a claim or a lease renewal; the dispatcher tries again at its next poll. */
  storeError: [error: Error];
}

export interface DispatcherOptions {
  store: OutboxRepository;
  sender: OutboxSender;
  clock?: Clock;
  /** Distinguishes this dispatcher's leases from another instance's (`host:pid:token`, see instance-id.ts). */
  owner?: string;
  /**
   * How long a claimed row stays ours without renewal. Leases are renewed every
   * fifth of this while rows are in flight, so it bounds how long another
   * instance waits for the rows of one that died (5 s), not how long a send may take.
   */
  leaseMs?: number;
  /** Rows in flight at once (the SMPP window still bounds what is outstanding at the SMSC). */
  concurrency?: number;
  pollMs?: number;
  backoff?: BackoffPolicy;
}

interface SendFailure {
  temporary?: boolean;
  smppStatus?: number;
}

/**
 * Sends outbox rows at least once: claims due rows under a lease, hands them
 * to the sender, retries temporary failures with backoff, fails permanent
 * ones, and never sends a row past its expiry. After a crash, rows left
 * pending are sent on restart: a dead process's leases on this machine are
 * freed at start, any other instance's run out within `leaseMs`.
 */
export class Dispatcher extends EventEmitter<DispatcherEvents> {
  readonly #store: OutboxRepository;
  readonly #sender: OutboxSender;
  readonly #clock: Clock;
  readonly owner: string;
  readonly #leaseMs: number;
  readonly #concurrency: number;
  readonly #pollMs: number;
  readonly #backoff: BackoffPolicy;
  readonly #inFlight = new Set<Promise<void>>();
  #timer?: Timer;
  #renewTimer?: Timer;
  #running = false;
  #ticked: Promise<void> = Promise.resolve();
  #ticking = false;
  #again = false;

  constructor(options: DispatcherOptions) {
    super();
    this.#store = options.store;
    this.#sender = options.sender;
    this.#clock = options.clock ?? systemClock;
    this.owner = options.owner ?? newInstanceId();
    this.#leaseMs = options.leaseMs ?? 5_000;
    this.#concurrency = options.concurrency ?? 100;
    this.#pollMs = options.pollMs ?? 500;
    this.#backoff = options.backoff ?? { initialMs: 1_000, maxMs: 60_000, jitter: 0.2 };
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    markAlive(this.owner, true);
    this.#renewLeases();
    void this.#reclaimDeadLeases();
  }

  /** Something was enqueued: look now instead of at the next poll. */
  notify(): void {
    if (!this.#running) return;
    if (this.#ticking) {
      // A claim is under way: it looks again as soon as it ends, instead of at the next poll.
      this.#again = true;
      return;
    }
    this.#timer?.cancel();
    this.#timer = this.#clock.setTimeout(() => void this.#tick(), 0);
  }

  /** Stops claiming and waits for the rows in flight (graceful shutdown drains them). */
  async stop(): Promise<void> {
    this.#running = false;
    this.#timer?.cancel();
    await this.#ticked;
    await Promise.allSettled([...this.#inFlight]);
    this.#renewTimer?.cancel();
    markAlive(this.owner, false);
  }

  /** A restart on the same machine resumes at once: the previous process's leases are freed, not waited out. */
  async #reclaimDeadLeases(): Promise<void> {
    try {
      for (const owner of await this.#store.leaseOwners(this.#clock.now())) {
        if (!isDeadLocalInstance(owner, this.owner)) continue;
        const rows = await this.#store.releaseLeases(owner);
        if (rows > 0) this.emit('reclaimed', owner, rows);
      }
    } catch (error) {
      this.emit('storeError', error as Error);
    }
    this.notify();
  }

  #renewLeases(): void {
    if (!this.#running && this.#inFlight.size === 0) return;
    if (this.#inFlight.size > 0) this.#store.renewLeases(this.owner, this.#clock.now() + this.#leaseMs).catch((error: Error) => this.emit('storeError', error));
    this.#renewTimer = this.#clock.setTimeout(() => this.#renewLeases(), this.#leaseMs / 5);
  }

  #tick(): Promise<void> {
    if (!this.#running || this.#ticking) return this.#ticked;
    this.#ticking = true;
    this.#again = false;
    this.#ticked = this.#claim().finally(() => {
      this.#ticking = false;
    });
    return this.#ticked;
  }

  async #claim(): Promise<void> {
    let wait = this.#pollMs;
    try {
      const room = this.#concurrency - this.#inFlight.size;
      const rows = room > 0 ? await this.#store.claimDue(this.owner, this.#clock.now(), this.#leaseMs, room) : [];
      for (const row of rows) {
        const work = this.#process(row).finally(() => {
          this.#inFlight.delete(work);
          if (this.#inFlight.size === this.#concurrency - 1) this.notify();
        });
        this.#inFlight.add(work);
      }
      const full = rows.length === room && room > 0;
      if (full || this.#again) wait = 0;
      else {
        // Only a short claim asks when the next row is due.
        const nextDue = await this.#store.nextDueAt();
        // At least 1 ms when nothing was claimed: a clock that stands still must not spin us.
        wait = this.#again ? 0 : Math.min(this.#pollMs, Math.max(1, (nextDue ?? Infinity) - this.#clock.now()));
      }
    } catch (error) {
      this.emit('storeError', error as Error);
    }
    if (this.#running && this.#inFlight.size < this.#concurrency) {
      this.#timer?.cancel();
      this.#timer = this.#clock.setTimeout(() => void this.#tick(), wait);
    }
  }

  /** Sends one row and records the outcome; a store that fails here leaves the row leased, to be sent again when its lease ends. */
  async #process(row: OutboxRow): Promise<void> {
    try {
      await this.#sendAndRecord(row);
    } catch (error) {
      this.emit('storeError', error as Error);
    }
  }

  async #sendAndRecord(row: OutboxRow): Promise<void> {
    if (this.#clock.now() >= row.expiresAt) {
      await this.#store.markFinal(row.id, this.owner, 'expired', 'expired before it could be sent', undefined, this.#clock.now());
      this.emit('expired', row, 'expired before it could be sent');
      return;
    }
    let result: SendResult;
    try {
      result = await this.#sender.send(row);
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      const failure = caught as SendFailure;
      const now = this.#clock.now();
      if (failure.temporary === false) {
        await this.#store.markFinal(row.id, this.owner, 'failed', error.message, failure.smppStatus, now);
        this.emit('failed', row, error);
        return;
      }
      const nextAttemptAt = now + backoffDelay(row.attempts - 1, this.#backoff);
      if (nextAttemptAt >= row.expiresAt) {
        const reason = `expired while retrying: ${error.message}`;
        await this.#store.markFinal(row.id, this.owner, 'expired', reason, failure.smppStatus, now);
        this.emit('expired', row, reason);
        return;
      }
      await this.#store.markRetry(row.id, this.owner, error.message, failure.smppStatus, nextAttemptAt);
      this.emit('retry', row, error, nextAttemptAt);
      return;
    }
    const early = await this.#store.markSent(row.id, this.owner, result.route, result.result, this.#clock.now(), result.smsMessageIds);
    this.emit('sent', row, result, early);
  }
}
