import { Secret, TOTP } from 'otpauth';
import type { TotpConfig } from './store/totp-repository';

export const DEFAULT_TOTP_CONFIG: TotpConfig = { timeStep: 30, skew: 1, codeLength: 6, alg: 'sha1' };

/** A new random TOTP seed (160 bits, as RFC 4226 recommends), in base32 as authenticator apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secret: string, config: TotpConfig, label: string, issuer: string): TOTP {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: config.alg.toUpperCase(), digits: config.codeLength, period: config.timeStep, label, issuer });
}

/** The otpauth:// URI an authenticator app scans (as a QR code) to bind the factor. */
export function totpUri(secret: string, config: TotpConfig, label: string, issuer: string): string {
  return totp(secret, config, label, issuer).toString();
}

/** Whether `code` is the factor's code at `now`, within `skew` steps either side. */
export function totpMatches(secret: string, config: TotpConfig, code: string, now: number): boolean {
  if (!new RegExp(`^\\d{${config.codeLength}}$`).test(code)) return false;
  return totp(secret, config, 'check', 'check').validate({ token: code, timestamp: now, window: config.skew }) !== null;
}

/** The factor's code at `now` (tests and the simulator's handsets play the authenticator app). */
export function totpCode(secret: string, config: TotpConfig, now: number): string {
  return totp(secret, config, 'code', 'code').generate({ timestamp: now });
}
