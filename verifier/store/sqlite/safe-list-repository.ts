import { statementCache, type SqliteDatabase } from '../../../gateway/storage/sqlite';
import type { SafeListEntry, SafeListRepository } from '../safe-list-repository';

const columns = 'sid, phone_number AS phoneNumber, account_sid AS accountSid, created_at AS createdAt';

export class SqliteSafeListRepository implements SafeListRepository {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }

  async add(entry: SafeListEntry): Promise<SafeListEntry> {
    this.#sql('INSERT INTO safe_list (phone_number, sid, account_sid, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (phone_number) DO NOTHING')
      .run(entry.phoneNumber, entry.sid, entry.accountSid, entry.createdAt);
    return (await this.get(entry.phoneNumber))!;
  }

  async get(phoneNumber: string): Promise<SafeListEntry | undefined> {
    return this.#sql(`SELECT ${columns} FROM safe_list WHERE phone_number = ?`).get(phoneNumber) as SafeListEntry | undefined;
  }

  async has(phoneNumber: string): Promise<boolean> {
    return this.#sql('SELECT 1 FROM safe_list WHERE phone_number = ?').get(phoneNumber) !== undefined;
  }

  async remove(phoneNumber: string): Promise<boolean> {
    return this.#sql('DELETE FROM safe_list WHERE phone_number = ?').run(phoneNumber).changes > 0;
  }
}
