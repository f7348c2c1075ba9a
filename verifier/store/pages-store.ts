import { eraseSecurely, type SqliteDatabase } from '../../gateway/storage/sqlite';
import type { VerifyStore } from './verify-store';

export interface SessionKeyRow {
  kid: string;
  privateJwk: string;
  publicJwk: string;
  createdAt: number;
  retiredAt: number | null;
}

const keyColumns = 'kid, private_jwk AS privateJwk, public_jwk AS publicJwk, created_at AS createdAt, retired_at AS retiredAt';

/**
 * Storage of the hosted pages and session tokens (migration 002): the signing
 * keys and the rate windows of the pages. Built on a VerifyStore, whose
 * constructor has applied the migrations.
 */
export class PagesStore {
  readonly db: SqliteDatabase;

  constructor(store: VerifyStore) {
    this.db = store.db;
  }

  // Session signing keys

  sessionKeys(): SessionKeyRow[] {
    return this.db.prepare(`SELECT ${keyColumns} FROM session_keys ORDER BY created_at, rowid`).all() as SessionKeyRow[];
  }

  /** Adds `key` as the signing key and retires every other active key, in one transaction. */
  addSessionKey(key: Omit<SessionKeyRow, 'retiredAt'>, now: number): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE session_keys SET retired_at = ? WHERE retired_at IS NULL').run(now);
      this.db.prepare('INSERT INTO session_keys (kid, private_jwk, public_jwk, created_at, retired_at) VALUES (?, ?, ?, ?, NULL)')
        .run(key.kid, key.privateJwk, key.publicJwk, key.createdAt);
    })();
  }

  /** Overwrites the private parts of keys (sealing ones stored in clear) so no copy of the old values stays. */
  replacePrivateKeys(keys: { kid: string; privateJwk: string }[]): void {
    eraseSecurely(this.db, () => {
      for (const key of keys) this.db.prepare('UPDATE session_keys SET private_jwk = ? WHERE kid = ?').run(key.privateJwk, key.kid);
    });
  }

  /** Deletes the keys retired at or before `before`: every token they signed has expired. */
  dropSessionKeysRetiredBefore(before: number): number {
    return this.db.prepare('DELETE FROM session_keys WHERE retired_at IS NOT NULL AND retired_at <= ?').run(before).changes;
  }

  // Rate windows of the pages

  /**
   * Counts one hit of `subject` in `bucket` unless `max` hits were already
   * counted since `since`; the count and the insert share one transaction, so
   * concurrent requests cannot pass the limit together. False when limited.
   */
  takeHit(bucket: string, subject: string, max: number, since: number, now: number): boolean {
    return this.db.transaction(() => {
      const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM page_hits WHERE bucket = ? AND subject = ? AND at > ?').get(bucket, subject, since) as { n: number };
      if (n >= max) return false;
      this.db.prepare('INSERT INTO page_hits (bucket, subject, at) VALUES (?, ?, ?)').run(bucket, subject, now);
      return true;
    }).immediate();
  }

  /** Forgets hits older than `before`. */
  pruneHits(before: number): number {
    return this.db.prepare('DELETE FROM page_hits WHERE at <= ?').run(before).changes;
  }
}
