import { statementCache, type SqliteDatabase } from '../../../gateway/storage/sqlite';
import type { PageHitRepository } from '../page-hit-repository';

export class SqlitePageHitRepository implements PageHitRepository {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }

  async countSince(bucket: string, subject: string, since: number): Promise<number> {
    return this.#sql('SELECT COUNT(*) FROM page_hits WHERE bucket = ? AND subject = ? AND at > ?').pluck().get(bucket, subject, since) as number;
  }

  async insert(bucket: string, subject: string, at: number): Promise<void> {
    this.#sql('INSERT INTO page_hits (bucket, subject, at) VALUES (?, ?, ?)').run(bucket, subject, at);
  }

  async prune(before: number): Promise<number> {
    return this.#sql('DELETE FROM page_hits WHERE at <= ?').run(before).changes;
  }
}
