import { execute, query, type PgQueryable } from '../../../gateway/storage/postgres';
import type { MessagingConfiguration, MessagingConfigurationRepository } from '../messaging-configuration-repository';
import { selectList } from './columns';

const columns = selectList({
  serviceSid: 'service_sid', accountSid: 'account_sid', country: 'country', messagingServiceSid: 'messaging_service_sid',
  createdAt: 'created_at', updatedAt: 'updated_at',
} satisfies Record<keyof MessagingConfiguration, string>);

export class PostgresMessagingConfigurationRepository implements MessagingConfigurationRepository {
  readonly #db: PgQueryable;

  constructor(db: PgQueryable) {
    this.#db = db;
  }

  async insert(config: MessagingConfiguration): Promise<boolean> {
    return (await execute(this.#db, `INSERT INTO messaging_configurations (service_sid, account_sid, country, messaging_service_sid, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [config.serviceSid, config.accountSid, config.country, config.messagingServiceSid, config.createdAt, config.updatedAt])) > 0;
  }

  async get(serviceSid: string, country: string): Promise<MessagingConfiguration | undefined> {
    return (await query<MessagingConfiguration>(this.#db, `SELECT ${columns} FROM messaging_configurations WHERE service_sid = $1 AND country = $2`, [serviceSid, country]))[0];
  }

  async list(serviceSid: string, offset: number, limit: number): Promise<{ items: MessagingConfiguration[]; total: number }> {
    const items = await query<MessagingConfiguration>(this.#db, `SELECT ${columns} FROM messaging_configurations WHERE service_sid = $1
      ORDER BY created_at, country LIMIT $2 OFFSET $3`, [serviceSid, limit, offset]);
    const total = (await query<{ n: number }>(this.#db, 'SELECT COUNT(*) AS n FROM messaging_configurations WHERE service_sid = $1', [serviceSid]))[0]!.n;
    return { items, total };
  }

  async update(serviceSid: string, country: string, messagingServiceSid: string, now: number): Promise<MessagingConfiguration | undefined> {
    return (await query<MessagingConfiguration>(this.#db, `UPDATE messaging_configurations SET messaging_service_sid = $3, updated_at = $4
      WHERE service_sid = $1 AND country = $2 RETURNING ${columns}`, [serviceSid, country, messagingServiceSid, now]))[0];
  }

  async delete(serviceSid: string, country: string): Promise<boolean> {
    return (await execute(this.#db, 'DELETE FROM messaging_configurations WHERE service_sid = $1 AND country = $2', [serviceSid, country])) > 0;
  }
}
