import type { StartOrigin } from './verification-repository';

/** What the fraud guard counts and blocks: one prefix, in one service, for one origin. */
export interface FraudKey {
  serviceSid: string;
  origin: StartOrigin;
  prefix: string;
}

/** The fraud guard's counters per (service, origin, prefix, time bucket), and its blocks. */
export interface FraudRepository {
  /** Adds one start or one approval to a bucket (an upsert: atomic under concurrency). */
  count(key: FraudKey, bucket: number, what: 'starts' | 'approvals'): Promise<void>;
  /** Starts and approvals of `key` in the buckets from `fromBucket` on: a handful of rows, however long its history. */
  activity(key: FraudKey, fromBucket: number): Promise<{ starts: number; approvals: number }>;
  /** Forgets the buckets before `beforeBucket`; returns how many rows went. */
  prune(beforeBucket: number): Promise<number>;
  /** Blocks `key` until `until` (replacing an earlier block). */
  block(key: FraudKey, reason: string, until: number, now: number): Promise<void>;
  /** The block of `key` still running at `now`, if any. */
  blocked(key: FraudKey, now: number): Promise<{ reason: string } | undefined>;
}
