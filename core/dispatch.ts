import { kernelFor } from './kernels/index.ts';
import { shapeRules } from './prim-shapes.ts';
import { checkMemoryBudget } from './memory-budget.ts';
import { isProfiling, profiledKernel } from './profile.ts';
import type { Prim, PrimParams } from './primitives.ts';
import { isRecording } from './tape.ts';
import { Tensor } from './tensor.ts';
import { ValueError, describeValue } from './errors.ts';
import { checkNumerics, forwardInfo, isDebuggingNumerics } from './debug-numerics.ts';

/**
 * The one way a primitive runs: validate shapes, run the active kernel, and record a tape entry
 * when a grad is tracing one of the inputs. With debugNumerics on, the output is checked for NaN and ±Infinity.
 */
export function apply<P extends Prim>(prim: P, inputs: readonly Tensor[], params: PrimParams[P]): Tensor {
  inputs.forEach((input, i) => {
    if (!(input instanceof Tensor)) throw new ValueError(`${prim}: input ${i} must be a Tensor, got ${describeValue(input)}`);
  });
  const shapes = inputs.map((t) => t.shape);
  const out = shapeRules[prim](shapes, inputs.map((t) => t.dtype), params);
  checkMemoryBudget(out.shape, out.dtype, prim);
  const kernel = kernelFor(prim);
  const storages = inputs.map((t) => t.storage);
  const storage = isProfiling() ? profiledKernel(prim, kernel, storages, shapes, params, out) : kernel(storages, shapes, params, out);
  const debugging = isDebuggingNumerics();
  if (debugging) checkNumerics(prim, inputs, storage, out.shape);
  const tracked = isRecording() && inputs.some((t) => t.entry !== undefined);
  if (!tracked) return new Tensor(storage, out.shape);
  return new Tensor(storage, out.shape, { kind: 'op', prim, params, inputs, debug: debugging ? forwardInfo(prim) : undefined });
}
