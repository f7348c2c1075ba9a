import type { Channel } from './verification-repository';

/** One send of a verification (an SMS, a call, a flash call) and its delivery status. */
export interface Attempt {
  sid: string;
  verificationSid: string;
  serviceSid: string;
  to: string;
  channel: Channel;
  outboxId: string | null;
  deliveryStatus: string;
  callSid: string | null;
  tokenExpiresAt: number | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A delivery status change; fields left out keep their value. */
export interface AttemptChanges {
  deliveryStatus?: string;
  callSid?: string;
  error?: string | null;
}

/** An attempt as a delivery change left it, and whether its service has anyone to tell (a StatusCallback or a Webhook). */
export type ChangedAttempt = Attempt & { serviceListens: boolean };

export interface AttemptRepository {
  /** `tokenHash`: the hash of the RCML URL token of a call (null for an SMS). */
  insert(attempt: Attempt, tokenHash: string | null): Promise<void>;
  get(sid: string): Promise<Attempt | undefined>;
  /** The attempts of a verification, oldest first. */
  of(verificationSid: string): Promise<Attempt[]>;
  /** The attempt whose RCML token hashes to `tokenHash`, if the token has not expired. */
  byToken(tokenHash: string, now: number): Promise<Attempt | undefined>;
  /** Applies `changes` to one attempt and returns it as changed; undefined if there is none. */
  update(sid: string, changes: AttemptChanges, now: number): Promise<ChangedAttempt | undefined>;
  /** The same, for the attempt that outbox row `outboxId` sends (the gateway knows only its rows). */
  updateByOutbox(outboxId: string, changes: AttemptChanges, now: number): Promise<ChangedAttempt | undefined>;
  /** Send attempts of one verification made after `since` (the per-verification send window). */
  countSince(verificationSid: string, since: number): Promise<number>;
  /** Send attempts in a service made after `since` (the per-service rate). */
  countInService(serviceSid: string, since: number): Promise<number>;
}
