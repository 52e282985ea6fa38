import { apply } from '../dispatch.ts';
import { ConfigError, ShapeError, describeValue, fmtShape } from '../errors.ts';
import { checkOptionKeys } from '../options.ts';
import { AFFINE_ACTIVATIONS } from '../primitives.ts';
import type { AffineActivation } from '../primitives.ts';
import { sizeOf } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { castTo, expectTensor } from './broadcast.ts';
import { reshape } from './movement.ts';

export type { AffineActivation } from '../primitives.ts';

export interface AffineOptions {
  /** 'linear' (the default) or 'relu'. */
  activation?: AffineActivation;
}

/**
 * activation(x·w + bias) as one primitive, a Dense layer's forward pass: x [..., k] (leading axes are rows),
 * w [k, n], bias [n]. The same values, bits included, as matmul, add and relu one after another; the fast kernel
 * adds the bias and applies relu as it stores each tile of the product, instead of two more passes over it.
 */
export function affine(x: Tensor, w: Tensor, bias: Tensor, options: AffineOptions = {}): Tensor {
  expectTensor(x, 'affine');
  expectTensor(w, 'affine', 'w');
  expectTensor(bias, 'affine', 'bias');
  checkOptionKeys(options, ['activation'], 'affine');
  const { activation = 'linear' } = options;
  if (!AFFINE_ACTIVATIONS.includes(activation)) {
    throw new ConfigError(`affine: activation must be one of ${AFFINE_ACTIVATIONS.join(', ')}, got ${describeValue(activation)}`);
  }
  const k = x.shape[x.rank - 1];
  if (x.rank < 1 || w.rank !== 2 || bias.rank !== 1 || w.shape[0] !== k || bias.shape[0] !== w.shape[1]) {
    throw new ShapeError(`affine: expected x [...,k], w [k,n] and bias [n], got ${fmtShape(x.shape)}, ${fmtShape(w.shape)} and ${fmtShape(bias.shape)}`);
  }
  const dtype = x.dtype === w.dtype && w.dtype === bias.dtype ? x.dtype : 'float64';
  const lead = x.shape.slice(0, -1);
  const rows = reshape(castTo(x, dtype), [sizeOf(lead), k]);
  const y = apply('affine', [rows, castTo(w, dtype), castTo(bias, dtype)], { activation });
  return reshape(y, [...lead, w.shape[1]]);
}
