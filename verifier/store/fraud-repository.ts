import type { StartOrigin } from './verification-repository';

/** What the fraud guard counts and blocks: one prefix, in one service, for one origin. */
export interface FraudKey {
  serviceSid: string;
  origin: StartOrigin;
  prefix: string;
}

export interface FraudStanding {
  starts: number;
  approvals: number;
  /** The reason of the block running, or null. */
  blocked: string | null;
}

/** The fraud guard's counters per (service, origin, prefix, time bucket), and its blocks. */
export interface FraudRepository {
  /** Adds one start or one approval to a bucket (an upsert: atomic under concurrency). */
  count(key: FraudKey, bucket: number, what: 'starts' | 'approvals'): Promise<void>;
  /**
   * In one read: the starts and approvals of `key` in the buckets from `fromBucket` on (a handful of rows,
   * however long its history), and the reason of its block still running at `now` (null when none).
   */
  standing(key: FraudKey, fromBucket: number, now: number): Promise<FraudStanding>;
  /** Forgets the buckets before `beforeBucket`; returns how many rows went. */
  prune(beforeBucket: number): Promise<number>;
  /** Blocks `key` until `until` (replacing an earlier block). */
  block(key: FraudKey, reason: string, until: number, now: number): Promise<void>;
}
