import { GradientError, ValueError, describeValue } from '../core/errors.ts';
import { Rng } from '../core/random.ts';
import { Tensor } from '../core/tensor.ts';
import type { CheckGradOptions, GradCheckResult } from '../core/testing/check-grad.ts';
import { checkGrad } from '../core/testing/check-grad.ts';
import type { AnyLayer, ApplyOptions } from './layer.ts';
import { Layer } from './layer.ts';

export interface LayerGradOptions extends CheckGradOptions {
  /** Check the training-mode computation (Dropout active). */
  training?: boolean;
  /** Every evaluation gets a fresh generator from this seed, so a random layer draws the same mask each time. */
  rngSeed?: number;
  /**
   * Check the gradient with respect to the input too (the default). False holds the input fixed and checks the
   * weights alone: for inputs that are not differentiable, like an Embedding's integer ids.
   */
  wrtInput?: boolean;
  /** A mask handed to the call, as a model would (CallOptions.mask). */
  mask?: Tensor;
}

/**
 * checkGrad of a layer with respect to its input and every weight at once, in float64.
 * Builds the layer for x first if needed; the same check users run on their own layers.
 */
export function checkLayerGrad(layer: AnyLayer, x: Tensor | readonly Tensor[], options: LayerGradOptions = {}): GradCheckResult {
  if (!(layer instanceof Layer)) throw new ValueError(`checkLayerGrad: layer must be a Layer, got ${describeValue(layer)}`);
  const list = Array.isArray(x) && x.length > 0 && x.every((t) => t instanceof Tensor);
  if (!(x instanceof Tensor) && !list) throw new ValueError(`checkLayerGrad: x must be a Tensor, or a list of them for a merge layer, got ${describeValue(x)}`);
  const { training = false, rngSeed = 0, wrtInput = true, mask, ...checkOptions } = options;
  const first = x instanceof Tensor ? x : (x as readonly Tensor[])[0];
  layer.ensureBuilt(first.shape, 'float64', new Rng(rngSeed));
  // A merge layer's apply takes the list; every other layer's takes one tensor.
  const apply = layer.apply.bind(layer) as (input: Tensor | readonly Tensor[], options: ApplyOptions) => Tensor;
  const fixed = x instanceof Tensor ? x : [...(x as readonly Tensor[])];
  const run = ({ input = fixed, params }: { input?: Tensor | Tensor[]; params: Record<string, Tensor> }): Tensor =>
    apply(input, { params, training, rng: new Rng(rngSeed), ...(mask === undefined ? {} : { mask }) });
  return checkGrad(run, wrtInput ? { input: fixed, params: layer.params } : { params: layer.params }, checkOptions);
}

/** checkLayerGrad that throws a GradientError naming the worst input or weight. */
export function assertLayerGrad(layer: AnyLayer, x: Tensor | readonly Tensor[], options?: LayerGradOptions): void {
  const result = checkLayerGrad(layer, x, options);
  if (!result.ok) throw new GradientError(`${layer.name}: ${result.message}`);
}
