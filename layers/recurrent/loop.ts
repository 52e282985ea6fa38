import { zeros } from '../../core/creation.ts';
import { ShapeError, fmtShape } from '../../core/errors.ts';
import { affine, matmul, mul, permute, reshape, slice, stack, where } from '../../core/ops/index.ts';
import type { Tensor } from '../../core/tensor.ts';
import type { Cell, RecurrentWeights } from './cell.ts';

export interface LoopOptions {
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  /** [batch, time]: 1 for a real step, 0 for padding, which carries the states over unchanged. */
  readonly mask?: Tensor;
  /** Dropout of the inputs, [batch, features], one draw for every step of a sequence. */
  readonly inputMask?: Tensor;
  /** Dropout of h in the recurrent product, [batch, units], one draw for every step. */
  readonly recurrentMask?: Tensor;
}

/**
 * Runs a cell over x [batch, time, features], unrolled, so the tape does backpropagation through time. Returns the
 * output (the last h, or every step's h [batch, time, units] with returnSequences, in the order processed) and the
 * final states.
 *
 * The input projection of all steps is one product, [time·batch, features]·[features, k·units] plus the bias,
 * time-major so that each step's rows are contiguous: a step slices its rows and adds only its recurrent product and
 * the gates. The tape joins the steps' slice cotangents
 * with one concat (core/slice-cotangents.ts), so the backward pass stays O(time).
 */
export function runLoop(x: Tensor, weights: RecurrentWeights, cell: Cell, units: number, options: LoopOptions): { output: Tensor; states: Tensor[] } {
  const [batch, time, features] = x.shape;
  const { mask, inputMask, recurrentMask } = options;
  if (mask !== undefined && (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== time)) {
    throw new ShapeError(`expected a mask of shape [${batch},${time}] (batch, time) for input ${fmtShape(x.shape)}, got ${fmtShape(mask.shape)}`);
  }
  const dropped = inputMask === undefined ? x : mul(x, reshape(inputMask, [batch, 1, features]));
  const timeMajor = reshape(permute(dropped, [1, 0, 2]), [time * batch, features]);
  const bias = cell.inputBias(weights.bias);
  // affine adds the bias in the product's store, as Dense does.
  const projected = bias === undefined ? matmul(timeMajor, weights.kernel) : affine(timeMajor, weights.kernel, bias);
  const width = projected.shape[1];
  const byStep = mask === undefined ? undefined : permute(mask, [1, 0]);
  let states: Tensor[] = Array.from({ length: cell.stateCount }, () => zeros([batch, units], x.dtype));
  const outputs: Tensor[] = [];
  for (let i = 0; i < time; i++) {
    const t = options.goBackwards ? time - 1 - i : i;
    const hIn = recurrentMask === undefined ? states[0] : mul(states[0], recurrentMask);
    let next = cell.step(slice(projected, [t * batch, 0], [batch, width]), states, hIn, weights);
    if (byStep !== undefined) {
      // A padded step keeps every state (and so repeats the previous output).
      const real = reshape(slice(byStep, [t, 0], [1, batch]), [batch, 1]);
      const before = states;
      next = next.map((s, k) => where(real, s, before[k]));
    }
    states = next;
    if (options.returnSequences) outputs.push(states[0]);
  }
  return { output: options.returnSequences ? stack(outputs, 1) : states[0], states };
}
