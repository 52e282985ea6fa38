// The adding problem (Hochreiter & Schmidhuber 1997; the form of Le, Jaitly & Hinton 2015): each step of a
// sequence is a pair [value, marker], values uniform in [0, 1), markers 0 but for two 1s, one in each half;
// the target is the sum of the two marked values. Always answering 1 (the mean) scores the variance of a sum of
// two uniforms, 2/12 ≈ 0.167 MSE, so an error far below it means the model learned to remember the marked values.
import { Rng, ValueError, tensor } from 'semiflow';
import type { Tensor } from 'semiflow';

export interface AddingProblem {
  /** [count, steps, 2]: the value, then the marker, at each step. */
  x: Tensor;
  /** [count, 1]: the sum of the two marked values. */
  y: Tensor;
}

/** `count` sequences of `steps` steps (at least 2), the same for the same seed. */
export function addingProblem(count: number, steps: number, seed: number): AddingProblem {
  if (!Number.isInteger(count) || count < 1) throw new ValueError(`addingProblem: count must be a positive integer, got ${count}`);
  if (!Number.isInteger(steps) || steps < 2) throw new ValueError(`addingProblem: steps must be an integer of at least 2, got ${steps}`);
  const rng = new Rng(seed);
  const half = Math.floor(steps / 2);
  const x = new Float32Array(count * steps * 2);
  const y = new Float32Array(count);
  for (let n = 0; n < count; n++) {
    const row = n * steps * 2;
    for (let t = 0; t < steps; t++) x[row + 2 * t] = rng.next();
    const first = rng.int(half);
    const second = half + rng.int(steps - half);
    x[row + 2 * first + 1] = 1;
    x[row + 2 * second + 1] = 1;
    // The sum of the float32 values the model sees.
    y[n] = x[row + 2 * first] + x[row + 2 * second];
  }
  return { x: tensor(x, [count, steps, 2]), y: tensor(y, [count, 1]) };
}
