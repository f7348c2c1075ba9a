/**
 * Sliding-window hit logs of the hosted pages (per client IP, per number), shared by every instance.
 * A decision reads then writes, so it runs in a transaction that first takes `tx.lock` on its
 * bucket and subject (see PageRateLimiter).
 */
export interface PageHitRepository {
  /** Hits of `subject` in `bucket` after `since`. */
  countSince(bucket: string, subject: string, since: number): Promise<number>;
  insert(bucket: string, subject: string, at: number): Promise<void>;
  /** Forgets hits at or before `before`. */
  prune(before: number): Promise<number>;
}
