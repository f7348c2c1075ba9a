import type { ServiceSettings } from '../service-settings';

/** A Verify service (VA…): the settings its verifications are made with. */
export interface Service {
  sid: string;
  accountSid: string;
  friendlyName: string;
  codeLength: number;
  psd2Enabled: boolean;
  doNotShareWarningEnabled: boolean;
  customCodeEnabled: boolean;
  /** Seconds a verification stays pending. */
  verificationTtl: number;
  statusCallback: string | null;
  /** Twilio's further settings (LookupEnabled, TtsName, Totp.* …), stored as one JSON column. */
  settings: ServiceSettings;
  createdAt: number;
  updatedAt: number;
  /**
   * Whether the service has any Webhook, read with the row (not a setting): its events look their subscribers
   * up only when it has. Undefined on a service not read from storage: look them up.
   */
  hasWebhooks?: boolean;
}

export type ServiceUpdate = Partial<Omit<Service, 'sid' | 'accountSid' | 'createdAt' | 'updatedAt' | 'hasWebhooks'>>;

/** The services of an account. Every read is scoped by the account. */
export interface ServiceRepository {
  insert(service: Service): Promise<void>;
  /**
   * Inserts `service` unless a service with its SID exists, and returns the stored one: of several
   * instances creating the same well-known service at once (the hosted pages'), all get one row.
   */
  insertIfAbsent(service: Service): Promise<Service>;
  get(accountSid: string, sid: string): Promise<Service | undefined>;
  /** A page of the account's services, oldest first, and how many there are in all. */
  list(accountSid: string, offset: number, limit: number): Promise<{ services: Service[]; total: number }>;
  /** Applies `changes` in one statement and returns the service as stored; undefined if there is none. */
  update(accountSid: string, sid: string, changes: ServiceUpdate, now: number): Promise<Service | undefined>;
  /** Deletes the service with its verifications and attempts; false if there was none. */
  delete(accountSid: string, sid: string): Promise<boolean>;
}
