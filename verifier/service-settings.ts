import { templateBySid } from './channels/builtin-templates';
import { VerifyError } from './errors';

/**
 * A Verify service's settings beyond the core ones (service-repository.ts), as Twilio's service resource
 * has them. Stored as one JSON column (`services.settings`): most only round-trip here, and none is
 * ever queried by. Which ones act is in docs/verify-api.md (Service settings).
 */
export interface ServiceSettings {
  /** Fills `lookup.carrier` of verifications from the number's type. */
  lookupEnabled: boolean;
  /** With lookupEnabled: an SMS to a landline answers 60205. */
  skipSmsToLandlines: boolean;
  /** A voice call asks for a key press before it reads the code. */
  dtmfInputRequired: boolean;
  /** The `<Say voice>` of voice calls. */
  ttsName: string | null;
  /** The template of a start without TemplateSid. */
  defaultTemplateSid: string | null;
  verifyEventSubscriptionEnabled: boolean;
  push: { includeDate: boolean; apnCredentialSid: string | null; fcmCredentialSid: string | null };
  /** Defaults of new TOTP factors and the issuer in their otpauth:// URI. */
  totp: { issuer: string | null; timeStep: number; codeLength: number; skew: number };
  whatsapp: { msgServiceSid: string | null; from: string | null };
  passkeys: {
    relyingParty: { id: string | null; name: string | null; origins: string[] };
    authenticatorAttachment: string | null;
    discoverableCredentials: string | null;
    userVerification: string | null;
  };
}

export const DEFAULT_SERVICE_SETTINGS: ServiceSettings = {
  lookupEnabled: false,
  skipSmsToLandlines: false,
  dtmfInputRequired: false,
  ttsName: null,
  defaultTemplateSid: null,
  verifyEventSubscriptionEnabled: false,
  push: { includeDate: false, apnCredentialSid: null, fcmCredentialSid: null },
  totp: { issuer: null, timeStep: 30, codeLength: 6, skew: 1 },
  whatsapp: { msgServiceSid: null, from: null },
  passkeys: { relyingParty: { id: null, name: null, origins: [] }, authenticatorAttachment: null, discoverableCredentials: null, userVerification: null },
};

type Form = Record<string, string | boolean | number | undefined>;

/** The form parameters of these settings, with what each takes (for the OpenAPI document). */
export const SETTING_PARAMETERS: Record<string, string> = {
  LookupEnabled: 'true or false: fill lookup.carrier of verifications from the number type',
  SkipSmsToLandlines: 'true or false: with LookupEnabled, refuse an SMS to a landline (60205)',
  DtmfInputRequired: 'true or false: a voice call waits for a key press before it reads the code',
  TtsName: 'The <Say voice> of voice calls, e.g. Polly.Joanna',
  DefaultTemplateSid: 'HJ… of GET /v2/Templates: the template of starts without TemplateSid',
  VerifyEventSubscriptionEnabled: 'true or false (stored only)',
  'Push.IncludeDate': 'true or false (stored only)',
  'Push.ApnCredentialSid': 'CR… (stored only)',
  'Push.FcmCredentialSid': 'CR… (stored only)',
  'Totp.Issuer': 'Issuer of new TOTP factors\' otpauth URI (default: the service name)',
  'Totp.TimeStep': 'Default time step of new TOTP factors, 20 to 60',
  'Totp.CodeLength': 'Default code length of new TOTP factors, 3 to 8',
  'Totp.Skew': 'Default skew of new TOTP factors, 0 to 2',
  'Whatsapp.MsgServiceSid': 'MG… (stored only)',
  'Whatsapp.From': 'E.164 number (stored only)',
  'Passkeys.RelyingParty.Id': 'Domain (stored only)',
  'Passkeys.RelyingParty.Name': 'Name (stored only)',
  'Passkeys.RelyingParty.Origins': 'Comma-separated origins (stored only)',
  'Passkeys.AuthenticatorAttachment': 'platform, cross-platform or any (stored only)',
  'Passkeys.DiscoverableCredentials': 'required, preferred or discouraged (stored only)',
  'Passkeys.UserVerification': 'required, preferred or discouraged (stored only)',
};

