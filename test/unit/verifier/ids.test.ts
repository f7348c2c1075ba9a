// SIDs: Twilio's shape (two letters, 32 hex digits), unique, and in creation order from one millisecond to the next.
import { describe, expect, it } from 'vitest';
import { isSid, newSid } from '../../../verifier/ids';

describe('SIDs', () => {
  it('are two letters and 32 lowercase hex digits, all distinct within one millisecond', () => {
    const sids = Array.from({ length: 1_000 }, () => newSid('VE'));
    for (const sid of sids) expect(isSid(sid, 'VE')).toBe(true);
    expect(new Set(sids).size).toBe(sids.length);
  });

  it('sort in the order they were made once the clock has moved on', () => {
    const first = newSid('VL');
    const made = Date.now();
    while (Date.now() === made) {
      // The next millisecond, without a timer.
    }
    const second = newSid('VL');
    expect(first < second).toBe(true);
  });
});
