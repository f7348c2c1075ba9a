import { newSid } from '../../verifier/ids';
import { DEFAULT_SERVICE_SETTINGS } from '../../verifier/service-settings';
import type { Attempt } from '../../verifier/store/attempt-repository';
import type { Service } from '../../verifier/store/service-repository';
import type { VerifierStorage } from '../../verifier/store/storage';
import type { Verification } from '../../verifier/store/verification-repository';
import { ACCOUNT } from './surface-fixtures';

/** The contract's epoch: every stored time is given, none read from a clock. */
export const T0 = Date.UTC(2026, 0, 1);

export function aService(changes: Partial<Service> = {}): Service {
  return {
    sid: newSid('VA'), accountSid: ACCOUNT, friendlyName: 'Acme', codeLength: 6, psd2Enabled: false, doNotShareWarningEnabled: false,
    customCodeEnabled: false, verificationTtl: 600, statusCallback: null, settings: DEFAULT_SERVICE_SETTINGS, createdAt: T0, updatedAt: T0, hasWebhooks: false, ...changes,
  };
}

export function aVerification(service: Service, changes: Partial<Verification> = {}): Verification {
  return {
    sid: newSid('VE'), serviceSid: service.sid, accountSid: service.accountSid, to: '+4915112345678', channel: 'sms', status: 'pending',
    codeNonce: 'nonce', codeHash: 'hash', customCode: false, locale: null, customFriendlyName: null, amount: null, payee: null,
    checks: 0, sends: 1, pageSession: null, codeLength: 6, expiresAt: T0 + 600_000, createdAt: T0, updatedAt: T0, ...changes,
  };
}

export function anAttempt(verification: Verification, changes: Partial<Attempt> = {}): Attempt {
  return {
    sid: newSid('VL'), verificationSid: verification.sid, serviceSid: verification.serviceSid, to: verification.to, channel: verification.channel,
    outboxId: null, deliveryStatus: 'queued', callSid: null, tokenExpiresAt: null, error: null, createdAt: T0, updatedAt: T0, ...changes,
  };
}

/** A service with one pending verification in it, stored. */
export async function storedVerification(storage: VerifierStorage, changes: Partial<Verification> = {}): Promise<{ service: Service; verification: Verification }> {
  const service = aService();
  await storage.services.insert(service);
  const verification = aVerification(service, changes);
  await storage.verifications.insert(verification);
  return { service, verification };
}
