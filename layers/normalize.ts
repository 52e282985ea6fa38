import { ConfigError, describeValue } from '../core/errors.ts';
import { add, div, mul, reshape, sqrt, sub } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import type { Weight } from './layer.ts';

/** Axes given as Keras does (negative from the end), resolved against a rank that includes the batch axis. */
export function resolveAxes(axes: readonly number[], rank: number, where: string): number[] {
  const resolved = axes.map((a) => (a < 0 ? a + rank : a));
  if (resolved.some((a) => a < 1 || a >= rank) || new Set(resolved).size !== resolved.length) {
    throw new ConfigError(`${where}: axis must be distinct axes in [1, ${rank - 1}] or [-${rank - 1}, -1] of an input of rank ${rank} (the batch axis cannot be normalized), got ${describeValue(axes.length === 1 ? axes[0] : axes)}`);
  }
  return resolved.sort((a, b) => a - b);
}

/** The shape that broadcasts a weight over the kept axes against x: the kept sizes, 1 elsewhere. */
export function keptShape(shape: readonly number[], kept: readonly number[]): number[] {
  return shape.map((d, i) => (kept.includes(i) ? d : 1));
}

/** gamma · (x - mean) / √(variance + epsilon) + beta; gamma and beta are optional, reshaped to `broadcast`. */
export function normalize(
  x: Tensor, mean: Tensor, variance: Tensor, epsilon: number, broadcast: readonly number[], gamma?: Weight, beta?: Weight,
): Tensor {
  let y = div(sub(x, mean), sqrt(add(variance, epsilon)));
  if (gamma !== undefined) y = mul(y, reshape(gamma.value, broadcast));
  if (beta !== undefined) y = add(y, reshape(beta.value, broadcast));
  return y;
}
