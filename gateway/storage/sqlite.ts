import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type SqliteDatabase = Database.Database;

/**
 * Opens a SQLite file (or `:memory:`) in WAL mode. A committed write survives
 * a crash of the process, which is what "written before we answer" relies on.
 * Temporary tables stay in memory: SQLite otherwise buffers every `RETURNING`
 * (claims, counters, receipts) through a temporary file, 50 µs a row measured.
 */
export function openDatabase(file: string): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY');
  return db;
}

/**
 * Gathers the query planner's statistics where they are missing or stale, within a small budget:
 * SQLite's advice for a long-lived connection, once its schema is migrated. Without them the planner
 * may pick an index that only satisfies ORDER BY over the partial one that answers the question.
 */
export function optimizeOnOpen(db: SqliteDatabase): void {
  db.pragma('optimize = 0x10002');
}

/** Closes `db` after refreshing the statistics its queries have shown to be worth it (PRAGMA optimize). */
export function closeDatabase(db: SqliteDatabase): void {
  if (!db.open) return;
  try {
    db.pragma('optimize');
  } finally {
    db.close();
  }
}

/**
 * Applies the numbered `NNN-name.sql` files of `folder` that `db` has not seen,
 * in order, in one transaction that holds the write lock, and records them in `schema_migrations`.
 * `scope` keeps the simulator's and the verifier's histories apart in one file.
 */
export function migrate(db: SqliteDatabase, scope: string, folder: string): string[] {
  const files = readdirSync(folder).filter((f) => /^\d{3}-[\w-]+\.sql$/.test(f)).sort();
  // BEGIN IMMEDIATE takes the write lock before anything is read, so of several processes starting at
  // once on one file, one applies the migrations and the others, waiting on busy_timeout, then find
  // them recorded (reading first and locking later let two of them run the same file).
  return db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      scope TEXT NOT NULL, version TEXT NOT NULL, applied_at INTEGER NOT NULL, PRIMARY KEY (scope, version))`);
    const applied = new Set(db.prepare('SELECT version FROM schema_migrations WHERE scope = ?').pluck().all(scope) as string[]);
    const ran: string[] = [];
    for (const file of files) {
      if (applied.has(file)) continue;
      db.exec(readFileSync(join(folder, file), 'utf8'));
      db.prepare('INSERT INTO schema_migrations (scope, version, applied_at) VALUES (?, ?, ?)').run(scope, file, Date.now());
      ran.push(file);
    }
    return ran;
  }).immediate();
}

/** Connections whose open transaction erased something: its commit is followed by a truncating checkpoint. */
const checkpointAfterCommit = new WeakSet<SqliteDatabase>();

/**
 * Runs `work` (deletes or overwrites of secrets) so that no copy of the old
 * values stays in the files: `secure_delete` zeroes the freed cells and pages,
 * and a truncating checkpoint empties the WAL, which still held the old pages.
 * Inside a transaction (a unit of the SqliteGate's group) the checkpoint waits
 * for its COMMIT (`afterCommit`): the zeroed pages are written only then.
 */
export function eraseSecurely<T>(db: SqliteDatabase, work: () => T): T {
  const before = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  let result: T;
  try {
    result = db.transaction(work)();
  } finally {
    db.pragma(`secure_delete = ${before}`);
  }
  if (db.inTransaction) checkpointAfterCommit.add(db);
  else db.pragma('wal_checkpoint(TRUNCATE)');
  return result;
}

/** Called once a transaction of `db` committed: runs the checkpoint an erasure in it asked for. */
export function afterCommit(db: SqliteDatabase): void {
  if (checkpointAfterCommit.delete(db)) db.pragma('wal_checkpoint(TRUNCATE)');
}

/**
 * A second connection to `file` that only reads (`PRAGMA query_only`): in WAL mode it sees what is
 * committed, whatever transaction the first connection has open. Undefined for `:memory:`, which a
 * second connection would not share.
 */
export function openReader(file: string): SqliteDatabase | undefined {
  if (file === ':memory:') return undefined;
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY');
  db.pragma('query_only = 1');
  return db;
}

/**
 * Prepares each SQL text once per database. better-sqlite3 parses and plans
 * on every `prepare`, which costs more than running a simple statement.
 */
export function statementCache(db: SqliteDatabase): (sql: string) => Database.Statement {
  const cache = new Map<string, Database.Statement>();
  return (sql) => {
    let statement = cache.get(sql);
    if (!statement) cache.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
}
