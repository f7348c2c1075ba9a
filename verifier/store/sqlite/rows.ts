import { settingsFromJson } from '../../service-settings';
import type { Service } from '../service-repository';
import type { Verification } from '../verification-repository';

/** SQLite keeps booleans as 0/1: these columns come back as booleans (and a service's settings as their JSON). */
const booleans = ['psd2Enabled', 'doNotShareWarningEnabled', 'customCodeEnabled', 'customCode', 'hasWebhooks', 'serviceListens'] as const;

export function withBooleans<T>(row: unknown): T {
  if (!row) return row as T;
  const out = { ...(row as Record<string, unknown>) };
  for (const key of booleans) if (key in out) out[key] = out[key] === 1;
  if (typeof out['settings'] === 'string') out['settings'] = settingsFromJson(out['settings']);
  return out as T;
}

/** Column → property name, per table. */
const SERVICE = {
  sid: 'sid', account_sid: 'accountSid', friendly_name: 'friendlyName', code_length: 'codeLength', psd2_enabled: 'psd2Enabled',
  do_not_share_warning_enabled: 'doNotShareWarningEnabled', custom_code_enabled: 'customCodeEnabled', verification_ttl: 'verificationTtl',
  status_callback: 'statusCallback', settings: 'settings', created_at: 'createdAt', updated_at: 'updatedAt',
};
const VERIFICATION = {
  sid: 'sid', service_sid: 'serviceSid', account_sid: 'accountSid', recipient: 'to', channel: 'channel', status: 'status', code_nonce: 'codeNonce',
  code_hash: 'codeHash', custom_code: 'customCode', locale: 'locale', custom_friendly_name: 'customFriendlyName', amount: 'amount', payee: 'payee',
  checks: 'checks', sends: 'sends', page_session: 'pageSession', code_length: 'codeLength', expires_at: 'expiresAt', created_at: 'createdAt', updated_at: 'updatedAt',
};
const ATTEMPT = {
  sid: 'sid', verification_sid: 'verificationSid', service_sid: 'serviceSid', recipient: 'to', channel: 'channel', outbox_id: 'outboxId',
  delivery_status: 'deliveryStatus', call_sid: 'callSid', token_expires_at: 'tokenExpiresAt', error: 'error', created_at: 'createdAt', updated_at: 'updatedAt',
};

/** A select list naming each column as its property (`table.` and an alias prefix when joining). */
function columns(map: Record<string, string>, table = '', prefix = ''): string {
  return Object.entries(map).map(([column, name]) => `${table && `${table}.`}${column} AS "${prefix}${name}"`).join(', ');
}

/** Whether the service row `table` names has a Webhook (Service.hasWebhooks): one probe of webhooks_service. */
const hasWebhooks = (table: string) => `EXISTS (SELECT 1 FROM webhooks w WHERE w.service_sid = ${table}.sid)`;

/** A service's columns, selected from (or returned by a change of) `services`. */
export const serviceColumns = `${columns(SERVICE)}, ${hasWebhooks('services')} AS "hasWebhooks"`;
export const verificationColumns = columns(VERIFICATION);
export const attemptColumns = columns(ATTEMPT);
/** A changed attempt's columns (ChangedAttempt), returned by a change of `attempts`: whether its service has anyone to tell. */
export const changedAttemptColumns = `${attemptColumns}, COALESCE((SELECT s.status_callback IS NOT NULL OR ${hasWebhooks('s')}
  FROM services s WHERE s.sid = attempts.service_sid), 0) AS "serviceListens"`;
/** A verification and its service in one row: the service's properties under `service.`. */
export const verificationWithServiceColumns = `${columns(VERIFICATION, 'v')}, ${columns(SERVICE, 's', 'service.')}, ${hasWebhooks('s')} AS "service.hasWebhooks"`;
const SERVICE_ALIASES = [...Object.values(SERVICE), 'hasWebhooks'].map((name) => [`service.${name}`, name] as const);
const VERIFICATION_NAMES = Object.values(VERIFICATION);

/** The two records of a `verificationWithServiceColumns` row. */
export function splitVerificationWithService(row: Record<string, unknown>): { verification: Verification; service: Service } {
  const verification: Record<string, unknown> = {};
  const service: Record<string, unknown> = {};
  for (const name of VERIFICATION_NAMES) verification[name] = row[name];
  for (const [alias, name] of SERVICE_ALIASES) service[name] = row[alias];
  return { verification: withBooleans<Verification>(verification), service: withBooleans<Service>(service) };
}
