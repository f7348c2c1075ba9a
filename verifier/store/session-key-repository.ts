/** A key that signs session tokens, as stored: the private JWK sealed under the code key. */
export interface SessionKeyRow {
  kid: string;
  /** The private JWK, sealed by the verifier's CodeBook (or JSON in clear, as written by earlier versions). */
  privateJwk: string;
  publicJwk: string;
  createdAt: number;
  retiredAt: number | null;
}

/**
 * The ES256 keys of the session tokens, shared by every instance on the database: any instance signs
 * with the active key and validates with any published one.
 */
export interface SessionKeyRepository {
  /** Every key, oldest first (keys made in the same millisecond in any stable order). */
  all(): Promise<SessionKeyRow[]>;
  /** Retires every active key at `now` (in the unit of work that inserts the next one). */
  retireActive(now: number): Promise<void>;
  insert(key: Omit<SessionKeyRow, 'retiredAt'>): Promise<void>;
  /** Overwrites the private parts of keys (sealing ones stored in clear) so that no copy of the old values stays. */
  replacePrivateKeys(keys: { kid: string; privateJwk: string }[]): Promise<void>;
  /** Deletes the keys retired at or before `before`: every token they signed has expired. */
  dropRetiredBefore(before: number): Promise<number>;
}
