import { statementCache, type SqliteDatabase } from '../../../gateway/storage/sqlite';
import type { Service, ServiceRepository, ServiceUpdate } from '../service-repository';
import { serviceColumns, withBooleans } from './rows';

const fields: Record<keyof ServiceUpdate, string> = {
  friendlyName: 'friendly_name',
  codeLength: 'code_length',
  psd2Enabled: 'psd2_enabled',
  doNotShareWarningEnabled: 'do_not_share_warning_enabled',
  customCodeEnabled: 'custom_code_enabled',
  verificationTtl: 'verification_ttl',
  statusCallback: 'status_callback',
  settings: 'settings',
};

export class SqliteServiceRepository implements ServiceRepository {
  readonly #sql: ReturnType<typeof statementCache>;

  constructor(db: SqliteDatabase) {
    this.#sql = statementCache(db);
  }

  async insert(service: Service): Promise<void> {
    this.#insert('INSERT', service);
  }

  async insertIfAbsent(service: Service): Promise<Service> {
    this.#insert('INSERT OR IGNORE', service);
    return withBooleans<Service>(this.#sql(`SELECT ${serviceColumns} FROM services WHERE sid = ?`).get(service.sid));
  }

  async get(accountSid: string, sid: string): Promise<Service | undefined> {
    return withBooleans<Service | undefined>(this.#sql(`SELECT ${serviceColumns} FROM services WHERE sid = ? AND account_sid = ?`).get(sid, accountSid));
  }

  async list(accountSid: string, offset: number, limit: number): Promise<{ services: Service[]; total: number }> {
    return ({
      services: this.#sql(`SELECT ${serviceColumns} FROM services WHERE account_sid = ? ORDER BY created_at, sid LIMIT ? OFFSET ?`)
        .all(accountSid, limit, offset).map((row) => withBooleans<Service>(row)),
      total: this.#sql('SELECT COUNT(*) FROM services WHERE account_sid = ?').pluck().get(accountSid) as number,
    });
  }

  async update(accountSid: string, sid: string, changes: ServiceUpdate, now: number): Promise<Service | undefined> {
    const entries = Object.entries(changes).filter(([, v]) => v !== undefined) as [keyof ServiceUpdate, unknown][];
    if (entries.length === 0) return withBooleans<Service | undefined>(this.#sql(`SELECT ${serviceColumns} FROM services WHERE sid = ? AND account_sid = ?`).get(sid, accountSid));
    const sets = entries.map(([key]) => `${fields[key]} = ?, `).join('');
    const values = entries.map(([, v]) => (typeof v === 'boolean' ? Number(v) : typeof v === 'object' && v !== null ? JSON.stringify(v) : v));
    return withBooleans<Service | undefined>(this.#sql(`UPDATE services SET ${sets}updated_at = ? WHERE sid = ? AND account_sid = ? RETURNING ${serviceColumns}`)
      .get(...values, now, sid, accountSid));
  }

  async delete(accountSid: string, sid: string): Promise<boolean> {
    return this.#sql('DELETE FROM services WHERE sid = ? AND account_sid = ?').run(sid, accountSid).changes > 0;
  }

  #insert(verb: 'INSERT' | 'INSERT OR IGNORE', service: Service): void {
    this.#sql(`${verb} INTO services (sid, account_sid, friendly_name, code_length, psd2_enabled, do_not_share_warning_enabled,
      custom_code_enabled, verification_ttl, status_callback, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      service.sid, service.accountSid, service.friendlyName, service.codeLength, Number(service.psd2Enabled), Number(service.doNotShareWarningEnabled),
      Number(service.customCodeEnabled), service.verificationTtl, service.statusCallback, JSON.stringify(service.settings), service.createdAt, service.updatedAt,
    );
  }
}
