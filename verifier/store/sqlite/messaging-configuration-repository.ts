import { statementCache, type SqliteDatabase } from '../../../gateway/storage/sqlite';
import type { MessagingConfiguration, MessagingConfigurationRepository } from '../messaging-configuration-repository';

const columns = `service_sid AS serviceSid, account_sid AS accountSid, country, messaging_service_sid AS messagingServiceSid,
  created_at AS createdAt, updated_at AS updatedAt`;

export class SqliteMessagingConfigurationRepository implements MessagingConfigurationRepository {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }

  async insert(config: MessagingConfiguration): Promise<boolean> {
    return this.#sql(`INSERT INTO messaging_configurations (service_sid, account_sid, country, messaging_service_sid, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
      .run(config.serviceSid, config.accountSid, config.country, config.messagingServiceSid, config.createdAt, config.updatedAt).changes > 0;
  }

  async get(serviceSid: string, country: string): Promise<MessagingConfiguration | undefined> {
    return this.#sql(`SELECT ${columns} FROM messaging_configurations WHERE service_sid = ? AND country = ?`).get(serviceSid, country) as MessagingConfiguration | undefined;
  }

  async list(serviceSid: string, offset: number, limit: number): Promise<{ items: MessagingConfiguration[]; total: number }> {
    const items = this.#sql(`SELECT ${columns} FROM messaging_configurations WHERE service_sid = ? ORDER BY created_at, country LIMIT ? OFFSET ?`)
      .all(serviceSid, limit, offset) as MessagingConfiguration[];
    const { total } = this.#sql('SELECT COUNT(*) AS total FROM messaging_configurations WHERE service_sid = ?').get(serviceSid) as { total: number };
    return { items, total };
  }

  async update(serviceSid: string, country: string, messagingServiceSid: string, now: number): Promise<MessagingConfiguration | undefined> {
    return this.#sql(`UPDATE messaging_configurations SET messaging_service_sid = ?, updated_at = ? WHERE service_sid = ? AND country = ? RETURNING ${columns}`)
      .get(messagingServiceSid, now, serviceSid, country) as MessagingConfiguration | undefined;
  }

  async delete(serviceSid: string, country: string): Promise<boolean> {
    return this.#sql('DELETE FROM messaging_configurations WHERE service_sid = ? AND country = ?').run(serviceSid, country).changes > 0;
  }
}
