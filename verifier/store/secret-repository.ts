/** Named values the verifier keeps for itself (the hosted pages' service SID; legacy keys being moved out). */
export interface SecretRepository {
  get(name: string): Promise<string | undefined>;
  /** The value under `name`, or `create()` stored there on first use; of concurrent first uses, one value wins for all. */
  getOrCreate(name: string, create: () => string, now: number): Promise<string>;
  /** Deletes the value so that no copy stays in the database's files (secure delete where the backend has it). */
  erase(name: string): Promise<void>;
}
