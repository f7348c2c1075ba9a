import type { StorageLocation, VerifierStorage } from './storage';
import { openSqliteStorage } from './sqlite/sqlite-storage';

/**
 * Opens the verifier's storage with its migrations applied: SQLite in `dataFile` (the embedded
 * default), or PostgreSQL at `databaseUrl`.
 */
export async function openStorage(location: StorageLocation): Promise<VerifierStorage> {
  if (location.databaseUrl !== undefined) throw new Error('PostgreSQL storage is not built into this version');
  return openSqliteStorage(location.dataFile);
}
