import { describe, expect, it } from 'vitest';
import { PageRateLimiter } from '../../verifier/pages/rate-limiter';
import type { PageLimits } from '../../verifier/pages/settings';
import { ManualClock } from '../support/manual-clock';
import { freshStorage, type OpenStorage } from './surface-fixtures';

const LIMITS: PageLimits = {
  startsPerIp: { max: 50, windowMs: 900_000 },
  startsPerNumber: { max: 4, windowMs: 900_000 },
  checksPerIp: { max: 3, windowMs: 60_000 },
  checksPerNumber: { max: 50, windowMs: 60_000 },
};

export function describePageHitContract(open: OpenStorage): void {
  describe('hosted pages\' rate windows', () => {
    const s = freshStorage(open);

    it('counts hits per bucket and subject after a time, and prunes the old ones', async () => {
      const { pageHits } = s.storage;
      for (const at of [1_000, 2_000, 3_000]) await pageHits.insert('start:ip', '203.0.113.7', at);
      await pageHits.insert('start:ip', '198.51.100.1', 2_500);
      await pageHits.insert('check:ip', '203.0.113.7', 2_500);
      expect(await pageHits.countSince('start:ip', '203.0.113.7', 0)).toBe(3);
      expect(await pageHits.countSince('start:ip', '203.0.113.7', 1_000)).toBe(2);
      expect(await pageHits.prune(2_500)).toBe(4);
      expect(await pageHits.countSince('start:ip', '203.0.113.7', 0)).toBe(1);
    });

    it('lets exactly max of 40 concurrent sends for one number through, from two limiters on one storage, as two instances would', async () => {
      const clock = new ManualClock();
      const limiters = [new PageRateLimiter(s.storage, clock, LIMITS), new PageRateLimiter(s.storage, clock, LIMITS)];
      const decisions = await Promise.all(Array.from({ length: 40 }, (_, i) => limiters[i % 2]!.take('start', `198.51.100.${i}`, '+4915112345678')));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(4);
      expect(decisions.filter((d) => !d.allowed).every((d) => d.retryAfterSeconds === 900)).toBe(true);
      // Another number has its own window; the window slides: once it has passed, the number may send again.
      expect((await limiters[0]!.take('start', '198.51.100.99', '+4915112345679')).allowed).toBe(true);
      clock.advance(900_000);
      expect((await limiters[1]!.take('start', '198.51.100.98', '+4915112345678')).allowed).toBe(true);
    });

    it('judges the IP first: a refused IP does not use up the number\'s budget', async () => {
      const clock = new ManualClock();
      const limiter = new PageRateLimiter(s.storage, clock, LIMITS);
      const decisions = await Promise.all(Array.from({ length: 10 }, () => limiter.take('check', '203.0.113.7', '+4915112345678')));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(3);
      expect(decisions.find((d) => !d.allowed)?.retryAfterSeconds).toBe(60);
      expect(await s.storage.pageHits.countSince('check:number', '+4915112345678', 0)).toBe(3);
    });
  });
}
