// `npm run bench:ops`: the fixed cost of one primitive call through the dispatcher, with and without the tape.
// Adds of [128,128] (the kernel's share is measured apart, straight on the arrays) and of [4] (nearly all overhead).
import { add, grad, randomUniform, sum } from 'semiflow';
import type { Tensor } from 'semiflow';
import { kernelFor } from '../core/kernels/index.ts';
import { withBufferScope } from '../core/buffer-scope.ts';

const CALLS = 10_000;

/** Microseconds per call of fn (calls of it), the best of `rounds` rounds after one warm-up round. */
function usPerCall(fn: () => void, calls: number, rounds = 5): number {
  fn();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, ((performance.now() - t0) * 1000) / calls);
  }
  return best;
}

/** STEP chained adds, so every call depends on the one before, as a model's ops do. */
const STEP = 50;
function chain(a: Tensor, b: Tensor): Tensor {
  let y = a;
  for (let i = 0; i < STEP; i++) y = add(y, b);
  return y;
}

/** CALLS adds in CALLS / STEP steps of step(). */
const steps = (step: () => unknown) => () => {
  for (let s = 0; s < CALLS / STEP; s++) step();
};

function measure(size: readonly number[]): Record<string, number> {
  const a = randomUniform([...size], { min: -1, max: 1, seed: 1 });
  const b = randomUniform([...size], { min: -1, max: 1, seed: 2 });
  const kernel = kernelFor('add');
  const out = { shape: a.shape, dtype: a.dtype };
  const kernelChain = () => {
    let y = a.storage;
    for (let i = 0; i < STEP; i++) y = kernel([y, b.storage], [a.shape, b.shape], {}, out);
  };
  const kernelUs = usPerCall(steps(() => withBufferScope(kernelChain, () => [])), CALLS);
  const plainUs = usPerCall(steps(() => chain(a, b)), CALLS);
  const scopedUs = usPerCall(steps(() => withBufferScope(() => chain(a, b), () => [])), CALLS);
  const gradOf = grad((x: Tensor) => sum(chain(x, b)));
  const tapeUs = usPerCall(steps(() => withBufferScope(() => gradOf(a), (g) => g)), CALLS);
  return { kernelUs, plainUs, scopedUs, tapeUs };
}

for (const size of [[4], [128, 128]]) {
  const m = measure(size);
  const over = (us: number) => (us - m.kernelUs).toFixed(2);
  console.log(`add [${size.join(',')}] × ${CALLS}: kernel alone (in a scope) ${m.kernelUs.toFixed(2)} µs/call; ` +
    `through apply ${m.plainUs.toFixed(2)} µs (+${over(m.plainUs)}), in a buffer scope (a step of 50) ${m.scopedUs.toFixed(2)} µs (+${over(m.scopedUs)}), ` +
    `traced with grad in a scope (forward + backward, per forward add) ${m.tapeUs.toFixed(2)} µs (+${over(m.tapeUs)})`);
}
