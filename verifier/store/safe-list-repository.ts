export interface SafeListEntry {
  sid: string;
  phoneNumber: string;
  accountSid: string;
  createdAt: number;
}

/** The safe list (SafeList/Numbers): numbers the fraud guard never blocks. */
export interface SafeListRepository {
  /** Adds the number, or returns the entry it already has. */
  add(entry: SafeListEntry): Promise<SafeListEntry>;
  get(phoneNumber: string): Promise<SafeListEntry | undefined>;
  has(phoneNumber: string): Promise<boolean>;
  remove(phoneNumber: string): Promise<boolean>;
}
