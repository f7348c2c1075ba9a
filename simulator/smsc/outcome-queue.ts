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

  /** `onDue` gets every part whose time (`dueAt`, or what `timeOf` reads) has come, earliest first. */
  constructor(
    private readonly clock: Clock,
    private readonly onDue: (segments: Segment[]) => void,
    private readonly timeOf: (segment: Segment) => number = (segment) => segment.dueAt,
  ) {}

  schedule(segment: Segment): void {
    const due = this.#due;
    const time = this.timeOf(segment);
    let at = due.length;
    while (at > 0 && this.timeOf(due[at - 1]!) > time) at--;
    due.splice(at, 0, segment);
    this.#arm();
  }

  /** Takes a part out (cancelled, replaced): it will not come due. */
  remove(messageId: string): void {
    const index = this.#due.findIndex((s) => s.messageId === messageId);
    if (index >= 0) this.#due.splice(index, 1);
  }

  #arm(): void {
    const first = this.#due[0];
    if (!first || (this.#timer && this.#timerAt <= this.timeOf(first))) return;
    this.#timer?.cancel();
    this.#timerAt = this.timeOf(first);
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#release();
    }, Math.max(0, this.#timerAt - this.clock.now()));
  }

  #release(): void {
    const now = this.clock.now();
    let count = 0;
    while (count < this.#due.length && this.timeOf(this.#due[count]!) <= now) count++;
    try {
      this.onDue(this.#due.splice(0, count));
    } finally {
      this.#arm();
    }
  }
}
