import { statementCache, type SqliteDatabase } from '../../../gateway/storage/sqlite';
import type { Webhook, WebhookRepository, WebhookUpdate } from '../webhook-repository';

const columns = `sid, service_sid AS serviceSid, account_sid AS accountSid, friendly_name AS friendlyName, event_types AS eventTypes,
  status, version, webhook_url AS webhookUrl, webhook_method AS webhookMethod, created_at AS createdAt, updated_at AS updatedAt`;

function fromRow(row: unknown): Webhook | undefined {
  if (!row) return undefined;
  const r = row as Omit<Webhook, 'eventTypes'> & { eventTypes: string };
  return { ...r, eventTypes: JSON.parse(r.eventTypes) as string[] };
}

export class SqliteWebhookRepository implements WebhookRepository {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }

  async insert(hook: Webhook): Promise<void> {
    this.#sql(`INSERT INTO webhooks (sid, service_sid, account_sid, friendly_name, event_types, status, version, webhook_url, webhook_method, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(hook.sid, hook.serviceSid, hook.accountSid, hook.friendlyName, JSON.stringify(hook.eventTypes),
      hook.status, hook.version, hook.webhookUrl, hook.webhookMethod, hook.createdAt, hook.updatedAt);
  }

  async get(serviceSid: string, sid: string): Promise<Webhook | undefined> {
    return fromRow(this.#sql(`SELECT ${columns} FROM webhooks WHERE service_sid = ? AND sid = ?`).get(serviceSid, sid));
  }

  async list(serviceSid: string, offset: number, limit: number): Promise<{ items: Webhook[]; total: number }> {
    const items = this.#sql(`SELECT ${columns} FROM webhooks WHERE service_sid = ? ORDER BY created_at, sid LIMIT ? OFFSET ?`).all(serviceSid, limit, offset).map((r) => fromRow(r)!);
    const { total } = this.#sql('SELECT COUNT(*) AS total FROM webhooks WHERE service_sid = ?').get(serviceSid) as { total: number };
    return { items, total };
  }

  async subscribers(serviceSid: string, eventType: string): Promise<Webhook[]> {
    return this.#sql(`SELECT ${columns} FROM webhooks WHERE service_sid = ? AND status = 'enabled'`).all(serviceSid)
      .map((r) => fromRow(r)!)
      .filter((hook) => hook.eventTypes.includes('*') || hook.eventTypes.includes(eventType));
  }

  async update(serviceSid: string, sid: string, changes: WebhookUpdate, now: number): Promise<Webhook | undefined> {
    return fromRow(this.#sql(`UPDATE webhooks SET friendly_name = COALESCE(?, friendly_name), event_types = COALESCE(?, event_types),
      status = COALESCE(?, status), webhook_url = COALESCE(?, webhook_url), updated_at = ? WHERE service_sid = ? AND sid = ? RETURNING ${columns}`).get(
      changes.friendlyName ?? null, changes.eventTypes === undefined ? null : JSON.stringify(changes.eventTypes), changes.status ?? null,
      changes.webhookUrl ?? null, now, serviceSid, sid));
  }

  async delete(serviceSid: string, sid: string): Promise<boolean> {
    return this.#sql('DELETE FROM webhooks WHERE service_sid = ? AND sid = ?').run(serviceSid, sid).changes > 0;
  }
}
