import { describe, expect, it } from 'vitest';
import { Fifo } from '../../../gateway/fifo';

describe('Fifo', () => {
  it('hands items back in the order they came, across the compaction of its consumed front', () => {
    const queue = new Fifo<number>();
    let next = 0;
    let expected = 0;
    // Interleaved, with the queue growing then shrinking, so the front is dropped several times.
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3_000; i++) queue.push(next++);
      for (let i = 0; i < 2_500; i++) expect(queue.shift()).toBe(expected++);
    }
    expect(queue.length).toBe(next - expected);
    while (queue.length > 0) expect(queue.shift()).toBe(expected++);
    expect(expected).toBe(next);
    expect(queue.shift()).toBeUndefined();
  });

  it('drains what it holds, oldest first, and is empty after', () => {
    const queue = new Fifo<string>();
    for (const item of ['a', 'b', 'c']) queue.push(item);
    expect(queue.shift()).toBe('a');
    expect(queue.drain()).toEqual(['b', 'c']);
    expect(queue.length).toBe(0);
    queue.push('d');
    expect(queue.shift()).toBe('d');
  });
});
