import { apply } from '../dispatch.ts';
import { ConfigError } from '../errors.ts';
import { show } from '../options.ts';
import type { AffineActivation } from '../primitives.ts';
import type { Tensor } from '../tensor.ts';
import { affine } from './affine.ts';
import type { Conv2dOptions } from './window.ts';
import { convolve, im2col } from './window.ts';

/**
 * activation(conv2d(x, kernel) + bias) for a Conv2D layer's forward pass (groups 1), with the same bits as conv2d,
 * add and relu one after another. One-channel images run as one convAffine primitive, whose fast kernel convolves
 * without the patch matrix (its gradient unfolds the image again, cheap for one channel); others unfold and run the
 * product, bias and activation as one affine primitive, which adds and clamps in the GEMM's store.
 */
export function conv2dAffine(x: Tensor, kernel: Tensor, bias: Tensor, activation: AffineActivation, options: Conv2dOptions = {}): Tensor {
  if ((options.groups ?? 1) !== 1) throw new ConfigError(`conv2dAffine: groups must be 1, got ${show(options.groups)}`);
  const viaPatches = im2col((rows, k) => affine(rows, k, bias, { activation }));
  return convolve(x, kernel, options, (padded, k, strides, dilations) => {
    const direct = padded.shape[3] === 1 && padded.dtype === k.dtype && k.dtype === bias.dtype && bias.rank === 1 && bias.shape[0] === k.shape[3];
    return direct ? apply('convAffine', [padded, k, bias], { strides, dilations, activation }) : viaPatches(padded, k, strides, dilations);
  });
}
