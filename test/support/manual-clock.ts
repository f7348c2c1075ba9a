import type { Clock, Timer } from '../../gateway/clock';

/** A clock that moves only when a test says so. */
export class ManualClock implements Clock {
  #now: number;
  #timers: { at: number; callback: () => void; cancelled: boolean }[] = [];

  constructor(start = Date.parse('2026-11-23T10:00:00Z')) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): Timer {
    const timer = { at: this.#now + Math.max(0, delayMs), callback, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Moves time forward, running each due timer in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (let fired = 0; ; fired++) {
      // A timer that keeps re-arming itself at the same instant would never let time move.
      if (fired > 100_000) throw new Error('ManualClock.advance: more than 100,000 timers fired; something re-arms at the same instant');
      const due = this.#timers.filter((t) => !t.cancelled && t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.cancelled = true;
      this.#now = due.at;
      due.callback();
    }
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    this.#now = target;
  }
}
