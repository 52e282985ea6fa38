import { GradientError, ValueError, describeValue } from '../core/errors.ts';
import { Rng } from '../core/random.ts';
import { Tensor } from '../core/tensor.ts';
import type { CheckGradOptions, GradCheckResult } from '../core/testing/check-grad.ts';
import { checkGrad } from '../core/testing/check-grad.ts';
import { Layer } from './layer.ts';

export interface LayerGradOptions extends CheckGradOptions {
  /** Check the training-mode computation (Dropout active). */
  training?: boolean;
  /** Every evaluation gets a fresh generator from this seed, so a random layer draws the same mask each time. */
  rngSeed?: number;
}

/**
 * checkGrad of a layer with respect to its input and every weight at once, in float64.
 * Builds the layer for x first if needed; the same check users run on their own layers.
 */
export function checkLayerGrad(layer: Layer, x: Tensor, options: LayerGradOptions = {}): GradCheckResult {
  if (!(layer instanceof Layer)) throw new ValueError(`checkLayerGrad: layer must be a Layer, got ${describeValue(layer)}`);
  if (!(x instanceof Tensor)) throw new ValueError(`checkLayerGrad: x must be a Tensor, got ${describeValue(x)}`);
  const { training = false, rngSeed = 0, ...checkOptions } = options;
  layer.ensureBuilt(x.shape, 'float64', new Rng(rngSeed));
  const run = ({ input, params }: { input: Tensor; params: Record<string, Tensor> }): Tensor =>
    layer.apply(input, { params, training, rng: new Rng(rngSeed) });
  return checkGrad(run, { input: x, params: layer.params }, checkOptions);
}

/** checkLayerGrad that throws a GradientError naming the worst input or weight. */
export function assertLayerGrad(layer: Layer, x: Tensor, options?: LayerGradOptions): void {
  const result = checkLayerGrad(layer, x, options);
  if (!result.ok) throw new GradientError(`${layer.name}: ${result.message}`);
}
