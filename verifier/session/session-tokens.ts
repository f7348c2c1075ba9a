import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, SignJWT, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { Clock } from '../../gateway/clock';
import type { Channel } from '../store/verification-repository';
import { SESSION_TOKEN_ALG, type SigningKey, type SigningKeys } from './signing-keys';

export interface SessionTokenSettings {
  /** Seconds a session token is valid (default 600). */
  ttlSeconds: number;
  /** Seconds after which the signing key is replaced on the next signature; 0 = only by `rotate()` (default 30 days). */
  rotateAfterSeconds: number;
  /** The tokens' `aud`, which validation requires; default the issuer (`buildVerifier` sets the account SID). */
  audience?: string;
}

/** How far in the future an `iat` may lie: the clock skew between verifier instances, nothing more. */
export const IAT_SKEW_SECONDS = 5;

export const DEFAULT_SESSION_TOKEN_SETTINGS: SessionTokenSettings = {
  ttlSeconds: 600,
  rotateAfterSeconds: 30 * 24 * 3600,
};

/** What a session token says, besides the registered claims. */
export interface SessionClaims extends JWTPayload {
  iss: string;
  aud: string;
  sub: string;
  iat: number;
  exp: number;
  jti: string;
  /** RFC 8176 method: `sms` for a code by SMS, `tel` for a voice or flash call. */
  amr: string[];
  phone_number: string;
  phone_number_verified: true;
}

export interface IssuedToken {
  token: string;
  kid: string;
  claims: SessionClaims;
}

/** Why a token is not valid; stable values, documented in docs/hosted-pages.md. */
export type InvalidTokenReason = 'malformed' | 'expired' | 'not_yet_valid' | 'unknown_key' | 'bad_signature' | 'wrong_issuer' | 'wrong_audience' | 'invalid_claims';

export type TokenValidation =
  | { valid: true; kid: string; claims: SessionClaims }
  | { valid: false; reason: InvalidTokenReason };

/** jose's error codes (never its messages) mapped to our reasons. */
const REASONS: Record<string, InvalidTokenReason> = {
  ERR_JWT_EXPIRED: 'expired',
  ERR_JWKS_NO_MATCHING_KEY: 'unknown_key',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'unknown_key',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'bad_signature',
  ERR_JOSE_ALG_NOT_ALLOWED: 'bad_signature',
  ERR_JWS_INVALID: 'malformed',
  ERR_JWT_INVALID: 'malformed',
  ERR_JOSE_NOT_SUPPORTED: 'malformed',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'invalid_claims',
};

export interface SessionTokensDeps {
  keys: SigningKeys;
  clock: Clock;
  /** The verifier's public URL: the `iss` of every token. */
  issuer(): string;
  settings: SessionTokenSettings;
}

/**
 * Session tokens: short-lived ES256 JWTs saying "this phone number was
 * verified", signed with the current key of `SigningKeys` and verifiable by
 * anyone with `GET /.well-known/jwks.json`.
 */
export class SessionTokens {
  readonly #deps: SessionTokensDeps;

  constructor(deps: SessionTokensDeps) {
    this.#deps = deps;
  }

  get ttlSeconds(): number {
    return this.#deps.settings.ttlSeconds;
  }

  async issue(phoneNumber: string, channel: Channel): Promise<IssuedToken> {
    const key: SigningKey = await this.#deps.keys.current();
    const iat = Math.floor(this.#deps.clock.now() / 1000);
    const claims: SessionClaims = {
      iss: this.#deps.issuer(),
      aud: this.#audience(),
      sub: phoneNumber,
      iat,
      exp: iat + this.#deps.settings.ttlSeconds,
      jti: randomBytes(16).toString('base64url'),
      amr: [channel === 'sms' ? 'sms' : 'tel'],
      phone_number: phoneNumber,
      phone_number_verified: true,
    };
    const token = await new SignJWT(claims).setProtectedHeader({ alg: SESSION_TOKEN_ALG, typ: 'JWT', kid: key.kid }).sign(key.privateKey);
    return { token, kid: key.kid, claims };
  }

  /**
   * Checks signature (against the published keys), issuer, audience and expiry
   * at the injected clock's time, and that the token is one this verifier
   * could have signed: `iat` not in the future (beyond IAT_SKEW_SECONDS) and
   * `exp` no further from `iat` than the configured lifetime. (Not jose's
   * clockTolerance, which would stretch `exp` too.)
   */
  async validate(token: string): Promise<TokenValidation> {
    const ttl = this.#deps.settings.ttlSeconds;
    let verified;
    try {
      // The key set of the token's `kid`: one another instance made just now is read from storage.
      verified = await jwtVerify(token, async (header, jws) => createLocalJWKSet(await this.#deps.keys.jwks(header.kid))(header, jws), {
        algorithms: [SESSION_TOKEN_ALG],
        issuer: this.#deps.issuer(),
        audience: this.#audience(),
        currentDate: new Date(this.#deps.clock.now()),
        requiredClaims: ['sub', 'exp', 'iat', 'aud'],
      });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string') throw error;
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
        const { claim, reason } = error as { claim?: unknown; reason?: unknown };
        if (claim === 'iss') return { valid: false, reason: 'wrong_issuer' };
        if (claim === 'aud') return { valid: false, reason: 'wrong_audience' };
        if ((claim === 'nbf' || claim === 'iat') && reason !== 'missing') return { valid: false, reason: 'not_yet_valid' };
      }
      return { valid: false, reason: REASONS[code] ?? 'malformed' };
    }
    const claims = verified.payload as SessionClaims;
    const now = Math.floor(this.#deps.clock.now() / 1000);
    if (claims.iat > now + IAT_SKEW_SECONDS) return { valid: false, reason: 'not_yet_valid' };
    if (claims.exp - claims.iat > ttl) return { valid: false, reason: 'invalid_claims' };
    return { valid: true, kid: verified.protectedHeader.kid ?? '', claims };
  }

  #audience(): string {
    return this.#deps.settings.audience ?? this.#deps.issuer();
  }

  jwks(): Promise<JSONWebKeySet> {
    return this.#deps.keys.jwks();
  }

  /** Replaces the signing key; tokens of the old key stay valid until they expire. Returns the new `kid`. */
  async rotate(): Promise<string> {
    return (await this.#deps.keys.rotate()).kid;
  }
}
