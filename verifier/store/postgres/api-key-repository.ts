import { execute, query, type PgQueryable } from '../../../gateway/storage/postgres';
import type { ApiKey, ApiKeyRepository } from '../api-key-repository';
import { selectList } from './columns';

const columns = selectList({ sid: 'sid', accountSid: 'account_sid', friendlyName: 'friendly_name', createdAt: 'created_at', updatedAt: 'updated_at' } satisfies Record<keyof ApiKey, string>);

export class PostgresApiKeyRepository implements ApiKeyRepository {
  readonly #db: PgQueryable;

  constructor(db: PgQueryable) {
    this.#db = db;
  }

  async insert(key: ApiKey, secretHash: string): Promise<void> {
    await execute(this.#db, 'INSERT INTO api_keys (sid, account_sid, friendly_name, secret_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [key.sid, key.accountSid, key.friendlyName, secretHash, key.createdAt, key.updatedAt]);
  }

  async get(accountSid: string, sid: string): Promise<ApiKey | undefined> {
    return (await query<ApiKey>(this.#db, `SELECT ${columns} FROM api_keys WHERE sid = $1 AND account_sid = $2`, [sid, accountSid]))[0];
  }

  async list(accountSid: string, offset: number, limit: number): Promise<{ items: ApiKey[]; total: number }> {
    const items = await query<ApiKey>(this.#db, `SELECT ${columns} FROM api_keys WHERE account_sid = $1 ORDER BY created_at, sid LIMIT $2 OFFSET $3`, [accountSid, limit, offset]);
    const total = (await query<{ n: number }>(this.#db, 'SELECT COUNT(*) AS n FROM api_keys WHERE account_sid = $1', [accountSid]))[0]!.n;
    return { items, total };
  }

  async rename(accountSid: string, sid: string, friendlyName: string, now: number): Promise<ApiKey | undefined> {
    return (await query<ApiKey>(this.#db, `UPDATE api_keys SET friendly_name = $3, updated_at = $4 WHERE sid = $1 AND account_sid = $2 RETURNING ${columns}`,
      [sid, accountSid, friendlyName, now]))[0];
  }

  async delete(accountSid: string, sid: string): Promise<boolean> {
    return (await execute(this.#db, 'DELETE FROM api_keys WHERE sid = $1 AND account_sid = $2', [sid, accountSid])) > 0;
  }

  async secretHash(accountSid: string, sid: string): Promise<string | undefined> {
    return (await query<{ hash: string }>(this.#db, 'SELECT secret_hash AS hash FROM api_keys WHERE sid = $1 AND account_sid = $2', [sid, accountSid]))[0]?.hash;
  }
}
