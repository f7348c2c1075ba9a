import { atomically, execute, query, type PgQueryable } from '../../../gateway/storage/postgres';
import type { SessionKeyRepository, SessionKeyRow } from '../session-key-repository';

const columns = 'kid, private_jwk AS "privateJwk", public_jwk AS "publicJwk", created_at AS "createdAt", retired_at AS "retiredAt"';

/** Signing keys, shared by every instance: any instance validates a token another signed. */
export class PostgresSessionKeyRepository implements SessionKeyRepository {
  readonly #db: PgQueryable;

  constructor(db: PgQueryable) {
    this.#db = db;
  }

  async all(): Promise<SessionKeyRow[]> {
    return query<SessionKeyRow>(this.#db, `SELECT ${columns} FROM session_keys ORDER BY created_at, seq`);
  }

  async retireActive(now: number): Promise<void> {
    await execute(this.#db, 'UPDATE session_keys SET retired_at = $1 WHERE retired_at IS NULL', [now]);
  }

  async insert(key: Omit<SessionKeyRow, 'retiredAt'>): Promise<void> {
    await execute(this.#db, 'INSERT INTO session_keys (kid, private_jwk, public_jwk, created_at, retired_at) VALUES ($1, $2, $3, $4, NULL)',
      [key.kid, key.privateJwk, key.publicJwk, key.createdAt]);
  }

  /** All at once or none. (PostgreSQL keeps the replaced values until VACUUM: they are sealed under the code key.) */
  async replacePrivateKeys(keys: { kid: string; privateJwk: string }[]): Promise<void> {
    await atomically(this.#db, async (db) => {
      for (const key of keys) await execute(db, 'UPDATE session_keys SET private_jwk = $2 WHERE kid = $1', [key.kid, key.privateJwk]);
    });
  }

  async dropRetiredBefore(before: number): Promise<number> {
    return execute(this.#db, 'DELETE FROM session_keys WHERE retired_at IS NOT NULL AND retired_at <= $1', [before]);
  }
}
