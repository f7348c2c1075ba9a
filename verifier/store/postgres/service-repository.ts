import { execute, query, type PgQueryable } from '../../../gateway/storage/postgres';
import { settingsFromJson } from '../../service-settings';
import type { Service, ServiceRepository, ServiceUpdate } from '../service-repository';
import { selectList } from './columns';

export const SERVICE_COLUMNS = {
  sid: 'sid', accountSid: 'account_sid', friendlyName: 'friendly_name', codeLength: 'code_length', psd2Enabled: 'psd2_enabled',
  doNotShareWarningEnabled: 'do_not_share_warning_enabled', customCodeEnabled: 'custom_code_enabled', verificationTtl: 'verification_ttl',
  statusCallback: 'status_callback', settings: 'settings', createdAt: 'created_at', updatedAt: 'updated_at',
} satisfies Record<Exclude<keyof Service, 'hasWebhooks'>, string>;

/** Whether the service row `table` names has a Webhook (Service.hasWebhooks): one probe of webhooks_service. */
export const hasWebhooks = (table: string) => `EXISTS (SELECT 1 FROM webhooks w WHERE w.service_sid = ${table}.sid)`;

/** A service as selected: its settings column holds their JSON. */
export function serviceOf(row: Record<string, unknown>): Service {
  return { ...row, settings: settingsFromJson(row['settings'] as string | null) } as Service;
}
/** A column's value as a parameter: the settings object as its JSON. */
const param = (value: unknown) => (typeof value === 'object' && value !== null ? JSON.stringify(value) : value);
const columns = `${selectList(SERVICE_COLUMNS)}, ${hasWebhooks('services')} AS "hasWebhooks"`;
const INSERT = `INSERT INTO services (sid, account_sid, friendly_name, code_length, psd2_enabled, do_not_share_warning_enabled,
  custom_code_enabled, verification_ttl, status_callback, settings, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`;
const values = (s: Service) => [s.sid, s.accountSid, s.friendlyName, s.codeLength, s.psd2Enabled, s.doNotShareWarningEnabled, s.customCodeEnabled,
  s.verificationTtl, s.statusCallback, JSON.stringify(s.settings), s.createdAt, s.updatedAt];

export class PostgresServiceRepository implements ServiceRepository {
  readonly #db: PgQueryable;

  constructor(db: PgQueryable) {
    this.#db = db;
  }

  async insert(service: Service): Promise<void> {
    await execute(this.#db, INSERT, values(service));
  }

  async insertIfAbsent(service: Service): Promise<Service> {
    await execute(this.#db, `${INSERT} ON CONFLICT (sid) DO NOTHING`, values(service));
    // A new statement sees a concurrent instance's row once its insert committed (ours waited for it).
    return serviceOf((await query(this.#db, `SELECT ${columns} FROM services WHERE sid = $1`, [service.sid]))[0]!);
  }

  async get(accountSid: string, sid: string): Promise<Service | undefined> {
    const row = (await query(this.#db, `SELECT ${columns} FROM services WHERE sid = $1 AND account_sid = $2`, [sid, accountSid]))[0];
    return row && serviceOf(row);
  }

  async list(accountSid: string, offset: number, limit: number): Promise<{ services: Service[]; total: number }> {
    const rows = await query<Record<string, unknown> & { total: number }>(this.#db,
      `SELECT ${columns}, COUNT(*) OVER () AS total FROM services WHERE account_sid = $1 ORDER BY created_at, sid LIMIT $2 OFFSET $3`, [accountSid, limit, offset]);
    const total = rows[0]?.total ?? (offset > 0 ? await this.#count(accountSid) : 0);
    return { services: rows.map(({ total: _, ...service }) => serviceOf(service)), total };
  }

  async #count(accountSid: string): Promise<number> {
    return (await query<{ n: number }>(this.#db, 'SELECT COUNT(*) AS n FROM services WHERE account_sid = $1', [accountSid]))[0]!.n;
  }

  async update(accountSid: string, sid: string, changes: ServiceUpdate, now: number): Promise<Service | undefined> {
    const entries = Object.entries(changes).filter(([, v]) => v !== undefined) as [keyof ServiceUpdate, unknown][];
    // An update without fields changes nothing, its time neither (as on SQLite).
    if (entries.length === 0) return this.get(accountSid, sid);
    // Only known property names reach the SQL text: the column names come from SERVICE_COLUMNS, values are parameters.
    const sets = entries.map(([key], i) => `${SERVICE_COLUMNS[key]} = $${i + 4}`);
    const row = (await query(this.#db,
      `UPDATE services SET ${[...sets, 'updated_at = $3'].join(', ')} WHERE sid = $1 AND account_sid = $2 RETURNING ${columns}`,
      [sid, accountSid, now, ...entries.map(([, v]) => param(v))]))[0];
    return row && serviceOf(row);
  }

  async delete(accountSid: string, sid: string): Promise<boolean> {
    return (await execute(this.#db, 'DELETE FROM services WHERE sid = $1 AND account_sid = $2', [sid, accountSid])) > 0;
  }
}
