import type { Logger } from 'pino';
import { PostgresStorage } from './postgres/postgres-storage';
import type { StorageLocation, VerifierStorage } from './storage';
import { openSqliteStorage } from './sqlite/sqlite-storage';

/**
 * Opens the verifier's storage with its migrations applied: SQLite in `dataFile` (the embedded
 * default), or PostgreSQL at `databaseUrl` (shared by every instance; docs/scaling.md). `logger` hears of
 * a dropped LISTEN connection (it reconnects by itself; meanwhile rows from other instances wait for a poll).
 */
export async function openStorage(location: StorageLocation, logger?: Logger): Promise<VerifierStorage> {
  if (location.databaseUrl !== undefined) {
    return PostgresStorage.open(location.databaseUrl, { onListenError: (error) => logger?.warn({ error: error.message }, 'the outbox LISTEN connection dropped; reconnecting') });
  }
  return openSqliteStorage(location.dataFile);
}
