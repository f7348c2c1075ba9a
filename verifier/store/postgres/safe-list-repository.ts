import { execute, query, type PgQueryable } from '../../../gateway/storage/postgres';
import type { SafeListEntry, SafeListRepository } from '../safe-list-repository';
import { selectList } from './columns';

const columns = selectList({ sid: 'sid', phoneNumber: 'phone_number', accountSid: 'account_sid', createdAt: 'created_at' } satisfies Record<keyof SafeListEntry, string>);

export class PostgresSafeListRepository implements SafeListRepository {
  readonly #db: PgQueryable;

  constructor(db: PgQueryable) {
    this.#db = db;
  }

  async add(entry: SafeListEntry): Promise<SafeListEntry> {
    await execute(this.#db, 'INSERT INTO safe_list (phone_number, sid, account_sid, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (phone_number) DO NOTHING',
      [entry.phoneNumber, entry.sid, entry.accountSid, entry.createdAt]);
    return (await this.get(entry.phoneNumber))!;
  }

  async get(phoneNumber: string): Promise<SafeListEntry | undefined> {
    return (await query<SafeListEntry>(this.#db, `SELECT ${columns} FROM safe_list WHERE phone_number = $1`, [phoneNumber]))[0];
  }

  async has(phoneNumber: string): Promise<boolean> {
    return (await query(this.#db, 'SELECT 1 FROM safe_list WHERE phone_number = $1', [phoneNumber])).length > 0;
  }

  async remove(phoneNumber: string): Promise<boolean> {
    return (await execute(this.#db, 'DELETE FROM safe_list WHERE phone_number = $1', [phoneNumber])) > 0;
  }
}
