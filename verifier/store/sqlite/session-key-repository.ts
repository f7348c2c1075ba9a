import { eraseSecurely, statementCache, type SqliteDatabase } from '../../../gateway/storage/sqlite';
import type { SessionKeyRepository, SessionKeyRow } from '../session-key-repository';

const columns = 'kid, private_jwk AS privateJwk, public_jwk AS publicJwk, created_at AS createdAt, retired_at AS retiredAt';

export class SqliteSessionKeyRepository implements SessionKeyRepository {
  readonly #db: SqliteDatabase;
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#sql = statementCache(db);
  }

  async all(): Promise<SessionKeyRow[]> {
    return this.#sql(`SELECT ${columns} FROM session_keys ORDER BY created_at, rowid`).all() as SessionKeyRow[];
  }

  async retireActive(now: number): Promise<void> {
    this.#sql('UPDATE session_keys SET retired_at = ? WHERE retired_at IS NULL').run(now);
  }

  async insert(key: Omit<SessionKeyRow, 'retiredAt'>): Promise<void> {
    this.#sql('INSERT INTO session_keys (kid, private_jwk, public_jwk, created_at, retired_at) VALUES (?, ?, ?, ?, NULL)')
      .run(key.kid, key.privateJwk, key.publicJwk, key.createdAt);
  }

  /** secure_delete and a truncating checkpoint, so the replaced values leave no copy in the file or its WAL. */
  async replacePrivateKeys(keys: { kid: string; privateJwk: string }[]): Promise<void> {
    eraseSecurely(this.#db, () => {
      for (const key of keys) this.#sql('UPDATE session_keys SET private_jwk = ? WHERE kid = ?').run(key.privateJwk, key.kid);
    });
  }

  async dropRetiredBefore(before: number): Promise<number> {
    return this.#sql('DELETE FROM session_keys WHERE retired_at IS NOT NULL AND retired_at <= ?').run(before).changes;
  }
}
