import { ones, zeros } from '../../core/creation.ts';
import { ShapeError, fmtShape } from '../../core/errors.ts';
import { concat, matmul, mul, permute, reshape, slice, stack, where } from '../../core/ops/index.ts';
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
 * Each step projects its own rows of the time-major input (x_t·W, contiguous rows of [time·batch, features]). One
 * product for all steps followed by a slice per step was measured 1.8–2× slower per training step (LSTM(128), batch
 * 128, 28 steps): slice's vjp pads each step's gradient to the whole [time·batch, k·units] projection and the tape adds
 * the time of them up, O(time²). Slices of x cost nothing backward when x is data, and are k·units/features times
 * smaller when it is not.
 */
export function runLoop(x: Tensor, weights: RecurrentWeights, cell: Cell, units: number, options: LoopOptions): { output: Tensor; states: Tensor[] } {
  const [batch, time, features] = x.shape;
  const { mask, inputMask, recurrentMask } = options;
  if (mask !== undefined && (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== time)) {
    throw new ShapeError(`expected a mask of shape [${batch},${time}] (batch, time) for input ${fmtShape(x.shape)}, got ${fmtShape(mask.shape)}`);
  }
  const dropped = inputMask === undefined ? x : mul(x, reshape(inputMask, [batch, 1, features]));
  const timeMajor = reshape(permute(dropped, [1, 0, 2]), [time * batch, features]);
  // The bias rides in the product, x_t·W + b = [x_t, 1]·[W; b], which saves each step a broadcast add and its sum backward.
  const bias = cell.inputBias(weights.bias);
  const rows = bias === undefined ? timeMajor : concat([timeMajor, ones([time * batch, 1], x.dtype)], 1);
  const kernel = bias === undefined ? weights.kernel : concat([weights.kernel, reshape(bias, [1, bias.size])], 0);
  const width = rows.shape[1];
  const byStep = mask === undefined ? undefined : permute(mask, [1, 0]);
  let states: Tensor[] = Array.from({ length: cell.stateCount }, () => zeros([batch, units], x.dtype));
  const outputs: Tensor[] = [];
  for (let i = 0; i < time; i++) {
    const t = options.goBackwards ? time - 1 - i : i;
    const hIn = recurrentMask === undefined ? states[0] : mul(states[0], recurrentMask);
    let next = cell.step(matmul(slice(rows, [t * batch, 0], [batch, width]), kernel), states, hIn, weights);
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
