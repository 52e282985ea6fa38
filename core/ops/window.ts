import { apply } from '../dispatch.ts';
import { onesLike } from '../creation.ts';
import { ConfigError, ShapeError, ValueError, fmtShape } from '../errors.ts';
import { checkOptionKeys, positiveInt, show } from '../options.ts';
import { extents } from '../prim-shapes.ts';
import type { Tensor } from '../tensor.ts';
import { div } from './arithmetic.ts';
import { expectTensor } from './broadcast.ts';
import { matmul } from './matmul.ts';
import { pad, permute, reshape } from './movement.ts';

export type Padding = 'valid' | 'same';
/** Keras lowercases the padding name, so 'SAME' and 'Same' are the same as 'same'. */
export type PaddingName = Padding | Uppercase<Padding> | Capitalize<Padding>;
export type Pair = readonly [number, number];

export interface Conv2dOptions {
  strides?: number | Pair;
  padding?: PaddingName;
  /** Spacing between kernel taps (atrous convolution); 1 by default. */
  dilations?: number | Pair;
  /** Channel groups: input and output channels are split into `groups` blocks, block g seeing only block g; 1 by default. */
  groups?: number;
}

export interface Pool2dOptions {
  poolSize: number | Pair;
  /** Defaults to poolSize. */
  strides?: number | Pair;
  padding?: PaddingName;
}

/**
 * [N,H,W,C] -> [N,OH,OW,KH,KW,C]: every window position as its own patch (im2col), taps `dilations` apart.
 * No padding.
 */
export function unfold(x: Tensor, kernel: Pair, strides: Pair = [1, 1], dilations: Pair = [1, 1]): Tensor {
  return apply('unfold', [x], { kernel, strides, dilations });
}

/** The transpose of unfold: patches [N,OH,OW,KH,KW,C] summed back into a [N,height,width,C] image. */
export function fold(cols: Tensor, height: number, width: number, strides: Pair = [1, 1], dilations: Pair = [1, 1]): Tensor {
  if (expectTensor(cols, 'fold', 'cols').rank !== 6) throw new ShapeError(`fold: expected patches [N,OH,OW,KH,KW,C], got ${fmtShape(cols.shape)}`);
  return apply('fold', [cols], { kernel: [cols.shape[3], cols.shape[4]], strides, dilations, height, width });
}

/**
 * 2-D convolution (cross-correlation, as in every framework): input NHWC, kernel [kh, kw, inC / groups, outC].
 * pad -> unfold -> one matrix product with the flattened kernel -> reshape; with groups, one batched product
 * whose batch axis is the group.
 */
export function conv2d(x: Tensor, kernel: Tensor, options: Conv2dOptions = {}): Tensor {
  return convolve(x, kernel, options, im2col(matmul));
}

/** How a convolution with groups 1 makes its output from the padded image and the kernel. */
export type ConvProduct = (padded: Tensor, kernel: Tensor, strides: Pair, dilations: Pair) => Tensor;

/** unfold, then `product` of the patch rows with the kernel flattened to [kh·kw·C, outC], reshaped to NHWC. */
export function im2col(product: (rows: Tensor, kernel: Tensor) => Tensor): ConvProduct {
  return (padded, kernel, step, spacing) => {
    const [kh, kw, channels, outC] = kernel.shape;
    const patches = unfold(padded, [kh, kw], step, spacing);
    const [n, oh, ow] = patches.shape;
    const taps = kh * kw * channels;
    return reshape(product(reshape(patches, [n * oh * ow, taps]), reshape(kernel, [taps, outC])), [n, oh, ow, outC]);
  };
}

