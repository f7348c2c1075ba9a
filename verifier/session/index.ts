import type { Clock } from '../../gateway/clock';
import type { VerifierStorage } from '../store/storage';
import { SessionTokens, type SessionTokenSettings } from './session-tokens';
import { SigningKeys, type KeySealer } from './signing-keys';

export { SigningKeys, SESSION_TOKEN_ALG, type SigningKeysSettings, type SigningKey, type KeySealer } from './signing-keys';
export {
  SessionTokens,
  DEFAULT_SESSION_TOKEN_SETTINGS,
  type SessionTokenSettings,
  type SessionClaims,
  type IssuedToken,
  type TokenValidation,
  type InvalidTokenReason,
} from './session-tokens';
export { registerJwksRoute, registerSessionTokenRoutes } from './session-routes';

/**
 * Session tokens signed with keys kept in the verifier's storage, sealed by
 * `sealer` (the verifier's CodeBook); `issuer` is read at each signature (the
 * public URL is known once listening).
 */
export function createSessionTokens(storage: VerifierStorage, clock: Clock, issuer: () => string, settings: SessionTokenSettings, sealer?: KeySealer): SessionTokens {
  if (!Number.isInteger(settings.ttlSeconds) || settings.ttlSeconds < 10 || settings.ttlSeconds > 86_400) {
    throw new Error(`sessionTokens.ttlSeconds must be an integer from 10 to 86400 seconds, got ${settings.ttlSeconds}`);
  }
  if (!Number.isInteger(settings.rotateAfterSeconds) || settings.rotateAfterSeconds < 0) {
    throw new Error(`sessionTokens.rotateAfterSeconds must be a whole number of seconds (0 = rotate only on request), got ${settings.rotateAfterSeconds}`);
  }
  const keys = new SigningKeys(storage, clock, { tokenTtlSeconds: settings.ttlSeconds, rotateAfterSeconds: settings.rotateAfterSeconds }, sealer);
  return new SessionTokens({ keys, clock, issuer, settings });
}
