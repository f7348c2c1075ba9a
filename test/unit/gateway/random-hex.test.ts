import { describe, expect, it } from 'vitest';
import { randomHex } from '../../../gateway/random-hex';
import { isSid, newSid } from '../../../verifier/ids';

describe('pooled random ids', () => {
  it('gives hex of the asked length, never the same twice across many refills of the pool', () => {
    const seen = new Set<string>();
    // 20,000 ids of 16 bytes draw 80 fills of the 4 KiB pool; sizes that do not divide it cross its end.
    for (let i = 0; i < 20_000; i++) {
      const id = randomHex(i % 3 === 0 ? 16 : 7);
      expect(id).toMatch(i % 3 === 0 ? /^[0-9a-f]{32}$/ : /^[0-9a-f]{14}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(20_000);
  });

  it('refuses more bytes than the pool holds', () => {
    expect(() => randomHex(4097)).toThrow(RangeError);
  });

  it('makes verifier SIDs that isSid accepts, and isSid refuses near misses', () => {
    const sid = newSid('VE');
    expect(isSid(sid, 'VE')).toBe(true);
    expect(isSid(sid, 'VA')).toBe(false);
    expect(isSid(`${sid}0`, 'VE')).toBe(false);
    expect(isSid(sid.slice(0, -1), 'VE')).toBe(false);
    expect(isSid(`VE${'A'.repeat(32)}`, 'VE')).toBe(false);
    expect(isSid(`xVE${'a'.repeat(31)}`, 'VE')).toBe(false);
  });
});