/** Whether a create or update form sets any of these settings. */
export function hasSettings(form: Form): boolean {
  return Object.keys(SETTING_PARAMETERS).some((name) => form[name] !== undefined);
}

const invalid = (name: string, why: string) => new VerifyError('INVALID_PARAMETER', `Invalid parameter \`${name}\`: ${why}`);

function text(form: Form, name: string): string | undefined {
  const value = form[name];
  return value === undefined ? undefined : String(value);
}

/** `true`/`false` in any case, as Twilio accepts them (older SDKs send `True`). */
export function parseFlag(name: string, value: Form[string]): boolean {
  const lower = String(value).toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw invalid(name, 'true or false');
  return lower === 'true';
}

function flag(form: Form, name: string): boolean | undefined {
  return form[name] === undefined ? undefined : parseFlag(name, form[name]);
}

function integer(form: Form, name: string, min: number, max: number): number | undefined {
  const raw = text(form, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw invalid(name, `${min} to ${max}`);
  return value;
}

/** Free text of at most `max` characters; empty clears it (null). */
function optional(form: Form, name: string, max: number, pattern?: RegExp, why?: string): string | null | undefined {
  const raw = text(form, name);
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (value === '') return null;
  if ([...value].length > max) throw invalid(name, `at most ${max} characters`);
  if (pattern && !pattern.test(value)) throw invalid(name, why ?? 'malformed');
  return value;
}

function oneOf(form: Form, name: string, values: readonly string[]): string | null | undefined {
  const value = optional(form, name, 32);
  if (value === undefined || value === null) return value;
  if (!values.includes(value)) throw invalid(name, values.join(', '));
  return value;
}

const defined = <T extends object>(changes: T): Partial<T> =>
  Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<T>;

const SID = (prefix: string) => new RegExp(`^${prefix}[0-9a-fA-F]{32}$`);

/**
 * The settings a create or update form changes, applied to `current`; parameters absent from the
 * form keep their value. Refuses malformed values with 60200, as Twilio does.
 */
export function applySettings(current: ServiceSettings, form: Form): ServiceSettings {
  const defaultTemplateSid = optional(form, 'DefaultTemplateSid', 34);
  if (defaultTemplateSid && !templateBySid(defaultTemplateSid)) throw invalid('DefaultTemplateSid', `${defaultTemplateSid} is not a template of this account (GET /v2/Templates lists them)`);
  const origins = text(form, 'Passkeys.RelyingParty.Origins');
  const originList = origins === undefined ? undefined : origins.split(',').map((o) => o.trim()).filter(Boolean);
  if (originList && (originList.length > 10 || originList.some((o) => o.length > 256))) throw invalid('Passkeys.RelyingParty.Origins', 'at most 10 origins of 256 characters, comma-separated');
  return {
    ...current,
    ...defined({
      lookupEnabled: flag(form, 'LookupEnabled'),
      skipSmsToLandlines: flag(form, 'SkipSmsToLandlines'),
      dtmfInputRequired: flag(form, 'DtmfInputRequired'),
      // A Twilio voice name such as `Polly.Joanna` or `alice`.
      ttsName: optional(form, 'TtsName', 64, /^[A-Za-z0-9._-]+$/, 'a voice name such as Polly.Joanna'),
      defaultTemplateSid,
      verifyEventSubscriptionEnabled: flag(form, 'VerifyEventSubscriptionEnabled'),
    }),
    push: { ...current.push, ...defined({
      includeDate: flag(form, 'Push.IncludeDate'),
      apnCredentialSid: optional(form, 'Push.ApnCredentialSid', 34, SID('CR'), 'a CR… SID'),
      fcmCredentialSid: optional(form, 'Push.FcmCredentialSid', 34, SID('CR'), 'a CR… SID'),
    }) },
    totp: { ...current.totp, ...defined({
      issuer: optional(form, 'Totp.Issuer', 64),
      timeStep: integer(form, 'Totp.TimeStep', 20, 60),
      codeLength: integer(form, 'Totp.CodeLength', 3, 8),
      skew: integer(form, 'Totp.Skew', 0, 2),
    }) },
    whatsapp: { ...current.whatsapp, ...defined({
      msgServiceSid: optional(form, 'Whatsapp.MsgServiceSid', 34, SID('MG'), 'an MG… SID'),
      from: optional(form, 'Whatsapp.From', 32, /^(whatsapp:)?\+[1-9]\d{6,14}$/, 'an E.164 number'),
    }) },
    passkeys: {
      ...current.passkeys,
      relyingParty: { ...current.passkeys.relyingParty, ...defined({
        id: optional(form, 'Passkeys.RelyingParty.Id', 253, /^[A-Za-z0-9.-]+$/, 'a domain such as example.com'),
        name: optional(form, 'Passkeys.RelyingParty.Name', 64),
        origins: originList,
      }) },
      ...defined({
        authenticatorAttachment: oneOf(form, 'Passkeys.AuthenticatorAttachment', ['platform', 'cross-platform', 'any']),
        discoverableCredentials: oneOf(form, 'Passkeys.DiscoverableCredentials', ['required', 'preferred', 'discouraged']),
        userVerification: oneOf(form, 'Passkeys.UserVerification', ['required', 'preferred', 'discouraged']),
      }),
    },
  };
}

/** The settings in a stored row (older rows, or ones missing a newer key, read as the defaults). */
export function settingsFromJson(json: string | null | undefined): ServiceSettings {
  const key = json ?? '';
  let settings = parsedSettings.get(key);
  if (!settings) {
    // A few distinct values at most (one per service): parsed once each, shared frozen.
    if (parsedSettings.size >= PARSED_SETTINGS_MAX) parsedSettings.clear();
    settings = deepFreeze(parseSettings(json));
    parsedSettings.set(key, settings);
  }
  return settings;
}

const PARSED_SETTINGS_MAX = 1_000;
const parsedSettings = new Map<string, ServiceSettings>();

function parseSettings(json: string | null | undefined): ServiceSettings {
  const stored = (json ? JSON.parse(json) : {}) as Partial<ServiceSettings>;
  const d = DEFAULT_SERVICE_SETTINGS;
  return {
    ...d,
    ...stored,
    push: { ...d.push, ...stored.push },
    totp: { ...d.totp, ...stored.totp },
    whatsapp: { ...d.whatsapp, ...stored.whatsapp },
    passkeys: { ...d.passkeys, ...stored.passkeys, relyingParty: { ...d.passkeys.relyingParty, ...stored.passkeys?.relyingParty } },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The settings' fields of Twilio's service resource, in its snake_case shape. */
export function settingsJson(settings: ServiceSettings) {
  const { passkeys } = settings;
  return {
    lookup_enabled: settings.lookupEnabled,
    skip_sms_to_landlines: settings.skipSmsToLandlines,
    dtmf_input_required: settings.dtmfInputRequired,
    tts_name: settings.ttsName,
    push: { include_date: settings.push.includeDate, apn_credential_sid: settings.push.apnCredentialSid, fcm_credential_sid: settings.push.fcmCredentialSid },
    totp: { issuer: settings.totp.issuer, time_step: settings.totp.timeStep, code_length: settings.totp.codeLength, skew: settings.totp.skew },
    default_template_sid: settings.defaultTemplateSid,
    whatsapp: { msg_service_sid: settings.whatsapp.msgServiceSid, from: settings.whatsapp.from },
    // Twilio answers null until a relying party is set.
    passkeys: passkeys.relyingParty.id === null && passkeys.relyingParty.name === null && passkeys.relyingParty.origins.length === 0 ? null : {
      relying_party: { id: passkeys.relyingParty.id, name: passkeys.relyingParty.name, origins: passkeys.relyingParty.origins },
      authenticator_attachment: passkeys.authenticatorAttachment,
      discoverable_credentials: passkeys.discoverableCredentials,
      user_verification: passkeys.userVerification,
    },
    verify_event_subscription_enabled: settings.verifyEventSubscriptionEnabled,
  };
}
