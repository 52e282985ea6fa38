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
 * add and relu one after another, as one convAffine primitive: its fast kernel convolves one-channel images without
 * a patch matrix and unfolds others inside the GEMM's memory, and the GEMM adds the bias and clamps in its store. Its
 * gradient unfolds the image again (the forward keeps no patches). Mixed dtypes go through unfold and affine.
 */
export function conv2dAffine(x: Tensor, kernel: Tensor, bias: Tensor, activation: AffineActivation, options: Conv2dOptions = {}): Tensor {
  if ((options.groups ?? 1) !== 1) throw new ConfigError(`conv2dAffine: groups must be 1, got ${show(options.groups)}`);
  const viaPatches = im2col((rows, k) => affine(rows, k, bias, { activation }));
  return convolve(x, kernel, options, (padded, k, strides, dilations) => {
    const fused = padded.dtype === k.dtype && k.dtype === bias.dtype && bias.rank === 1 && bias.shape[0] === k.shape[3];
    return fused ? apply('convAffine', [padded, k, bias], { strides, dilations, activation }) : viaPatches(padded, k, strides, dilations);
  });
}
