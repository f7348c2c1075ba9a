import { execute, query, type PgQueryable } from '../../../gateway/storage/postgres';
import type { SecretRepository } from '../secret-repository';

export class PostgresSecretRepository implements SecretRepository {
  readonly #db: PgQueryable;

  constructor(db: PgQueryable) {
    this.#db = db;
  }

  async get(name: string): Promise<string | undefined> {
    return (await query<{ value: string }>(this.#db, 'SELECT value FROM secrets WHERE name = $1', [name]))[0]?.value;
  }

  async getOrCreate(name: string, create: () => string, now: number): Promise<string> {
    // On a conflict the no-op update returns the stored row: of concurrent first uses, the later waits for the
    // earlier's commit and returns its value.
    return (await query<{ value: string }>(this.#db, `INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3)
      ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING value`, [name, create(), now]))[0]!.value;
  }

  /**
   * PostgreSQL has no secure delete: the old row stays in the table's pages until VACUUM reuses them, and in
   * the WAL and backups. So nothing that opens codes is ever written here: with PostgreSQL the code key comes
   * from VERIGATE_CODE_KEY only, and an erased value is one a SQLite-era start might have left.
   */
  async erase(name: string): Promise<void> {
    await execute(this.#db, 'DELETE FROM secrets WHERE name = $1', [name]);
  }
}
