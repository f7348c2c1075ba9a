import { statementCache, type SqliteDatabase } from '../../gateway/storage/sqlite';

export interface MessagingConfiguration {
  serviceSid: string;
  accountSid: string;
  /** ISO 3166-1 alpha-2, or `all`. */
  country: string;
  messagingServiceSid: string;
  createdAt: number;
  updatedAt: number;
}

const columns = `service_sid AS serviceSid, account_sid AS accountSid, country, messaging_service_sid AS messagingServiceSid,
  created_at AS createdAt, updated_at AS updatedAt`;

/** Services/{VA}/MessagingConfigurations: which Messaging Service a country's SMS would use on Twilio. */
export class MessagingConfigurationStore {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }

  /** Inserts; false when the country already has one. */
  insert(config: MessagingConfiguration): boolean {
    return this.#sql(`INSERT INTO messaging_configurations (service_sid, account_sid, country, messaging_service_sid, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
      .run(config.serviceSid, config.accountSid, config.country, config.messagingServiceSid, config.createdAt, config.updatedAt).changes > 0;
  }

  get(serviceSid: string, country: string): MessagingConfiguration | undefined {
    return this.#sql(`SELECT ${columns} FROM messaging_configurations WHERE service_sid = ? AND country = ?`).get(serviceSid, country) as MessagingConfiguration | undefined;
  }

  list(serviceSid: string, offset: number, limit: number): { items: MessagingConfiguration[]; total: number } {
    const items = this.#sql(`SELECT ${columns} FROM messaging_configurations WHERE service_sid = ? ORDER BY created_at, country LIMIT ? OFFSET ?`)
      .all(serviceSid, limit, offset) as MessagingConfiguration[];
    const { total } = this.#sql('SELECT COUNT(*) AS total FROM messaging_configurations WHERE service_sid = ?').get(serviceSid) as { total: number };
    return { items, total };
  }

  update(serviceSid: string, country: string, messagingServiceSid: string, now: number): MessagingConfiguration | undefined {
    this.#sql('UPDATE messaging_configurations SET messaging_service_sid = ?, updated_at = ? WHERE service_sid = ? AND country = ?').run(messagingServiceSid, now, serviceSid, country);
    return this.get(serviceSid, country);
  }

  delete(serviceSid: string, country: string): boolean {
    return this.#sql('DELETE FROM messaging_configurations WHERE service_sid = ? AND country = ?').run(serviceSid, country).changes > 0;
  }
}
