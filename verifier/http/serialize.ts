import type { CarrierLookup } from '../number-lookup';
import { settingsJson } from '../service-settings';
import type { Attempt } from '../store/attempt-repository';
import type { Service } from '../store/service-repository';
import type { Verification } from '../store/verification-repository';

/** Twilio's date format: ISO-8601 in UTC, to the second. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function serviceJson(service: Service, base: string) {
  const url = `${base}/v2/Services/${service.sid}`;
  return {
    sid: service.sid,
    account_sid: service.accountSid,
    friendly_name: service.friendlyName,
    code_length: service.codeLength,
    psd2_enabled: service.psd2Enabled,
    mailer_sid: null,
    do_not_share_warning_enabled: service.doNotShareWarningEnabled,
    custom_code_enabled: service.customCodeEnabled,
    ...settingsJson(service.settings),
    // Our extensions: how long a verification stays pending, and where events go.
    verification_ttl: service.verificationTtl,
    status_callback: service.statusCallback,
    date_created: isoDate(service.createdAt),
    date_updated: isoDate(service.updatedAt),
    url,
    links: {
      verification_checks: `${url}/VerificationCheck`,
      verifications: `${url}/Verifications`,
      access_tokens: `${url}/AccessTokens`,
      rate_limits: `${url}/RateLimits`,
      messaging_configurations: `${url}/MessagingConfigurations`,
      entities: `${url}/Entities`,
      webhooks: `${url}/Webhooks`,
    },
  };
}

/** The fields a verification and a verification check share. */
function verificationFields(verification: Verification) {
  return {
    sid: verification.sid,
    service_sid: verification.serviceSid,
    account_sid: verification.accountSid,
    to: verification.to,
    channel: verification.channel,
    status: verification.status,
    valid: verification.status === 'approved',
    amount: verification.amount,
    payee: verification.payee,
    date_created: isoDate(verification.createdAt),
    date_updated: isoDate(verification.updatedAt),
  };
}

/** `carrier`: the number's lookup when the service has LookupEnabled (number-lookup.ts), else null. */
export function verificationJson(verification: Verification, attempts: Attempt[], base: string, carrier: CarrierLookup | null = null) {
  return {
    ...verificationFields(verification),
    lookup: { carrier },
    send_code_attempts: attempts.map((a) => ({ attempt_sid: a.sid, channel: a.channel, time: isoDate(a.createdAt) })),
    sna: null,
    url: `${base}/v2/Services/${verification.serviceSid}/Verifications/${verification.sid}`,
  };
}

export function verificationCheckJson(verification: Verification) {
  return { ...verificationFields(verification), sna_attempts_error_codes: [] };
}
