// The per-shape choice between one thread and a split, driven by given timings (no clock involved).
import { describe, expect, it } from 'vitest';
import { ThreadChoice } from '../core/kernels/fast/thread-choice.ts';

/** Runs `calls` calls of `key`, each taking what `ms` says for its way; returns the ways taken (true: split). */
function drive(choice: ThreadChoice, key: string, calls: number, ms: (split: boolean) => number): boolean[] {
  return Array.from({ length: calls }, () => {
    const split = choice.split(key);
    choice.took(key, split, ms(split));
    return split;
  });
}

describe('ThreadChoice', () => {
  it('alternates the two ways for three calls each, split first', () => {
    expect(drive(new ThreadChoice(), 'a', 6, () => 1)).toEqual([true, false, true, false, true, false]);
  });

  it('then runs the faster way, and the slower one every 16th call', () => {
    const choice = new ThreadChoice();
    drive(choice, 'a', 6, (split) => (split ? 1 : 2));
    const ways = drive(choice, 'a', 32, (split) => (split ? 1 : 2));
    expect(ways.filter((w) => !w).length).toBe(2);
    expect(ways[15]).toBe(false);
    expect(ways[31]).toBe(false);
    const other = new ThreadChoice();
    drive(other, 'b', 6, (split) => (split ? 3 : 2));
    expect(drive(other, 'b', 15, (split) => (split ? 3 : 2)).every((w) => !w)).toBe(true);
  });

  it('ignores one slow call of a way (the median of three decides)', () => {
    const choice = new ThreadChoice();
    let first = true;
    drive(choice, 'a', 6, (split) => {
      if (split && first) {
        first = false;
        return 100;
      }
      return split ? 1 : 2;
    });
    expect(drive(choice, 'a', 10, (split) => (split ? 1 : 2)).every((w) => w)).toBe(true);
  });

  it('follows a change of load: once the split turns slow, its probes move the choice to one thread', () => {
    const choice = new ThreadChoice();
    drive(choice, 'a', 6, (split) => (split ? 1 : 2));
    // Another process now takes a core: a split waits for a descheduled worker.
    const ways = drive(choice, 'a', 64, (split) => (split ? 5 : 2));
    expect(ways.slice(-20).filter((w) => w).length).toBeLessThanOrEqual(2);
  });

  it('keeps each shape apart', () => {
    const choice = new ThreadChoice();
    drive(choice, 'fast split', 6, (split) => (split ? 1 : 2));
    drive(choice, 'slow split', 6, (split) => (split ? 2 : 1));
    expect(choice.split('fast split')).toBe(true);
    expect(choice.split('slow split')).toBe(false);
  });
});
