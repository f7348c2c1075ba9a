import type { Clock, Timer } from '../../gateway/clock';
import type { Segment } from '../store/message-store';

/**
 * Parts wait for their outcome in one queue, earliest first, under one
 * timer: a burst of parts reaches its outcomes in one batch instead of one
 * timer each.
 */
export class OutcomeQueue {
  readonly #due: Segment[] = [];
  #timer?: Timer;
  #timerAt = Infinity;

  /** `onDue` gets every part whose `dueAt` has come, earliest first. */
  constructor(private readonly clock: Clock, private readonly onDue: (segments: Segment[]) => void) {}

  schedule(segment: Segment): void {
    const due = this.#due;
    let at = due.length;
    while (at > 0 && due[at - 1]!.dueAt > segment.dueAt) at--;
    due.splice(at, 0, segment);
    this.#arm();
  }

  #arm(): void {
    const first = this.#due[0];
    if (!first || (this.#timer && this.#timerAt <= first.dueAt)) return;
    this.#timer?.cancel();
    this.#timerAt = first.dueAt;
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#release();
    }, Math.max(0, first.dueAt - this.clock.now()));
  }

  #release(): void {
    const now = this.clock.now();
    let count = 0;
    while (count < this.#due.length && this.#due[count]!.dueAt <= now) count++;
    try {
      this.onDue(this.#due.splice(0, count));
    } finally {
      this.#arm();
    }
  }
}
