import type Database from 'better-sqlite3';
import { resolve } from 'node:path';
import { afterCommit, type SqliteDatabase } from './sqlite';

/** Runs one synchronous piece of database work and hands back its result as a promise. */
export type SqliteRun = <T>(work: () => T) => Promise<T>;

/** Units of work committed together at most; the rest start the next group. */
const MAX_GROUP = 64;

interface Waiter {
  /** A transaction may join an open group; other work needs the connection to itself. */
  transaction: boolean;
  resume(): void;
}

interface Committed {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The unit of work over one SQLite connection. A connection has one transaction at a time, and an
 * async transaction lets other code run between its statements: without a gate, a statement of an
 * unrelated request would join the open transaction (and be rolled back with it). So transactions
 * take an async mutex (FIFO). Inside a transaction, statements go straight to the connection
 * (`inside`). Calls made outside one are either units of their own (`gatedOutside`: a write is a
 * transaction, a read goes to a second connection that sees only what is committed) or, with no such
 * connection (`:memory:`), wait until no transaction is open (`outside`).
 *
 * Group commit: the transactions of one turn of the event loop share one BEGIN IMMEDIATE … COMMIT,
 * each in a SAVEPOINT of its own (a throw rolls back that one only). A commit is what costs on a file
 * (the WAL append); one per turn instead of one per transaction measured −29 % CPU at 20 per group.
 * Nothing is acknowledged early: each transaction's promise settles only once the group's COMMIT has
 * succeeded (or rejects with it), so what it read or wrote is committed before its caller hears of it.
 * The group commits when the turn's I/O is done (setImmediate), when work that needs the connection
 * alone is waiting for it, or at MAX_GROUP transactions.
 */
/**
 * The write lock of each file among this process's gates. A group holds SQLite's write lock until the
 * end of its turn; a second connection of this process asking for it meanwhile would block the one
 * thread in SQLite's busy handler, and the first could never commit. So in-process gates on one file
 * (two outboxes, as two instances would) take turns here, without blocking; other processes still
 * wait in SQLite's busy handler, for a turn at most.
 */
class FileWriteLock {
  static readonly #byFile = new Map<string, FileWriteLock>();
  #held = false;
  readonly #waiters: (() => void)[] = [];

  static of(db: SqliteDatabase): FileWriteLock | undefined {
    if (db.memory) return undefined;
    const file = resolve(db.name);
    let lock = FileWriteLock.#byFile.get(file);
    if (!lock) FileWriteLock.#byFile.set(file, (lock = new FileWriteLock()));
    return lock;
  }

