// convAffine on images of several channels runs as an implicit GEMM (core/kernels/wasm/conv-gemm.ts): each thread
// unfolds blocks of patch rows into its own scratch and multiplies them there. Its results are the bits of unfold
// then the fast affine kernel (the GEMM on the whole patch matrix), over several row blocks, strides, dilations,
// with NaN planted, on one thread and split over three. convTranspose (conv's input gradient) folds the GEMM's
// product inside WebAssembly memory (wasm/conv-fold.ts): the bits of the fast matmul then the fast fold kernel.
// convFilterGrad (the kernel gradient) unfolds x inside the GEMM's memory: the bits of unfold then the product.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { TypedArray } from '../core/dtype.ts';
import { fastKernels } from '../core/kernels/fast/index.ts';
import { configureGemm } from '../core/kernels/fast/matmul.ts';
import { referenceKernels } from '../core/kernels/index.ts';
import type { KernelTable } from '../core/kernels/kernel.ts';
import { CONV_GEMM_WORDS } from '../core/kernels/wasm/conv-gemm-module.ts';
import { JOB_WORDS } from '../core/kernels/wasm/gemm-kernel.ts';
import { JOB_OFFSET, SCRATCH_OFFSET } from '../core/kernels/wasm/runtime.ts';
import type { AffineActivation } from '../core/primitives.ts';
import { randomUniform } from 'semiflow';

const fast = { ...referenceKernels, ...fastKernels } as KernelTable;

const sameBits = (x: TypedArray, y: TypedArray): boolean => {
  const bx = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const by = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
  return bx.length === by.length && bx.every((v, i) => v === by[i]);
};

/** The same bits, except that any NaN matches any NaN (JS's float32 adds and WebAssembly's may give NaNs different payloads). */
const sameValues = (x: TypedArray, y: TypedArray): boolean => {
  const wx = new Int32Array(x.buffer, x.byteOffset, x.length);
  const wy = new Int32Array(y.buffer, y.byteOffset, y.length);
  return x.length === y.length && wx.every((v, i) => v === wy[i] || (Number.isNaN(x[i]) && Number.isNaN(y[i])));
};

