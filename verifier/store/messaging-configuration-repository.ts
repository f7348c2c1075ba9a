export interface MessagingConfiguration {
  serviceSid: string;
  accountSid: string;
  /** ISO 3166-1 alpha-2, or `all`. */
  country: string;
  messagingServiceSid: string;
  createdAt: number;
  updatedAt: number;
}

/** Services/{VA}/MessagingConfigurations: which Messaging Service a country's SMS would use on Twilio. */
export interface MessagingConfigurationRepository {
  /** Inserts; false when the country already has one. */
  insert(config: MessagingConfiguration): Promise<boolean>;
  get(serviceSid: string, country: string): Promise<MessagingConfiguration | undefined>;
  list(serviceSid: string, offset: number, limit: number): Promise<{ items: MessagingConfiguration[]; total: number }>;
  update(serviceSid: string, country: string, messagingServiceSid: string, now: number): Promise<MessagingConfiguration | undefined>;
  delete(serviceSid: string, country: string): Promise<boolean>;
}
