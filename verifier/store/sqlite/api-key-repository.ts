import { statementCache, type SqliteDatabase } from '../../../gateway/storage/sqlite';
import type { ApiKey, ApiKeyRepository } from '../api-key-repository';

const columns = 'sid, account_sid AS accountSid, friendly_name AS friendlyName, created_at AS createdAt, updated_at AS updatedAt';

export class SqliteApiKeyRepository implements ApiKeyRepository {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }

  async insert(key: ApiKey, secretHash: string): Promise<void> {
    this.#sql('INSERT INTO api_keys (sid, account_sid, friendly_name, secret_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(key.sid, key.accountSid, key.friendlyName, secretHash, key.createdAt, key.updatedAt);
  }

  async get(accountSid: string, sid: string): Promise<ApiKey | undefined> {
    return this.#sql(`SELECT ${columns} FROM api_keys WHERE sid = ? AND account_sid = ?`).get(sid, accountSid) as ApiKey | undefined;
  }

  async list(accountSid: string, offset: number, limit: number): Promise<{ items: ApiKey[]; total: number }> {
    const items = this.#sql(`SELECT ${columns} FROM api_keys WHERE account_sid = ? ORDER BY created_at, sid LIMIT ? OFFSET ?`).all(accountSid, limit, offset) as ApiKey[];
    const { total } = this.#sql('SELECT COUNT(*) AS total FROM api_keys WHERE account_sid = ?').get(accountSid) as { total: number };
    return { items, total };
  }

  async rename(accountSid: string, sid: string, friendlyName: string, now: number): Promise<ApiKey | undefined> {
    return this.#sql(`UPDATE api_keys SET friendly_name = ?, updated_at = ? WHERE sid = ? AND account_sid = ? RETURNING ${columns}`)
      .get(friendlyName, now, sid, accountSid) as ApiKey | undefined;
  }

  async delete(accountSid: string, sid: string): Promise<boolean> {
    return this.#sql('DELETE FROM api_keys WHERE sid = ? AND account_sid = ?').run(sid, accountSid).changes > 0;
  }

  async secretHash(accountSid: string, sid: string): Promise<string | undefined> {
    return this.#sql('SELECT secret_hash FROM api_keys WHERE sid = ? AND account_sid = ?').pluck().get(sid, accountSid) as string | undefined;
  }
}
