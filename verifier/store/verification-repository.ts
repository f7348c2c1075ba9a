import type { Service } from './service-repository';

export type Channel = 'sms' | 'call' | 'flashcall';
export type VerificationStatus = 'pending' | 'approved' | 'canceled' | 'expired' | 'max_attempts_reached' | 'failed';

/** Where a start came from: an authenticated API caller, or an anonymous visitor of the hosted pages. */
export type StartOrigin = 'api' | 'page';

export interface Verification {
  sid: string;
  serviceSid: string;
  accountSid: string;
  to: string;
  channel: Channel;
  status: VerificationStatus;
  codeNonce: string | null;
  codeHash: string;
  customCode: boolean;
  locale: string | null;
  customFriendlyName: string | null;
  amount: string | null;
  payee: string | null;
  checks: number;
  sends: number;
  /** The hosted-pages session that started it (a hash), or null when started through the API. */
  pageSession: string | null;
  /** Digits of its code, fixed at the start (null for rows older than this column: the service's). */
  codeLength: number | null;
  expiresAt: number;
  createdAt: number;
  updatedAt: number;
}

/** What a re-send changes besides the send count: the channel, and a new CustomCode's hash and length. */
export interface SendChanges {
  channel: Channel;
  now: number;
  code?: { hash: string; length: number };
}

/**
 * Verifications. Counters and status changes are single conditional statements that return the row as
 * they left it, so concurrent requests (or instances) can never push one past its limit, and no caller
 * reads a row back after changing it.
 */
export interface VerificationRepository {
  insert(verification: Verification): Promise<void>;
  /** The verification `sid` of the service `serviceSid`. */
  get(serviceSid: string, sid: string): Promise<Verification | undefined>;
  bySid(sid: string): Promise<Verification | undefined>;
  /** A verification with its service, read together (rendering a message, telling a status callback). */
  withService(sid: string): Promise<{ verification: Verification; service: Service } | undefined>;
  /**
   * The newest verification of `to` in the service that is still pending (expiry aside), started
   * through the API (`pageSession` null) or by that one hosted-pages session.
   */
  pendingFor(serviceSid: string, to: string, pageSession: string | null): Promise<Verification | undefined>;
  /** The newest verification of `to` in the service, whatever its status, from the API or that one page session. */
  latestFor(serviceSid: string, to: string, pageSession: string | null): Promise<Verification | undefined>;
  /**
   * Counts one send of a pending verification if fewer than `max` were made (and applies `changes`);
   * returns the row as changed, or undefined when the limit is reached or it is no longer pending.
   */
  countSend(sid: string, max: number, changes: SendChanges): Promise<Verification | undefined>;
  /**
   * The race gate of a check: counts the check only while the verification is pending, unexpired
   * and under `max` checks, in one statement. Concurrent checks serialize on it, so they can never
   * exceed the limit together. Returns the row as counted, or undefined when no check may be made.
   */
  countCheck(sid: string, max: number, now: number): Promise<Verification | undefined>;
  /** Moves a pending verification to `status`; returns it so, or undefined if it was no longer pending (someone else won). */
  settle(sid: string, status: VerificationStatus, now: number): Promise<Verification | undefined>;
  /** Marks every pending verification past its expiry as expired, and returns them. */
  expireDue(now: number): Promise<Verification[]>;
  /**
   * Deletes up to `limit` verifications that ended (approved, canceled, expired, failed) before
   * `before`, with their attempts; pending ones are never touched. Returns how many went.
   */
  pruneFinished(before: number, limit: number): Promise<number>;
}
