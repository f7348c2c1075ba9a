import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import type { Clock } from '../../gateway/clock';
import type { SessionKeyRow } from '../store/session-key-repository';
import type { VerifierStorage } from '../store/storage';

export const SESSION_TOKEN_ALG = 'ES256';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  createdAt: number;
}

/** Seals private keys before they are stored (the verifier's CodeBook: AES-256-GCM under the code key). */
export interface KeySealer {
  seal(text: string): string;
  open(sealed: string): string;
}

/** A private JWK stored in clear, by an earlier version or without a sealer. */
const inClear = (stored: string): boolean => stored.startsWith('{');

export interface SigningKeysSettings {
  /** Lifetime of the tokens the keys sign: a retired key stays published this long. */
  tokenTtlSeconds: number;
  /** A key older than this is replaced on the next signature; 0 rotates only on request. */
  rotateAfterSeconds: number;
}

/**
 * How long this process trusts its copy of the key set before reading it again: another instance on the
 * database may have rotated. A token naming a key not in the copy reads the set again at once.
 */
const RELOAD_AFTER_MS = 5_000;

/**
 * The ES256 keys that sign session tokens, kept in the verifier's storage so a
 * restart keeps them and every instance on the database signs and validates
 * with the same set (private parts sealed under the code key each is given). One key signs; `rotate()` makes a new one the signer and retires the
 * old one, which stays in the JWKS until every token it signed has expired
 * (retired_at + token TTL); the next rotation deletes it. The `kid` is the
 * key's RFC 7638 thumbprint.
 *
 * The key set is held in memory: loaded once, replaced on rotation, and read
 * again (a read, never a write) when older than RELOAD_AFTER_MS or when a
 * token names a key it does not hold, so serving the JWKS or validating a
 * token never writes the database, however often it is asked.
 */
export class SigningKeys {
  readonly #storage: VerifierStorage;
  readonly #clock: Clock;
  readonly #settings: SigningKeysSettings;
  readonly #imported = new Map<string, CryptoKey>();
  #rows: (SessionKeyRow & { jwk: JWK })[] = [];
  #loadedAt = -Infinity;
  /** The first load, which also seals keys stored in clear; later loads only read. */
  #firstLoad: Promise<void> | undefined;
  /** Serializes key creation in this process, so two first signatures do not make two keys. */
  #creating: Promise<SigningKey> | undefined;

  readonly #sealer: KeySealer | undefined;

  /** With a `sealer`, private keys are stored sealed, so a copy of the database cannot sign tokens. */
  constructor(storage: VerifierStorage, clock: Clock, settings: SigningKeysSettings, sealer?: KeySealer) {
    this.#storage = storage;
    this.#clock = clock;
    this.#settings = settings;
    this.#sealer = sealer;
  }

  /** The signing key: the active one, or a new one when there is none or it is due for rotation. */
  async current(): Promise<SigningKey> {
    const active = (await this.#keys()).filter((row) => row.retiredAt === null).at(-1);
    const now = this.#clock.now();
    const due = active && this.#settings.rotateAfterSeconds > 0 && now - active.createdAt >= this.#settings.rotateAfterSeconds * 1000;
    if (active && !due) {
      // A key sealed under a code key that is gone (a lost key file) cannot sign again: replace it.
      const privateKey = await this.#privateKey(active).catch(() => undefined);
      if (privateKey) return { kid: active.kid, privateKey, createdAt: active.createdAt };
    }
    return this.rotate();
  }

  /** Makes a new key the signer; the previous one keeps verifying until its tokens have expired. */
  rotate(): Promise<SigningKey> {
    this.#creating ??= this.#create().finally(() => {
      this.#creating = undefined;
    });
    return this.#creating;
  }

  /**
   * The public keys a verifier needs: the signer and every retired key whose tokens may still be valid.
   * With `kid`, a key this copy does not hold makes it read the set again (another instance's new key).
   */
  async jwks(kid?: string): Promise<JSONWebKeySet> {
    let rows = await this.#keys();
    if (kid !== undefined && !rows.some((row) => row.kid === kid)) rows = await this.#load();
    const before = this.#clock.now() - this.#settings.tokenTtlSeconds * 1000;
    return { keys: rows.filter((row) => row.retiredAt === null || row.retiredAt > before).map((row) => row.jwk) };
  }

  async #create(): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair(SESSION_TOKEN_ALG, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const now = this.#clock.now();
    const published: JWK = { ...publicJwk, kid, alg: SESSION_TOKEN_ALG, use: 'sig' };
    const privateJwk = JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: SESSION_TOKEN_ALG } satisfies JWK);
    const row = { kid, privateJwk: this.#sealer ? this.#sealer.seal(privateJwk) : privateJwk, publicJwk: JSON.stringify(published), createdAt: now };
    await this.#storage.transaction(async (tx) => {
      await tx.sessionKeys.retireActive(now);
      await tx.sessionKeys.insert(row);
      // A key retired more than one token lifetime ago has no valid token left: forget it.
      await tx.sessionKeys.dropRetiredBefore(now - this.#settings.tokenTtlSeconds * 1000);
    });
    this.#imported.set(kid, privateKey);
    await this.#load();
    for (const known of this.#imported.keys()) if (!this.#rows.some((row) => row.kid === known)) this.#imported.delete(known);
    return { kid, privateKey, createdAt: now };
  }

  async #keys(): Promise<(SessionKeyRow & { jwk: JWK })[]> {
    this.#firstLoad ??= this.#sealStoredKeys().then(() => this.#load()).then(() => undefined);
    await this.#firstLoad;
    return this.#clock.now() - this.#loadedAt >= RELOAD_AFTER_MS ? this.#load() : this.#rows;
  }

  async #load(): Promise<(SessionKeyRow & { jwk: JWK })[]> {
    this.#rows = (await this.#storage.sessionKeys.all()).map((row) => ({ ...row, jwk: JSON.parse(row.publicJwk) as JWK }));
    this.#loadedAt = this.#clock.now();
    return this.#rows;
  }

  /** Seals the private keys an earlier version stored in clear, leaving no copy of them in the files. */
  async #sealStoredKeys(): Promise<void> {
    const sealer = this.#sealer;
    if (!sealer) return;
    const clear = (await this.#storage.sessionKeys.all()).filter((row) => inClear(row.privateJwk));
    if (clear.length > 0) await this.#storage.sessionKeys.replacePrivateKeys(clear.map((row) => ({ kid: row.kid, privateJwk: sealer.seal(row.privateJwk) })));
  }

  async #privateKey(row: SessionKeyRow): Promise<CryptoKey> {
    let key = this.#imported.get(row.kid);
    if (!key) {
      const text = inClear(row.privateJwk) || !this.#sealer ? row.privateJwk : this.#sealer.open(row.privateJwk);
      key = (await importJWK(JSON.parse(text) as JWK, SESSION_TOKEN_ALG)) as CryptoKey;
      this.#imported.set(row.kid, key);
    }
    return key;
  }
}
