import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

export type PgPool = pg.Pool;
/** Where a statement runs: the pool (any free connection) or one transaction's connection. */
export interface PgQueryable {
  query(config: pg.QueryConfig): Promise<pg.QueryResult>;
}

export interface PgPoolOptions {
  /** Connections in the pool (default 10). */
  max?: number;
  /** Shown in pg_stat_activity, so an operator sees which instance holds what. */
  applicationName?: string;
}

const INT8 = 20;

// Times are milliseconds since the epoch in BIGINT columns, and COUNT(*) is a BIGINT: both fit a JS number
// exactly (below 2^53), so they are read as numbers, not as the strings node-postgres gives by default.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** A pool of connections to `url` (postgres://USER:PW@HOST:PORT/DB). Nothing connects until the first query. */
export function openPool(url: string, options: PgPoolOptions = {}): PgPool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'verigate',
    types,
    // A request waits at most this long for a connection (the server is down or the pool is exhausted),
    // then fails with an error instead of hanging; TCP keep-alive finds a connection cut while idle.
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  });
  // A connection that dies while idle (server restart, network cut) is dropped from the pool, not thrown.
  pool.on('error', () => undefined);
  return pool;
}

const names = new Map<string, string>();

/**
 * The name of a statement's text: each text is parsed and planned once per connection, then reused by name
 * (node-postgres keeps the prepared statements per connection). The name is a hash of the text, so two
 * texts never share one.
 */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) names.set(text, (name = `vg_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`));
  return name;
}

/** Runs one statement as a named prepared statement and returns its rows. */
export async function query<Row = Record<string, unknown>>(db: PgQueryable, text: string, values: unknown[] = []): Promise<Row[]> {
  const result = await db.query({ name: statementName(text), text, values });
  return result.rows as Row[];
}

/** Runs one statement as a named prepared statement and returns how many rows it changed. */
export async function execute(db: PgQueryable, text: string, values: unknown[] = []): Promise<number> {
  const result = await db.query({ name: statementName(text), text, values });
  return result.rowCount ?? 0;
}

/**
 * Runs `work` on one connection between BEGIN and COMMIT (ROLLBACK when it throws). A connection whose
 * ROLLBACK failed is destroyed rather than handed back to the pool in an unknown state.
 */
export async function transaction<T>(pool: PgPool, work: (db: PgQueryable) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const db = inOrder(client);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(db);
    // A statement `work` started without awaiting it still belongs to the transaction.
    await db.settled();
    // After a failed statement whose error `work` caught, PostgreSQL answers COMMIT with a ROLLBACK, not an error.
    const committed = await client.query('COMMIT');
    if (committed.command !== 'COMMIT') throw new Error('the transaction was rolled back: one of its statements failed');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * One connection's statements, one after the other: a unit of work may start several at once (Promise.all),
 * and a connection runs one at a time (node-postgres would queue them too, but that is deprecated).
 */
function inOrder(client: pg.PoolClient): PgQueryable & { settled(): Promise<void> } {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    query(config) {
      const run = tail.then(() => client.query(config));
      tail = run.catch(() => undefined);
      return run;
    },
    async settled() {
      await tail;
    },
  };
}

/**
 * Runs `work` atomically: inside the caller's transaction when `db` is a checked-out connection (it commits
 * with it), else in a transaction of its own on a connection of the pool.
 */
export function atomically<T>(db: PgQueryable, work: (db: PgQueryable) => Promise<T>): Promise<T> {
  return db instanceof pg.Pool ? transaction(db, work) : work(db);
}

/** The advisory lock every instance takes before it migrates: one migrates, the others wait and find the work done. */
const MIGRATION_LOCK = 'verigate:migrations';

/**
 * Applies the numbered `NNN-name.sql` files of `folder` that the database has not recorded under `scope`, in
 * order, each in its own transaction with its record in `schema_migrations`. The whole run holds a
 * session-level advisory lock, so of several instances starting at once on one database, one applies each
 * migration and the others then find it recorded. Returns the files applied.
 */
export async function migratePostgres(pool: PgPool, scope: string, folder: string): Promise<string[]> {
  const files = readdirSync(folder).filter((f) => /^\d{3}-[\w-]+\.sql$/.test(f)).sort();
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        scope TEXT NOT NULL, version TEXT NOT NULL, applied_at BIGINT NOT NULL, PRIMARY KEY (scope, version))`);
      const applied = new Set((await client.query<{ version: string }>('SELECT version FROM schema_migrations WHERE scope = $1', [scope])).rows.map((r) => r.version));
      const ran: string[] = [];
      for (const file of files) {
        if (applied.has(file)) continue;
        await client.query('BEGIN');
        try {
          await client.query(readFileSync(join(folder, file), 'utf8'));
          await client.query('INSERT INTO schema_migrations (scope, version, applied_at) VALUES ($1, $2, $3)', [scope, file, Date.now()]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${scope}/${file} failed: ${(error as Error).message}`);
        }
        ran.push(file);
      }
      return ran;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]);
    }
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    // A connection that failed mid-migration is closed, which also frees the advisory lock it may still hold.
    client.release(broken);
  }
}

export interface PgListener {
  /** Whether the LISTEN is in place right now. */
  readonly listening: boolean;
  close(): Promise<void>;
}

/**
 * Listens on `channel` over a connection of its own (a LISTEN lives as long as its session, so it cannot
 * borrow from the pool), calling `onNotify` for every NOTIFY, and once each time the LISTEN is in place (at
 * first and after a reconnect): a notification sent while it was not listening yet, or away, is not lost.
 */
export function listen(url: string, channel: string, onNotify: (payload: string | undefined) => void, onError: (error: Error) => void = () => undefined): PgListener {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
  let closed = false;
  let listening = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = 100;
  let ready: Promise<void> = Promise.resolve();

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url, application_name: 'verigate-listen', connectionTimeoutMillis: 10_000, keepAlive: true });
    next.on('notification', (message) => {
      if (message.channel === channel) onNotify(message.payload);
    });
    next.on('error', (error) => {
      onError(error);
      scheduleReconnect(next);
    });
    next.on('end', () => scheduleReconnect(next));
    client = next;
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
      delay = 100;
      listening = true;
      onNotify(undefined);
    } catch (error) {
      onError(error as Error);
      scheduleReconnect(next);
    }
  };

  const scheduleReconnect = (failed: pg.Client) => {
    if (closed || client !== failed || retry) return;
    listening = false;
    client = undefined;
    failed.end().catch(() => undefined);
    retry = setTimeout(() => {
      retry = undefined;
      ready = connect();
    }, delay);
    retry.unref();
    delay = Math.min(delay * 2, 5_000);
  };

  ready = connect();
  return {
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await ready;
      const last = client;
      client = undefined;
      await last?.end().catch(() => undefined);
    },
  };
}