/** conv2d's checks and padding, with `product` making the output where groups is 1. */
export function convolve(x: Tensor, kernel: Tensor, options: Conv2dOptions, product: ConvProduct): Tensor {
  expectTensor(x, 'conv2d');
  expectTensor(kernel, 'conv2d', 'kernel');
  checkOptionKeys(options, ['strides', 'padding', 'dilations', 'groups'], 'conv2d');
  const { strides = 1, padding = 'valid', dilations = 1, groups = 1 } = options;
  if (x.rank !== 4 || kernel.rank !== 4) {
    throw new ShapeError(`conv2d: expected input [N,H,W,C] and kernel [kh,kw,inC,outC], got ${fmtShape(x.shape)} and ${fmtShape(kernel.shape)}`);
  }
  const [kh, kw, groupC, outC] = kernel.shape;
  if (kh === 0 || kw === 0) throw new ShapeError(`conv2d: kernel ${fmtShape(kernel.shape)} has an empty window; kh and kw must be at least 1`);
  positiveInt(groups, 'groups', 'conv2d');
  if (x.shape[3] !== groupC * groups) {
    const perGroup = groups > 1 ? ` (${groupC} per group × ${groups} groups)` : '';
    throw new ShapeError(`conv2d: input ${fmtShape(x.shape)} has ${x.shape[3]} channels but kernel ${fmtShape(kernel.shape)} expects ${groupC * groups}${perGroup}`);
  }
  if (outC % groups !== 0) throw new ShapeError(`conv2d: kernel ${fmtShape(kernel.shape)} has ${outC} output channels, which do not split into ${groups} equal groups`);
  const step = pair(strides, 'strides', 'conv2d');
  const spacing = pair(dilations, 'dilations', 'conv2d');
  const padded = padFor(x, extents([kh, kw], spacing), step, padding, 0, 'conv2d');
  if (groups === 1) return product(padded, kernel, step, spacing);
  const patches = unfold(padded, [kh, kw], step, spacing);
  const [n, oh, ow] = patches.shape;
  const taps = kh * kw;
  // rows [G, P, taps·C/G] times kernels [G, taps·C/G, outC/G], then the groups' outputs side by side.
  const rows = permute(reshape(patches, [n * oh * ow, taps, groups, groupC]), [2, 0, 1, 3]).reshape([groups, n * oh * ow, taps * groupC]);
  const kernels = permute(reshape(kernel, [taps * groupC, groups, outC / groups]), [1, 0, 2]);
  return permute(matmul(rows, kernels), [1, 0, 2]).reshape([n, oh, ow, outC]);
}

/**
 * Max over each window, one maxPool primitive (the max over the windows' axes without the crop or the patches);
 * 'same' padding never wins because it pads with -Infinity.
 */
export function maxPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  const { padded, size, step } = poolInput(x, options, -Infinity, 'maxPool2d');
  return apply('maxPool', [padded], { kernel: size, strides: step });
}

/**
 * Mean over each window, counting only real pixels when 'same' padding is used (as TF and Keras do): the window sums
 * of x over those of ones (0 in the padding), each one sumPool primitive (no crop to whole windows, no patches).
 */
export function avgPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  const { padded, size, step } = poolInput(x, options, 0, 'avgPool2d');
  const counts = padFor(onesLike(x), size, step, options.padding ?? 'valid', 0, 'avgPool2d');
  const params = { kernel: size, strides: step };
  return div(apply('sumPool', [padded], params), apply('sumPool', [counts], params));
}

/** A pooling op's checks and padding: the padded image, the window and its step. */
function poolInput(x: Tensor, options: Pool2dOptions, fillValue: number, op: string): { padded: Tensor; size: Pair; step: Pair } {
  expectTensor(x, op);
  if (options === undefined) throw new ConfigError(`${op}: options with a poolSize are required, like { poolSize: 2 }`);
  checkOptionKeys(options, ['poolSize', 'strides', 'padding'], op);
  const { poolSize, strides, padding = 'valid' } = options;
  if (x.rank !== 4) throw new ShapeError(`${op}: expected input [N,H,W,C], got ${fmtShape(x.shape)}`);
  const size = pair(poolSize, 'poolSize', op);
  const step = pair(strides ?? size, 'strides', op);
  return { padded: padFor(x, size, step, padding, fillValue, op), size, step };
}

/** 'same' pads so the output has ceil(size / stride) positions, the extra pixel going after (TF's rule). */
export function padFor(x: Tensor, kernel: Pair, strides: Pair, name: PaddingName, value: number, op: string): Tensor {
  const padding = paddingOf(name, op);
  const amounts = [1, 2].map((axis, i): [number, number] => {
    const size = x.shape[axis];
    if (padding === 'valid') {
      if (size < kernel[i]) throw new ShapeError(`${op}: the ${kernel[0]}x${kernel[1]} window does not fit in input ${fmtShape(x.shape)} with 'valid' padding`);
      return [0, 0];
    }
    const total = Math.max((Math.ceil(size / strides[i]) - 1) * strides[i] + kernel[i] - size, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  });
  return pad(x, [[0, 0], amounts[0], amounts[1], [0, 0]], value);
}

/** A padding name is 'valid' or 'same' in any case, as Keras lowercases it; anything else is a ConfigError naming the op. */
export function paddingOf(name: unknown, op: string): Padding {
  const padding = typeof name === 'string' ? name.toLowerCase() : name;
  if (padding !== 'valid' && padding !== 'same') {
    throw new ConfigError(`${op}: unknown padding '${String(name)}' (expected 'valid' or 'same', in any case)`);
  }
  return padding;
}

export function pair(value: number | Pair, name: string, op: string): Pair {
  const p: Pair = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => Number.isInteger(v) && v >= 1)) {
    const given = Array.isArray(value) ? `[${value.map(show).join(',')}]` : show(value);
    throw new ValueError(`${op}: ${name} must be a positive integer or a pair of them, got ${given}`);
  }
  return p;
}
