import { expect } from 'vitest';
import type { Tensor } from 'semiflow';

/** Every element of actual within tol · (1 + |expected|) of expected, which has as many values. */
export function expectClose(actual: Tensor, expected: ArrayLike<number>, tol = 1e-12): void {
  expect(actual.size).toBe(expected.length);
  Array.from(actual.storage).forEach((a, i) => expect(Math.abs(a - expected[i]), `element ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i]))));
}
