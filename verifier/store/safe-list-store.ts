import { statementCache, type SqliteDatabase } from '../../gateway/storage/sqlite';

export interface SafeListEntry {
  sid: string;
  phoneNumber: string;
  accountSid: string;
  createdAt: number;
}

const columns = 'sid, phone_number AS phoneNumber, account_sid AS accountSid, created_at AS createdAt';

/** The safe list (SafeList/Numbers): numbers the fraud guard never blocks. */
export class SafeListStore {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }

  /** Adds the number, or returns the entry it already has. */
  add(entry: SafeListEntry): SafeListEntry {
    this.#sql('INSERT INTO safe_list (phone_number, sid, account_sid, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (phone_number) DO NOTHING')
      .run(entry.phoneNumber, entry.sid, entry.accountSid, entry.createdAt);
    return this.get(entry.phoneNumber)!;
  }

  get(phoneNumber: string): SafeListEntry | undefined {
    return this.#sql(`SELECT ${columns} FROM safe_list WHERE phone_number = ?`).get(phoneNumber) as SafeListEntry | undefined;
  }

  has(phoneNumber: string): boolean {
    return this.#sql('SELECT 1 FROM safe_list WHERE phone_number = ?').get(phoneNumber) !== undefined;
  }

  remove(phoneNumber: string): boolean {
    return this.#sql('DELETE FROM safe_list WHERE phone_number = ?').run(phoneNumber).changes > 0;
  }
}
