export interface Entity {
  sid: string;
  serviceSid: string;
  accountSid: string;
  identity: string;
  createdAt: number;
  updatedAt: number;
}

export interface TotpConfig {
  /** Seconds per code. */
  timeStep: number;
  /** Steps accepted either side of now. */
  skew: number;
  codeLength: number;
  alg: 'sha1' | 'sha256' | 'sha512';
}

export interface Factor {
  sid: string;
  entitySid: string;
  serviceSid: string;
  accountSid: string;
  identity: string;
  friendlyName: string;
  status: 'unverified' | 'verified';
  factorType: 'totp';
  /** The TOTP seed, sealed under the code key; never stored in clear. */
  secretSealed: string;
  config: TotpConfig;
  metadata: Record<string, unknown> | null;
  attempts: number;
  createdAt: number;
  updatedAt: number;
}

export interface Challenge {
  sid: string;
  factorSid: string;
  entitySid: string;
  serviceSid: string;
  accountSid: string;
  identity: string;
  status: 'pending' | 'expired' | 'approved' | 'denied';
  respondedReason: 'none' | 'not_needed' | 'not_requested';
  details: Record<string, unknown> | null;
  hiddenDetails: Record<string, unknown> | null;
  metadata: Record<string, unknown> | null;
  attempts: number;
  expiresAt: number;
  respondedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** TOTP: Entities, their Factors and Challenges. Attempt counters move only by conditional UPDATEs. */
export interface TotpRepository {
  /** Inserts the entity, or returns the one the identity already has. */
  upsertEntity(entity: Entity): Promise<Entity>;
  entity(serviceSid: string, identity: string): Promise<Entity | undefined>;
  entities(serviceSid: string, offset: number, limit: number): Promise<{ items: Entity[]; total: number }>;
  /** Deletes the entity with its factors and challenges. */
  deleteEntity(serviceSid: string, identity: string): Promise<boolean>;

  insertFactor(factor: Factor): Promise<void>;
  factor(entitySid: string, sid: string): Promise<Factor | undefined>;
  factors(entitySid: string, offset: number, limit: number): Promise<{ items: Factor[]; total: number }>;
  /** Counts one verification attempt on an unverified factor, at most `max`, in one conditional UPDATE; false when none is left. */
  countFactorAttempt(sid: string, max: number, now: number): Promise<boolean>;
  verifyFactor(sid: string, now: number): Promise<void>;
  renameFactor(sid: string, friendlyName: string, now: number): Promise<void>;
  deleteFactor(entitySid: string, sid: string): Promise<boolean>;

  insertChallenge(challenge: Challenge): Promise<void>;
  /** The challenge, with `expired` in place of `pending` once its time is up. */
  challenge(entitySid: string, sid: string, now: number): Promise<Challenge | undefined>;
  /** Challenges of an entity, newest first, pending ones past their time shown (and stored) as expired. */
  challenges(entitySid: string, filter: { factorSid?: string; status?: string }, offset: number, limit: number, now: number): Promise<{ items: Challenge[]; total: number }>;
  /** Counts one response to a pending, unexpired challenge, at most `max`, in one conditional UPDATE; false when none is left. */
  countChallengeAttempt(sid: string, max: number, now: number): Promise<boolean>;
  /** Approves a pending challenge once: the conditional UPDATE is the race gate. */
  approveChallenge(sid: string, now: number): Promise<boolean>;
}
