import { createHash } from 'node:crypto';

/** A message template of GET /v2/Templates: which text of the locale files it sends. */
export interface BuiltinTemplate {
  sid: string;
  name: string;
  key: 'sms' | 'psd2';
  channels: string[];
}

const sidOf = (name: string) => `HJ${createHash('sha256').update(name).digest('hex').slice(0, 32)}`;

/**
 * Verigate's templates, with SIDs that stay the same on every install: a start's `TemplateSid` or a
 * service's `DefaultTemplateSid` names one of them. They cannot be changed through the API (Twilio's
 * pre-approved templates cannot either).
 */
export const BUILTIN_TEMPLATES: readonly BuiltinTemplate[] = [
  { name: 'Verigate default', key: 'sms', channels: ['sms'] },
  { name: 'Verigate PSD2', key: 'psd2', channels: ['sms'] },
].map((t) => ({ ...t, sid: sidOf(t.name) }) as BuiltinTemplate);

export function templateBySid(sid: string): BuiltinTemplate | undefined {
  return BUILTIN_TEMPLATES.find((t) => t.sid === sid);
}
