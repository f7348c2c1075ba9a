import { PostgresStorage } from './postgres/postgres-storage';
import type { StorageLocation, VerifierStorage } from './storage';
import { openSqliteStorage } from './sqlite/sqlite-storage';

/**
 * Opens the verifier's storage with its migrations applied: SQLite in `dataFile` (the embedded
 * default), or PostgreSQL at `databaseUrl` (shared by every instance; docs/scaling.md).
 */
export async function openStorage(location: StorageLocation): Promise<VerifierStorage> {
  if (location.databaseUrl !== undefined) return PostgresStorage.open(location.databaseUrl);
  return openSqliteStorage(location.dataFile);
}
