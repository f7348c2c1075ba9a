import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CodeBook } from '../../../verifier/codes';

const book = new CodeBook(randomBytes(32));

describe('CodeBook', () => {
  it('derives the same code from the same nonce, of the asked length, digits only', () => {
    const nonce = book.newNonce();
    for (const length of [4, 6, 10]) {
      const code = book.derive(nonce, length);
      expect(code).toMatch(new RegExp(`^\\d{${length}}$`));
      expect(book.derive(nonce, length)).toBe(code);
    }
  });

  it('spreads digits evenly (no modulo bias visible in 60,000 digits)', () => {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) for (const d of book.derive(book.newNonce(), 6)) counts[Number(d)]!++;
    for (const count of counts) expect(Math.abs(count - 6_000)).toBeLessThan(400);
  });

  it('gives different codes under a different key', () => {
    const nonce = book.newNonce();
    const other = new CodeBook(randomBytes(32));
    const same = Array.from({ length: 20 }, () => other.derive(nonce, 10) === book.derive(nonce, 10));
    expect(same.every(Boolean)).toBe(false);
  });

  it('matches a code only against the hash of the same verification', () => {
    const hash = book.hash('VE1', '123456');
    expect(book.matches('VE1', '123456', hash)).toBe(true);
    expect(book.matches('VE1', '123457', hash)).toBe(false);
    expect(book.matches('VE2', '123456', hash)).toBe(false);
    expect(hash).not.toContain('123456');
  });

  it('seals a custom code so that only the key opens it, and detects tampering', () => {
    const sealed = book.seal('4242');
    expect(sealed).not.toContain('4242');
    expect(book.open(sealed)).toBe('4242');
    const tampered = Buffer.from(sealed, 'base64url');
    tampered[tampered.length - 1]! ^= 1;
    expect(() => book.open(tampered.toString('base64url'))).toThrow();
  });

  it('refuses a short key', () => {
    expect(() => new CodeBook(randomBytes(16))).toThrow(/32 bytes/);
  });
});
