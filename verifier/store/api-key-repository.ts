import { createHash, timingSafeEqual } from 'node:crypto';

export interface ApiKey {
  sid: string;
  accountSid: string;
  friendlyName: string;
  createdAt: number;
  updatedAt: number;
}

/**
 * API keys (SK…): the secret is shown once at creation and kept only as its SHA-256 (hex), so every
 * instance sharing the database accepts every key and a copy of the database reveals none.
 */
export interface ApiKeyRepository {
  insert(key: ApiKey, secretHash: string): Promise<void>;
  get(accountSid: string, sid: string): Promise<ApiKey | undefined>;
  list(accountSid: string, offset: number, limit: number): Promise<{ items: ApiKey[]; total: number }>;
  rename(accountSid: string, sid: string, friendlyName: string, now: number): Promise<ApiKey | undefined>;
  delete(accountSid: string, sid: string): Promise<boolean>;
  /** The stored SHA-256 (hex) of the key's secret. */
  secretHash(accountSid: string, sid: string): Promise<string | undefined>;
}

const digest = (secret: string) => createHash('sha256').update(secret).digest();

/** What an API key's secret is stored as. */
export const apiKeySecretHash = (secret: string): string => digest(secret).toString('hex');

/**
 * Whether `secret` is the secret of key `sid` of `accountSid`. The stored and given secrets are compared
 * as SHA-256 digests in constant time; an unknown key costs the same digest, so timing tells nothing.
 */
export async function apiKeySecretMatches(keys: ApiKeyRepository, accountSid: string, sid: string, secret: string): Promise<boolean> {
  const hash = await keys.secretHash(accountSid, sid);
  const given = digest(secret);
  const stored = hash === undefined ? Buffer.alloc(given.length) : Buffer.from(hash, 'hex');
  return stored.length === given.length && timingSafeEqual(given, stored) && hash !== undefined;
}
