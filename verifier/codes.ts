import { createCipheriv, createDecipheriv, createHash, createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * One-time codes that are never stored. Each verification keeps a random
 * nonce; the code is derived from it under the server key (HMAC, then
 * rejection-sampled to uniform digits), so a re-send can say the same code
 * while the database holds only the nonce and a keyed hash of the code.
 * Anyone holding the database but not the key learns nothing of the code.
 */
export class CodeBook {
  /** Imported once: an HMAC under a KeyObject skips the import a Buffer key costs each time (~2 µs of ~7). */
  readonly #key: KeyObject;

  constructor(key: Buffer) {
    if (key.length < 32) throw new Error('the code key must be at least 32 bytes');
    this.#key = createSecretKey(key);
  }

  newNonce(): string {
    return randomBytes(32).toString('base64url');
  }

  /** The code for `nonce`: `length` digits, each uniform over 0-9. */
  derive(nonce: string, length: number): string {
    let digits = '';
    for (let block = 0; digits.length < length; block++) {
      const bytes = createHmac('sha256', this.#key).update(`code:${nonce}:${block}`).digest();
      for (const byte of bytes) {
        // 250 = 25 × 10: bytes at or above it would make low digits likelier.
        if (byte < 250) digits += String(byte % 10);
        if (digits.length === length) break;
      }
    }
    return digits;
  }

  /** The keyed hash kept for checks; bound to the verification so hashes cannot be swapped between rows. */
  hash(verificationSid: string, code: string): string {
    return createHmac('sha256', this.#key).update(`check:${verificationSid}:${code}`).digest('base64url');
  }

  /** Compares a candidate against the stored hash in constant time. */
  matches(verificationSid: string, candidate: string, storedHash: string): boolean {
    const a = Buffer.from(this.hash(verificationSid, candidate));
    const b = Buffer.from(storedHash);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /**
   * A CustomCode comes from the caller and cannot be derived, so the outbox
   * carries it sealed (AES-256-GCM under a key derived from the server key).
   */
  seal(code: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.subkey('seal'), iv);
    const sealed = Buffer.concat([cipher.update(code, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  open(sealed: string): string {
    const bytes = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.subkey('seal'), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  }

  /**
   * The unguessable token in an attempt's RCML URL: derived, so the call can
   * be placed after a restart; only its SHA-256 is stored, with an expiry.
   */
  rcmlToken(attemptSid: string): string {
    return createHmac('sha256', this.#key).update(`rcml:${attemptSid}`).digest('base64url');
  }

  static tokenHash(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  /**
   * A key for another purpose (the hosted pages' cookies), derived from the
   * server key so that it, too, never has to be stored in the database.
   */
  subkey(purpose: string): Buffer {
    return createHmac('sha256', this.#key).update(`key:${purpose}`).digest();
  }
}
