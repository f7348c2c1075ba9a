import type { SqliteDatabase } from './sqlite';

/** Runs one synchronous piece of database work and hands back its result as a promise. */
export type SqliteRun = <T>(work: () => T) => Promise<T>;

/**
 * The unit of work over one SQLite connection. A connection has one transaction at a time, and an
 * async transaction lets other code run between its statements: without a gate, a statement of an
 * unrelated request would join the open transaction (and be rolled back with it). So transactions
 * take an async mutex (FIFO), run BEGIN IMMEDIATE … COMMIT (ROLLBACK on a throw), and statements made
 * outside a transaction (`outside`) run at once when none is open, else wait their turn behind it.
 * Inside a transaction, statements go straight to the connection (`inside`).
 */
export class SqliteGate {
  readonly #db: SqliteDatabase;
  #held = false;
  readonly #waiters: (() => void)[] = [];

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /**
   * Work outside any transaction: at once when the connection is free, else queued behind the open
   * transaction. Work that returns a promise (an async repository method) holds the connection
   * until it settles, so none of its statements can land in a transaction begun meanwhile.
   */
  readonly outside: SqliteRun = (work) => {
    if (!this.#held) {
      this.#held = true;
      return this.#hold(work);
    }
    return this.#acquire().then(() => this.#hold(work));
  };

  /** Work inside the open transaction: the caller holds the gate. */
  readonly inside: SqliteRun = (work) => {
    if (!this.#held) return Promise.reject(new Error('a transaction view of the storage was used outside its transaction'));
    return settled(work);
  };

  /** Runs `work` while holding the gate, and lets it go when the work (or its promise) is done. */
  #hold<T>(work: () => T): Promise<T> {
    let result: T;
    try {
      result = work();
    } catch (error) {
      this.#release();
      return Promise.reject(error);
    }
    if (!isPromise(result)) {
      this.#release();
      return Promise.resolve(result);
    }
    return result.finally(() => this.#release()) as Promise<T>;
  }

  /** Runs `work` in one BEGIN IMMEDIATE transaction, after every transaction queued before it. */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work();
        this.#db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.#release();
    }
  }

  /** Resolves once no transaction holds the connection (for closing it). */
  async idle(): Promise<void> {
    await this.#acquire();
    this.#release();
  }

  #acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | undefined)?.then === 'function';
}

function settled<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * `repository` with every method run through `run` (SqliteGate's `outside` or `inside`). A method's
 * statements run synchronously when it is called (better-sqlite3), so the gate covers all of them.
 */
export function gated<T extends object>(repository: T, run: SqliteRun): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(repository, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      let method = wrapped.get(property);
      if (!method) {
        method = (...args: unknown[]) => run(() => (value as (...a: unknown[]) => unknown).apply(target, args));
        wrapped.set(property, method);
      }
      return method;
    },
  });
}
