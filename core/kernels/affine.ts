import type { TypedArray } from '../dtype.ts';
import type { AffineActivation } from '../primitives.ts';
import type { Kernel } from './kernel.ts';
import { matmulKernel } from './matmul.ts';
import { foldKernel, unfoldKernel } from './window.ts';

const PLAIN = { transposeA: false, transposeB: false } as const;

/**
 * z[i, j] += bias[j] on the rows of z (in place), then relu (z where 0 < z, else +0) with 'relu'. Each sum is
 * rounded once on store as the add kernel rounds it, and the sign of a sum survives its rounding, so this gives
 * the bits of the add and relu kernels run one after the other.
 */
export function addBiasActivate(z: TypedArray, bias: TypedArray, activation: AffineActivation): TypedArray {
  const n = bias.length;
  if (n === 0) return z;
  const relu = activation === 'relu';
  for (let row = 0; row < z.length; row += n) {
    for (let j = 0; j < n; j++) {
      const s = z[row + j] + bias[j];
      z[row + j] = relu && !(0 < s) ? 0 : s;
    }
  }
  return z;
}

/** The affine primitive as its three parts: the reference matmul, then the bias and activation over its output. */
export const affineKernel: Kernel<'affine'> = ([x, w, bias], [xs, ws], { activation }, out) =>
  addBiasActivate(matmulKernel([x, w], [xs, ws], PLAIN, out), bias, activation);

/** convAffine as its parts: the reference unfold, then the reference affine on the patch rows. */
export const convAffineKernel: Kernel<'convAffine'> = ([x, kernel, bias], [xs, ks], { strides, dilations, activation }, out) => {
  const [n, oh, ow, f] = out.shape;
  const [kh, kw, c] = ks;
  const patches = [n, oh, ow, kh, kw, c];
  const cols = unfoldKernel([x], [xs], { kernel: [kh, kw], strides, dilations }, { shape: patches, dtype: out.dtype });
  return affineKernel([cols, kernel, bias], [[n * oh * ow, kh * kw * c], [kh * kw * c, f], [f]], { activation }, { shape: [n * oh * ow, f], dtype: out.dtype });
};

/** convFilterGrad as its parts: the reference unfold, then the product of the patch rows, transposed, with g. */
export const convFilterGradKernel: Kernel<'convFilterGrad'> = ([x, g], [xs, gs], window, out) => {
  const [n, oh, ow, f] = gs;
  const [kh, kw] = window.kernel;
  const rows = n * oh * ow;
  const taps = kh * kw * xs[3];
  const cols = unfoldKernel([x], [xs], window, { shape: [n, oh, ow, kh, kw, xs[3]], dtype: out.dtype });
  return matmulKernel([cols, g], [[rows, taps], [rows, f]], { transposeA: true, transposeB: false }, { shape: [taps, f], dtype: out.dtype });
};

/** convTranspose as its parts: the reference product x·kernelᵀ of the pixels with the flattened kernel, then fold. */
export const convTransposeKernel: Kernel<'convTranspose'> = ([x, kernel], [xs, ks], { strides, dilations, height, width }, out) => {
  const [n, oh, ow, f] = xs;
  const [kh, kw, c] = ks;
  const rows = n * oh * ow;
  const taps = kh * kw * c;
  const cols = matmulKernel([x, kernel], [[rows, f], [taps, f]], { transposeA: false, transposeB: true }, { shape: [rows, taps], dtype: out.dtype });
  return foldKernel([cols], [[n, oh, ow, kh, kw, c]], { kernel: [kh, kw], strides, dilations, height, width }, out);
};
