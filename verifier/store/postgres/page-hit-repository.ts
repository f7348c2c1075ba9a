import { execute, query, type PgQueryable } from '../../../gateway/storage/postgres';
import type { PageHitRepository } from '../page-hit-repository';

export class PostgresPageHitRepository implements PageHitRepository {
  readonly #db: PgQueryable;

  constructor(db: PgQueryable) {
    this.#db = db;
  }

  async countSince(bucket: string, subject: string, since: number): Promise<number> {
    return (await query<{ n: number }>(this.#db, 'SELECT COUNT(*) AS n FROM page_hits WHERE bucket = $1 AND subject = $2 AND at > $3', [bucket, subject, since]))[0]!.n;
  }

  async insert(bucket: string, subject: string, at: number): Promise<void> {
    await execute(this.#db, 'INSERT INTO page_hits (bucket, subject, at) VALUES ($1, $2, $3)', [bucket, subject, at]);
  }

  async prune(before: number): Promise<number> {
    return execute(this.#db, 'DELETE FROM page_hits WHERE at <= $1', [before]);
  }
}
