import { execute, query, type PgQueryable } from '../../../gateway/storage/postgres';
import type { Webhook, WebhookRepository, WebhookUpdate } from '../webhook-repository';
import { selectList } from './columns';

const columns = selectList({
  sid: 'sid', serviceSid: 'service_sid', accountSid: 'account_sid', friendlyName: 'friendly_name', eventTypes: 'event_types', status: 'status',
  version: 'version', webhookUrl: 'webhook_url', webhookMethod: 'webhook_method', createdAt: 'created_at', updatedAt: 'updated_at',
} satisfies Record<keyof Webhook, string>);

const fromRow = (row: Omit<Webhook, 'eventTypes'> & { eventTypes: string }): Webhook => ({ ...row, eventTypes: JSON.parse(row.eventTypes) as string[] });
type Row = Parameters<typeof fromRow>[0];

export class PostgresWebhookRepository implements WebhookRepository {
  readonly #db: PgQueryable;

  constructor(db: PgQueryable) {
    this.#db = db;
  }

  async insert(hook: Webhook): Promise<void> {
    await execute(this.#db, `INSERT INTO webhooks (sid, service_sid, account_sid, friendly_name, event_types, status, version, webhook_url, webhook_method,
      created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [hook.sid, hook.serviceSid, hook.accountSid, hook.friendlyName,
      JSON.stringify(hook.eventTypes), hook.status, hook.version, hook.webhookUrl, hook.webhookMethod, hook.createdAt, hook.updatedAt]);
  }

  async get(serviceSid: string, sid: string): Promise<Webhook | undefined> {
    const row = (await query<Row>(this.#db, `SELECT ${columns} FROM webhooks WHERE service_sid = $1 AND sid = $2`, [serviceSid, sid]))[0];
    return row && fromRow(row);
  }

  async list(serviceSid: string, offset: number, limit: number): Promise<{ items: Webhook[]; total: number }> {
    const rows = await query<Row>(this.#db, `SELECT ${columns} FROM webhooks WHERE service_sid = $1 ORDER BY created_at, sid LIMIT $2 OFFSET $3`, [serviceSid, limit, offset]);
    const total = (await query<{ n: number }>(this.#db, 'SELECT COUNT(*) AS n FROM webhooks WHERE service_sid = $1', [serviceSid]))[0]!.n;
    return { items: rows.map(fromRow), total };
  }

  async subscribers(serviceSid: string, eventType: string): Promise<Webhook[]> {
    const rows = await query<Row>(this.#db, `SELECT ${columns} FROM webhooks WHERE service_sid = $1 AND status = 'enabled'`, [serviceSid]);
    return rows.map(fromRow).filter((hook) => hook.eventTypes.includes('*') || hook.eventTypes.includes(eventType));
  }

  async update(serviceSid: string, sid: string, changes: WebhookUpdate, now: number): Promise<Webhook | undefined> {
    const row = (await query<Row>(this.#db, `UPDATE webhooks SET friendly_name = COALESCE($3, friendly_name), event_types = COALESCE($4, event_types),
      status = COALESCE($5, status), webhook_url = COALESCE($6, webhook_url), updated_at = $7 WHERE service_sid = $1 AND sid = $2 RETURNING ${columns}`, [
      serviceSid, sid, changes.friendlyName ?? null, changes.eventTypes === undefined ? null : JSON.stringify(changes.eventTypes), changes.status ?? null,
      changes.webhookUrl ?? null, now,
    ]))[0];
    return row && fromRow(row);
  }

  async delete(serviceSid: string, sid: string): Promise<boolean> {
    return (await execute(this.#db, 'DELETE FROM webhooks WHERE service_sid = $1 AND sid = $2', [serviceSid, sid])) > 0;
  }
}
