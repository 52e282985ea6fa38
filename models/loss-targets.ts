import { fill } from '../core/creation.ts';
import { noGrad } from '../core/tape.ts';
import type { Tensor } from '../core/tensor.ts';
import type { Compiled } from './compile.ts';
import type { Model } from './model.ts';

/**
 * Every target must fit the loss before the first step, not fail halfway through an epoch. The check runs the
 * loss the user named, so the message speaks of it rather than of its fused form.
 */
export function checkLossTargets(model: Model, compiled: Compiled, ys: readonly Tensor[]): void {
  const shapes = model.outputShapes as readonly (readonly number[])[];
  // Predictions of 0.5 are valid for every loss, so with debugNumerics on the check itself stays finite.
  noGrad(() => compiled.outputs.forEach((o, i) => o.loss.compute(ys[i], fill([ys[i].shape[0], ...shapes[i]], 0.5, model.dtype))));
}
