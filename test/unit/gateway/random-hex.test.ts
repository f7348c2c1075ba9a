import { describe, expect, it } from 'vitest';
import { randomHex } from '../../../gateway/random-hex';
import { isSid, newSid, newTimeOrderedSid } from '../../../verifier/ids';

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

  it('makes time-ordered SIDs that isSid accepts, sort by their time, and differ within one millisecond', () => {
    const now = Date.UTC(2026, 10, 23);
    const sids = [now, now, now + 1, now + 1_000].map((at) => newTimeOrderedSid('VE', at));
    for (const sid of sids) expect(isSid(sid, 'VE')).toBe(true);
    expect(sids[0]!.slice(2, 14)).toBe(now.toString(16).padStart(12, '0'));
    expect(sids[0]).not.toBe(sids[1]);
    expect([sids[0]!, sids[2]!, sids[3]!].map((sid) => sid.slice(0, 14))).toEqual([sids[0]!, sids[2]!, sids[3]!].map((sid) => sid.slice(0, 14)).sort());
  });
});
