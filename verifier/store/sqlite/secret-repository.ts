import { eraseSecurely, statementCache, type SqliteDatabase } from '../../../gateway/storage/sqlite';
import type { SecretRepository } from '../secret-repository';

export class SqliteSecretRepository implements SecretRepository {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(private readonly db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }

  async get(name: string): Promise<string | undefined> {
    return this.#sql('SELECT value FROM secrets WHERE name = ?').pluck().get(name) as string | undefined;
  }

  async getOrCreate(name: string, create: () => string, now: number): Promise<string> {
    return this.#sql('INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET name = name RETURNING value')
      .pluck().get(name, create(), now) as string;
  }

  async erase(name: string): Promise<void> {
    eraseSecurely(this.db, () => this.#sql('DELETE FROM secrets WHERE name = ?').run(name));
  }
}
