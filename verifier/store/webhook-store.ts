import { statementCache, type SqliteDatabase } from '../../gateway/storage/sqlite';

export interface Webhook {
  sid: string;
  serviceSid: string;
  accountSid: string;
  friendlyName: string;
  eventTypes: string[];
  status: 'enabled' | 'disabled';
  version: 'v2';
  webhookUrl: string;
  webhookMethod: 'POST';
  createdAt: number;
  updatedAt: number;
}

export type WebhookUpdate = Partial<Pick<Webhook, 'friendlyName' | 'eventTypes' | 'status' | 'webhookUrl'>>;

const columns = `sid, service_sid AS serviceSid, account_sid AS accountSid, friendly_name AS friendlyName, event_types AS eventTypes,
  status, version, webhook_url AS webhookUrl, webhook_method AS webhookMethod, created_at AS createdAt, updated_at AS updatedAt`;

function fromRow(row: unknown): Webhook | undefined {
  if (!row) return undefined;
  const r = row as Omit<Webhook, 'eventTypes'> & { eventTypes: string };
  return { ...r, eventTypes: JSON.parse(r.eventTypes) as string[] };
}

/** Services/{VA}/Webhooks: where a service's Verify events go. */
export class WebhookStore {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }

  insert(hook: Webhook): void {
    this.#sql(`INSERT INTO webhooks (sid, service_sid, account_sid, friendly_name, event_types, status, version, webhook_url, webhook_method, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(hook.sid, hook.serviceSid, hook.accountSid, hook.friendlyName, JSON.stringify(hook.eventTypes),
      hook.status, hook.version, hook.webhookUrl, hook.webhookMethod, hook.createdAt, hook.updatedAt);
  }

  get(serviceSid: string, sid: string): Webhook | undefined {
    return fromRow(this.#sql(`SELECT ${columns} FROM webhooks WHERE service_sid = ? AND sid = ?`).get(serviceSid, sid));
  }

  list(serviceSid: string, offset: number, limit: number): { items: Webhook[]; total: number } {
    const items = this.#sql(`SELECT ${columns} FROM webhooks WHERE service_sid = ? ORDER BY created_at, sid LIMIT ? OFFSET ?`).all(serviceSid, limit, offset).map((r) => fromRow(r)!);
    const { total } = this.#sql('SELECT COUNT(*) AS total FROM webhooks WHERE service_sid = ?').get(serviceSid) as { total: number };
    return { items, total };
  }

  /** The enabled webhooks of a service subscribed to `eventType` (or to `*`). */
  subscribers(serviceSid: string, eventType: string): Webhook[] {
    return this.#sql(`SELECT ${columns} FROM webhooks WHERE service_sid = ? AND status = 'enabled'`).all(serviceSid)
      .map((r) => fromRow(r)!)
      .filter((hook) => hook.eventTypes.includes('*') || hook.eventTypes.includes(eventType));
  }

  update(serviceSid: string, sid: string, changes: WebhookUpdate, now: number): Webhook | undefined {
    const current = this.get(serviceSid, sid);
    if (!current) return undefined;
    const next = { ...current, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) } as Webhook;
    this.#sql('UPDATE webhooks SET friendly_name = ?, event_types = ?, status = ?, webhook_url = ?, updated_at = ? WHERE service_sid = ? AND sid = ?')
      .run(next.friendlyName, JSON.stringify(next.eventTypes), next.status, next.webhookUrl, now, serviceSid, sid);
    return this.get(serviceSid, sid);
  }

  delete(serviceSid: string, sid: string): boolean {
    return this.#sql('DELETE FROM webhooks WHERE service_sid = ? AND sid = ?').run(serviceSid, sid).changes > 0;
  }
}
