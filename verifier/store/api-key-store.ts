import { createHash, timingSafeEqual } from 'node:crypto';
import { statementCache, type SqliteDatabase } from '../../gateway/storage/sqlite';

export interface ApiKey {
  sid: string;
  accountSid: string;
  friendlyName: string;
  createdAt: number;
  updatedAt: number;
}

const columns = 'sid, account_sid AS accountSid, friendly_name AS friendlyName, created_at AS createdAt, updated_at AS updatedAt';
const digest = (secret: string) => createHash('sha256').update(secret).digest();

/** API keys (SK…): the secret is shown once at creation and kept only as its SHA-256. */
export class ApiKeyStore {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }

  insert(key: ApiKey, secret: string): void {
    this.#sql('INSERT INTO api_keys (sid, account_sid, friendly_name, secret_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(key.sid, key.accountSid, key.friendlyName, digest(secret).toString('hex'), key.createdAt, key.updatedAt);
  }

  get(accountSid: string, sid: string): ApiKey | undefined {
    return this.#sql(`SELECT ${columns} FROM api_keys WHERE sid = ? AND account_sid = ?`).get(sid, accountSid) as ApiKey | undefined;
  }

  list(accountSid: string, offset: number, limit: number): { items: ApiKey[]; total: number } {
    const items = this.#sql(`SELECT ${columns} FROM api_keys WHERE account_sid = ? ORDER BY created_at, sid LIMIT ? OFFSET ?`).all(accountSid, limit, offset) as ApiKey[];
    const { total } = this.#sql('SELECT COUNT(*) AS total FROM api_keys WHERE account_sid = ?').get(accountSid) as { total: number };
    return { items, total };
  }

  rename(accountSid: string, sid: string, friendlyName: string, now: number): ApiKey | undefined {
    this.#sql('UPDATE api_keys SET friendly_name = ?, updated_at = ? WHERE sid = ? AND account_sid = ?').run(friendlyName, now, sid, accountSid);
    return this.get(accountSid, sid);
  }

  delete(accountSid: string, sid: string): boolean {
    return this.#sql('DELETE FROM api_keys WHERE sid = ? AND account_sid = ?').run(sid, accountSid).changes > 0;
  }

  /**
   * Whether `secret` is the secret of key `sid` of `accountSid`. The stored and given secrets are compared
   * as SHA-256 digests in constant time; an unknown key costs the same digest, so timing tells nothing.
   */
  secretMatches(accountSid: string, sid: string, secret: string): boolean {
    const row = this.#sql('SELECT secret_hash AS hash FROM api_keys WHERE sid = ? AND account_sid = ?').get(sid, accountSid) as { hash: string } | undefined;
    const given = digest(secret);
    const stored = row ? Buffer.from(row.hash, 'hex') : Buffer.alloc(given.length);
    return timingSafeEqual(given, stored) && row !== undefined;
  }
}