describe('convAffine as an implicit GEMM', () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  it('its job words fit between the GEMM job and the packing scratch', () => {
    expect(JOB_WORDS).toBeLessThanOrEqual(32);
    expect(JOB_OFFSET + 4 * CONV_GEMM_WORDS).toBeLessThanOrEqual(SCRATCH_OFFSET);
  });

  it.each([
    ['one thread', { threads: 1, wasmMinFlops: 0 }],
    ['rows split over three threads', { threads: 3, wasmMinFlops: 0, threadMinFlops: 0, adaptiveThreads: false }],
  ])('on %s: the bits of unfold then the fast affine kernel, over several row blocks', (_, gemm) => {
    restore = configureGemm(gemm);
    // 32 or more channels of a 3×3 window: k ≥ 288, so blocks of at most 224 rows and several per image batch.
    const arbConv = fc.record({
      images: fc.integer({ min: 2, max: 6 }),
      height: fc.integer({ min: 5, max: 14 }),
      width: fc.integer({ min: 5, max: 14 }),
      kh: fc.constantFrom(3, 3, 3, 1, 2),
      kw: fc.constantFrom(3, 3, 3, 1, 2),
      channels: fc.constantFrom(32, 40, 40, 5),
      dilation: fc.constantFrom(1, 1, 2),
      filters: fc.constantFrom(3, 8, 13, 64),
      stride: fc.constantFrom(1, 1, 2),
      activation: fc.constantFrom<AffineActivation>('linear', 'relu'),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    }).filter(({ height, width, kh, kw, dilation }) => height > (kh - 1) * dilation && width > (kw - 1) * dilation);
    fc.assert(fc.property(arbConv, ({ images, height, width, kh, kw, channels, dilation, filters, stride, activation, seed }) => {
      const x = randomUniform([images, height, width, channels], { min: -1, max: 1, seed });
      const k = randomUniform([kh, kw, channels, filters], { min: -1, max: 1, seed: seed + 1 });
      const b = randomUniform([filters], { min: -1, max: 1, seed: seed + 2 });
      if (seed % 3 === 0) x.storage[x.size - 1] = Number.NaN;
      const strides = [stride, stride] as const;
      const dilations = [dilation, dilation] as const;
      const outH = Math.floor((height - (kh - 1) * dilation - 1) / stride) + 1;
      const outW = Math.floor((width - (kw - 1) * dilation - 1) / stride) + 1;
      const out = { shape: [images, outH, outW, filters], dtype: 'float32' as const };
      const implicit = fast.convAffine([x.storage, k.storage, b.storage], [x.shape, k.shape, b.shape], { strides, dilations, activation }, out);
      const cols = fast.unfold([x.storage], [x.shape], { kernel: [kh, kw], strides, dilations }, { shape: [images, outH, outW, kh, kw, channels], dtype: 'float32' });
      const rows = images * outH * outW;
      const taps = kh * kw * channels;
      const viaPatches = fast.affine([cols, k.storage, b.storage], [[rows, taps], [taps, filters], [filters]], { activation }, { shape: [rows, filters], dtype: 'float32' });
      expect(sameBits(implicit, viaPatches)).toBe(true);
    }), { numRuns: 40 });
  });

  it.each([
    ['one thread', { threads: 1, wasmMinFlops: 0 }],
    ['its product split over three threads', { threads: 3, wasmMinFlops: 0, threadMinFlops: 0, adaptiveThreads: false }],
  ])('convTranspose on %s: the bits of the fast matmul then the fast fold kernel', (_, gemm) => {
    restore = configureGemm(gemm);
    const arbCase = fc.record({
      images: fc.integer({ min: 1, max: 4 }),
      outH: fc.integer({ min: 1, max: 12 }),
      outW: fc.integer({ min: 1, max: 12 }),
      kh: fc.integer({ min: 1, max: 3 }),
      kw: fc.integer({ min: 1, max: 3 }),
      // Runs of kw·channels values: multiples of 4 and not, so both the vector and the scalar adds run.
      channels: fc.constantFrom(1, 3, 4, 32),
      filters: fc.constantFrom(1, 5, 64),
      stride: fc.constantFrom(1, 1, 2),
      dilation: fc.constantFrom(1, 1, 2),
      extra: fc.integer({ min: 0, max: 1 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    });
    fc.assert(fc.property(arbCase, ({ images, outH, outW, kh, kw, channels, filters, stride, dilation, extra, seed }) => {
      const x = randomUniform([images, outH, outW, filters], { min: -1, max: 1, seed });
      const k = randomUniform([kh, kw, channels, filters], { min: -1, max: 1, seed: seed + 1 });
      if (seed % 3 === 0) x.storage[0] = Number.NaN;
      const strides = [stride, stride] as const;
      const dilations = [dilation, dilation] as const;
      const height = (outH - 1) * stride + (kh - 1) * dilation + 1 + extra;
      const width = (outW - 1) * stride + (kw - 1) * dilation + 1 + extra;
      const out = { shape: [images, height, width, channels], dtype: 'float32' as const };
      const folded = fast.convTranspose([x.storage, k.storage], [x.shape, k.shape], { strides, dilations, height, width }, out);
      const rows = images * outH * outW;
      const taps = kh * kw * channels;
      const cols = fast.matmul([x.storage, k.storage], [[rows, filters], [taps, filters]], { transposeA: false, transposeB: true }, { shape: [rows, taps], dtype: 'float32' });
      const expected = fast.fold([cols], [[images, outH, outW, kh, kw, channels]], { kernel: [kh, kw], strides, dilations, height, width }, out);
      expect(sameValues(folded, expected)).toBe(true);
    }), { numRuns: 40 });
  });

  it.each([
    ['one thread', { threads: 1, wasmMinFlops: 0 }],
    ['its product split over three threads', { threads: 3, wasmMinFlops: 0, threadMinFlops: 0, adaptiveThreads: false }],
  ])('convFilterGrad on %s: the bits of unfold then the fast matmul of the patches, transposed, with g', (_, gemm) => {
    restore = configureGemm(gemm);
    const arbCase = fc.record({
      images: fc.integer({ min: 1, max: 4 }),
      height: fc.integer({ min: 5, max: 12 }),
      width: fc.integer({ min: 5, max: 12 }),
      kh: fc.integer({ min: 1, max: 3 }),
      kw: fc.integer({ min: 1, max: 3 }),
      channels: fc.constantFrom(1, 3, 32),
      filters: fc.constantFrom(1, 5, 32),
      stride: fc.constantFrom(1, 1, 2),
      dilation: fc.constantFrom(1, 1, 2),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    });
    fc.assert(fc.property(arbCase, ({ images, height, width, kh, kw, channels, filters, stride, dilation, seed }) => {
      const x = randomUniform([images, height, width, channels], { min: -1, max: 1, seed });
      const outH = Math.floor((height - (kh - 1) * dilation - 1) / stride) + 1;
      const outW = Math.floor((width - (kw - 1) * dilation - 1) / stride) + 1;
      const g = randomUniform([images, outH, outW, filters], { min: -1, max: 1, seed: seed + 1 });
      if (seed % 3 === 0) x.storage[0] = Number.NaN;
      const window = { kernel: [kh, kw] as const, strides: [stride, stride] as const, dilations: [dilation, dilation] as const };
      const out = { shape: [kh, kw, channels, filters], dtype: 'float32' as const };
      const grad = fast.convFilterGrad([x.storage, g.storage], [x.shape, g.shape], window, out);
      const rows = images * outH * outW;
      const taps = kh * kw * channels;
      const cols = fast.unfold([x.storage], [x.shape], window, { shape: [images, outH, outW, kh, kw, channels], dtype: 'float32' });
      const expected = fast.matmul([cols, g.storage], [[rows, taps], [rows, filters]], { transposeA: true, transposeB: false }, { shape: [taps, filters], dtype: 'float32' });
      expect(sameBits(grad, expected)).toBe(true);
    }), { numRuns: 40 });
  });
});