  /** Resolves at once when no other gate of this process holds the file's write lock. */
  acquire(): Promise<void> | undefined {
    if (!this.#held) {
      this.#held = true;
      return undefined;
    }
    return new Promise((resume) => this.#waiters.push(resume));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}

export class SqliteGate {
  readonly #db: SqliteDatabase;
  /** The transaction-control statements, prepared once: `exec` parses its SQL on every call. */
  readonly #control: Record<'begin' | 'savepoint' | 'release' | 'rollbackTo' | 'commit' | 'rollback', Database.Statement>;
  #held = false;
  readonly #waiters: Waiter[] = [];
  /** The open group's transactions that succeeded, to settle at its COMMIT; undefined when no group is open. */
  #group?: Committed[];
  #unitRunning = false;
  #commitScheduled = false;
  #units = 0;
  readonly #fileLock?: FileWriteLock;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#fileLock = FileWriteLock.of(db);
    // One savepoint name is enough: a unit's savepoint is released (or rolled back) before the next one opens.
    this.#control = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      savepoint: db.prepare('SAVEPOINT unit'),
      release: db.prepare('RELEASE unit'),
      rollbackTo: db.prepare('ROLLBACK TO unit'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
    };
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
    return this.#acquire(false).then(() => this.#hold(work));
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

  /** Runs `work` in one transaction (a savepoint of the turn's group), after every transaction queued before it. */
  async transaction<T>(work: () => T | Promise<T>): Promise<T> {
    if (this.#group && !this.#unitRunning && this.#waiters.length === 0) {
      // The group of this turn is open and idle: join it.
    } else {
      await this.#acquire(true);
    }
    if (!this.#group) {
      const fileLocked = this.#fileLock?.acquire();
      if (fileLocked) await fileLocked;
      try {
        this.#control.begin.run();
      } catch (error) {
        // The write lock could not be had (another process held it past busy_timeout): nothing is open.
        this.#fileLock?.release();
        this.#unitRunning = false;
        this.#release();
        throw error;
      }
      this.#group = [];
      this.#units = 0;
    }
    this.#unitRunning = true;
    this.#units++;
    let opened = false;
    let result: T;
    try {
      this.#control.savepoint.run();
      opened = true;
      result = await work();
      this.#control.release.run();
    } catch (error) {
      // SQLite may have rolled the whole transaction back itself (e.g. a full disk): the COMMIT then fails the group.
      if (opened && this.#db.inTransaction) {
        this.#control.rollbackTo.run();
        this.#control.release.run();
      }
      this.#unitDone();
      throw error;
    }
    const committed = new Promise<void>((resolve, reject) => this.#group!.push({ resolve, reject }));
    this.#unitDone();
    await committed;
    return result;
  }

  /** Resolves once no transaction holds the connection (for closing it). */
  async idle(): Promise<void> {
    await this.#acquire(false);
    this.#release();
  }

  /** After a unit: the next queued transaction joins the group, or the group commits now, or at the end of the turn. */
  #unitDone(): void {
    this.#unitRunning = false;
    const next = this.#waiters[0];
    if (next?.transaction && this.#units < MAX_GROUP) {
      this.#waiters.shift();
      this.#unitRunning = true; // reserved for it, so nothing else joins in between
      next.resume();
      return;
    }
    if (next) return this.#commit();
    if (this.#units >= MAX_GROUP) return this.#commit();
    if (this.#commitScheduled) return;
    this.#commitScheduled = true;
    setImmediate(() => {
      this.#commitScheduled = false;
      if (this.#group && !this.#unitRunning) this.#commit();
    });
  }

  #commit(): void {
    const group = this.#group ?? [];
    this.#group = undefined;
    let failure: unknown;
    try {
      this.#control.commit.run();
    } catch (error) {
      failure = error;
      if (this.#db.inTransaction) this.#control.rollback.run();
    }
    this.#fileLock?.release();
    if (failure === undefined) {
      try {
        afterCommit(this.#db);
      } catch {
        // The group is committed all the same; a later checkpoint empties the WAL.
      }
    }
    for (const unit of group) {
      if (failure === undefined) unit.resolve();
      else unit.reject(failure);
    }
    this.#release();
  }

  #acquire(transaction: boolean): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    // Work waiting behind an idle open group need not wait for the end of the turn.
    if (!transaction && this.#group && !this.#unitRunning) queueMicrotask(() => {
      if (this.#group && !this.#unitRunning) this.#commit();
    });
    return new Promise((resolve) => this.#waiters.push({ transaction, resume: resolve }));
  }

  #release(): void {
    const next = this.#waiters.shift();
    if (next) next.resume();
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

/** SQLite refused a write on a connection that may only read (`PRAGMA query_only`). */
function refusedAsWrite(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'SQLITE_READONLY';
}

/**
 * `writer` (a repository on the gate's connection) for calls made outside a transaction, on a file that
 * `reader`, the same repository on a second connection with `PRAGMA query_only`, also opens. A method
 * first runs on `reader`: a read is answered at once from what is committed, never waiting for the open
 * group nor forcing it to commit, and never seeing its uncommitted writes. A method that writes is
 * refused there before it changes anything (SQLITE_READONLY), is remembered as a writer, and runs as
 * a transaction of its own in the group (settled after its COMMIT). Repositories keep no state beside
 * the database, so running a method's reads twice changes nothing.
 */
export function gatedOutside<T extends object>(writer: T, reader: T, gate: SqliteGate): T {
  const wrapped = new Map<PropertyKey, unknown>();
  const writes = new Set<PropertyKey>();
  return new Proxy(writer, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      let method = wrapped.get(property);
      if (!method) {
        const onReader = Reflect.get(reader, property, reader) as (...a: unknown[]) => unknown;
        const asUnit = (args: unknown[]) => gate.transaction(() => (value as (...a: unknown[]) => unknown).apply(target, args));
        const writerAfterRefusal = (args: unknown[]) => (error: unknown) => {
          if (!refusedAsWrite(error)) throw error;
          writes.add(property);
          return asUnit(args);
        };
        method = (...args: unknown[]) => {
          if (writes.has(property)) return asUnit(args);
          let result: unknown;
          try {
            result = onReader.apply(reader, args);
          } catch (error) {
            return Promise.resolve().then(() => writerAfterRefusal(args)(error));
          }
          return Promise.resolve(result).catch(writerAfterRefusal(args));
        };
        wrapped.set(property, method);
      }
      return method;
    },
  });
}
