import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import type { Clock } from '../../gateway/clock';
import type { PagesStore, SessionKeyRow } from '../store/pages-store';

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

/** How long this process trusts its copy of the key set before reading it again (another instance may have rotated). */
const RELOAD_AFTER_MS = 60_000;

/**
 * The ES256 keys that sign session tokens, kept in SQLite so a restart keeps
 * them. One key signs; `rotate()` makes a new one the signer and retires the
 * old one, which stays in the JWKS until every token it signed has expired
 * (retired_at + token TTL); the next rotation deletes it. The `kid` is the
 * key's RFC 7638 thumbprint.
 *
 * The key set is held in memory: loaded once, replaced on rotation, and read
 * again (a SELECT, never a write) at most once a minute, so serving the JWKS
 * or validating a token never writes the database, however often it is asked.
 */
export class SigningKeys {
  readonly #store: PagesStore;
  readonly #clock: Clock;
  readonly #settings: SigningKeysSettings;
  readonly #imported = new Map<string, CryptoKey>();
  #rows: (SessionKeyRow & { jwk: JWK })[] = [];
  #loadedAt = -Infinity;
  /** Serializes key creation in this process, so two first signatures do not make two keys. */
  #creating: Promise<SigningKey> | undefined;

  readonly #sealer: KeySealer | undefined;

  /** With a `sealer`, private keys are stored sealed, so a copy of the database cannot sign tokens. */
  constructor(store: PagesStore, clock: Clock, settings: SigningKeysSettings, sealer?: KeySealer) {
    this.#store = store;
    this.#clock = clock;
    this.#settings = settings;
    this.#sealer = sealer;
  }

  /** Seals the private keys an earlier version stored in clear, leaving no copy of them in the files. */
  sealStoredKeys(): void {
    const sealer = this.#sealer;
    if (!sealer) return;
    const clear = this.#store.sessionKeys().filter((row) => inClear(row.privateJwk));
    if (clear.length > 0) this.#store.replacePrivateKeys(clear.map((row) => ({ kid: row.kid, privateJwk: sealer.seal(row.privateJwk) })));
  }

  /** The signing key: the active one, or a new one when there is none or it is due for rotation. */
  async current(): Promise<SigningKey> {
    const active = this.#keys().filter((row) => row.retiredAt === null).at(-1);
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

  /** The public keys a verifier needs: the signer and every retired key whose tokens may still be valid. */
  jwks(): JSONWebKeySet {
    const before = this.#clock.now() - this.#settings.tokenTtlSeconds * 1000;
    return { keys: this.#keys().filter((row) => row.retiredAt === null || row.retiredAt > before).map((row) => row.jwk) };
  }

  async #create(): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair(SESSION_TOKEN_ALG, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const now = this.#clock.now();
    const published: JWK = { ...publicJwk, kid, alg: SESSION_TOKEN_ALG, use: 'sig' };
    const privateJwk = JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: SESSION_TOKEN_ALG } satisfies JWK);
    this.#store.addSessionKey({ kid, privateJwk: this.#sealer ? this.#sealer.seal(privateJwk) : privateJwk, publicJwk: JSON.stringify(published), createdAt: now }, now);
    // A key retired more than one token lifetime ago has no valid token left: forget it.
    this.#store.dropSessionKeysRetiredBefore(now - this.#settings.tokenTtlSeconds * 1000);
    this.#imported.set(kid, privateKey);
    this.#load();
    for (const known of this.#imported.keys()) if (!this.#rows.some((row) => row.kid === known)) this.#imported.delete(known);
    return { kid, privateKey, createdAt: now };
  }

  #keys(): (SessionKeyRow & { jwk: JWK })[] {
    if (this.#clock.now() - this.#loadedAt >= RELOAD_AFTER_MS) this.#load();
    return this.#rows;
  }

  #load(): void {
    this.#rows = this.#store.sessionKeys().map((row) => ({ ...row, jwk: JSON.parse(row.publicJwk) as JWK }));
    this.#loadedAt = this.#clock.now();
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
