import { describe, expect, it } from 'vitest';
import { LinkRate } from '../../../../gateway/smpp/link-rate';

describe('SMPP link rate (AIMD)', () => {
  it('halves the rate on a throttle, counts one window of refusals once, and grows back to the cap', () => {
    const rate = new LinkRate(100);
    expect(rate.current(0)).toBe(100);
    rate.throttle(0);
    // The rest of a window sent before the decrease: no further halving.
    for (let i = 1; i < 10; i++) rate.throttle(i, -1);
    expect(rate.current(5)).toBeCloseTo(50, 0);
    rate.throttle(100, 50);
    expect(rate.current(100)).toBeCloseTo(25.5, 1); // (50 + 1 grown in 0.1 s) / 2
    expect(rate.throttled).toBe(true);
    // A tenth of the rate before throttling (10/s) per second without a refusal.
    expect(rate.current(1_100)).toBeCloseTo(35.5, 1);
    expect(rate.current(10_000)).toBe(100);
    expect(rate.throttled).toBe(false);
  });

  it('throttles an uncapped link from the rate it was really sending at, and lifts the limit once recovered', () => {
    const rate = new LinkRate(0);
    expect(rate.current(0)).toBe(Infinity);
    for (let i = 0; i < 40; i++) rate.sent(500 + i * 10);
    rate.throttle(900);
    expect(rate.current(900)).toBe(20);
    rate.throttle(1_000);
    expect(rate.current(1_000)).toBeCloseTo(10, 0);
    expect(rate.current(60_000)).toBe(Infinity);
  });

  it('never goes below its floor', () => {
    const rate = new LinkRate(4);
    for (let t = 0; t < 20_000; t += 1_000) rate.throttle(t, t);
    expect(rate.current(19_000)).toBeGreaterThanOrEqual(1);
  });
});
