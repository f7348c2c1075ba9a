export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** 0..1: the share of each delay drawn at random, so many clients do not retry in step. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, jitter: 0.2 };

/** Exponential delay for the n-th retry (0-based), capped, with jitter. */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (1 - policy.jitter + policy.jitter * random()));
}
