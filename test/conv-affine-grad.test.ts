// convAffineGrad (a convolution's kernel and bias gradients in one call) on one-channel images runs directly in
// WebAssembly (core/kernels/wasm/direct-conv-grad-module.ts): the relu mask, the bias sum and the kernel gradient in
// one pass over g and y, split over the GEMM's threads by filters. Its results are the bits of its parts run by
// the fast kernels (reluGrad, convFilterGrad on the GEMM, sum), over several KC blocks of pixels, with and without
// relu, with NaN and ±0 planted, on one thread and split over three.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { convAffineGradOf } from '../core/kernels/conv-affine-grad.ts';
import { fastConvAffineGrad } from '../core/kernels/fast/conv-affine-grad.ts';
import { fastConvFilterGrad } from '../core/kernels/fast/conv-filter-grad.ts';
import { configureGemm } from '../core/kernels/fast/matmul.ts';
import { fastSum } from '../core/kernels/fast/reduce.ts';
import { wasmElementwiseKernels } from '../core/kernels/fast/wasm-elementwise.ts';
import { wasmDirectConvGrad } from '../core/kernels/wasm/direct-conv-grad.ts';
import { GRAD_TAPS } from '../core/kernels/wasm/direct-conv-grad-module.ts';
import { BLOCKING, SCRATCH_STRIDE, gemmRuntime } from '../core/kernels/wasm/runtime.ts';
import { wasmMaxPoolGrad2x2 } from '../core/kernels/wasm/pool-job.ts';
import { residentOffset } from '../core/kernels/wasm/resident.ts';
import { referenceKernels } from '../core/kernels/index.ts';
import type { AffineActivation } from '../core/primitives.ts';
import { randomUniform } from 'semiflow';

const parts = convAffineGradOf({ reluGrad: wasmElementwiseKernels.reluGrad, convFilterGrad: fastConvFilterGrad, sum: fastSum });

/** The same 32-bit words, except that any NaN matches any NaN (JS and WebAssembly may give NaNs different payloads). */
const sameValues = (x: Float32Array, y: Float32Array): boolean => {
  const wx = new Int32Array(x.buffer, x.byteOffset, x.length);
  const wy = new Int32Array(y.buffer, y.byteOffset, y.length);
  return x.length === y.length && wx.every((v, i) => v === wy[i] || (Number.isNaN(x[i]) && Number.isNaN(y[i])));
};

describe('convAffineGrad on one-channel images, directly', () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  it.each([
    ['one thread', { threads: 1, wasmMinFlops: 0 }],
    ['filters split over three threads', { threads: 3, wasmMinFlops: 0, threadMinFlops: 0, adaptiveThreads: false }],
  ])('on %s: the bits of reluGrad, convFilterGrad and sum', (_, gemm) => {
    restore = configureGemm(gemm);
    const arbCase = fc.record({
      images: fc.integer({ min: 1, max: 4 }),
      height: fc.integer({ min: 1, max: 16 }),
      width: fc.integer({ min: 1, max: 16 }),
      kh: fc.constantFrom(3, 3, 1, 2),
      kw: fc.constantFrom(3, 3, 1, 2),
      filters: fc.constantFrom(4, 8, 32, 36),
      activation: fc.constantFrom<AffineActivation>('linear', 'relu'),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    }).filter(({ height, width, kh, kw }) => height >= kh && width >= kw);
    let direct = 0;
    fc.assert(fc.property(arbCase, ({ images, height, width, kh, kw, filters, activation, seed }) => {
      const [outH, outW] = [height - kh + 1, width - kw + 1];
      const x = randomUniform([images, height, width, 1], { min: -1, max: 1, seed }).storage as Float32Array;
      const g = randomUniform([images, outH, outW, filters], { min: -1, max: 1, seed: seed + 1 }).storage as Float32Array;
      const y = randomUniform([images, outH, outW, filters], { min: -1, max: 1, seed: seed + 2 }).storage as Float32Array;
      y[0] = 0;
      g[g.length - 1] = -0;
      if (seed % 3 === 0) x[x.length - 1] = Number.NaN;
      if (seed % 5 === 0) g[0] = Number.NaN;
      const shapes = [[images, height, width, 1], [images, outH, outW, filters], [images, outH, outW, filters]];
      const params = { kernel: [kh, kw] as const, strides: [1, 1] as const, dilations: [1, 1] as const, activation };
      const out = { shape: [kh * kw + 1, filters], dtype: 'float32' as const };
      const expected = parts([x, g, y], shapes, params, out) as Float32Array;
      const problem = { x, g, y, images, height, width, kh, kw, filters, relu: activation === 'relu' };
      const alone = wasmDirectConvGrad(problem);
      expect(alone).toBeDefined();
      direct++;
      expect(sameValues(alone!, expected)).toBe(true);
      expect(sameValues(fastConvAffineGrad([x, g, y], shapes, params, out) as Float32Array, expected)).toBe(true);
    }), { numRuns: 40 });
    expect(direct).toBe(40);
  });

  it('unfolds a block of patch rows into each worker\'s packing scratch, which holds it', () => {
    expect(4 * BLOCKING.kc * GRAD_TAPS).toBeLessThanOrEqual(SCRATCH_STRIDE);
  });

  it('covers several KC blocks of pixels, a 28×28 image batch with 32 filters as in MNIST', () => {
    restore = configureGemm({ threads: 2, threadMinFlops: 0, adaptiveThreads: false });
    const [images, height, width, filters] = [3, 28, 28, 32];
    const rows = images * 26 * 26;
    const x = randomUniform([images, height, width, 1], { seed: 1 }).storage as Float32Array;
    const g = randomUniform([rows, filters], { min: -1, max: 1, seed: 2 }).storage as Float32Array;
    const y = randomUniform([rows, filters], { min: -1, max: 1, seed: 3 }).storage as Float32Array;
    const shapes = [[images, height, width, 1], [images, 26, 26, filters], [images, 26, 26, filters]];
    const params = { kernel: [3, 3] as const, strides: [1, 1] as const, dilations: [1, 1] as const, activation: 'relu' as const };
    const out = { shape: [10, filters], dtype: 'float32' as const };
    const expected = parts([x, g, y], shapes, params, out) as Float32Array;
    const direct = wasmDirectConvGrad({ x, g, y, images, height, width, kh: 3, kw: 3, filters, relu: true });
    expect(direct).toBeDefined();
    expect(sameValues(direct!, expected)).toBe(true);
  });

  it('reads g and y in place where maxPoolGrad left them resident, with the same bits', () => {
    restore = configureGemm({ threads: 2, threadMinFlops: 0, adaptiveThreads: false });
    const rt = gemmRuntime();
    if (rt === null) expect.fail('no GEMM runtime');
    const [images, filters] = [4, 32];
    const x = randomUniform([images, 28, 28, 1], { seed: 4 }).storage as Float32Array;
    const y = randomUniform([images, 26, 26, filters], { min: -1, max: 1, seed: 5 }).storage.map((v) => Math.max(v, 0));
    const pooled = [images, 13, 13, filters];
    const p = referenceKernels.maxPool([y], [[images, 26, 26, filters]], { kernel: [2, 2], strides: [2, 2] }, { shape: pooled, dtype: 'float32' }) as Float32Array;
    const gp = randomUniform(pooled, { min: -1, max: 1, seed: 6 }).storage as Float32Array;
    const g = wasmMaxPoolGrad2x2(y as Float32Array, p, gp, [images, 26, 26, filters]);
    if (g === undefined) expect.fail('maxPoolGrad declined');
    expect(residentOffset(rt, g)).toBeDefined();
    expect(residentOffset(rt, y as Float32Array)).toBeDefined();
    const shapes = [[images, 28, 28, 1], [images, 26, 26, filters], [images, 26, 26, filters]];
    const params = { kernel: [3, 3] as const, strides: [1, 1] as const, dilations: [1, 1] as const, activation: 'relu' as const };
    const problem = { x, g, y: y as Float32Array, images, height: 28, width: 28, kh: 3, kw: 3, filters, relu: true };
    const inPlace = wasmDirectConvGrad(problem);
    // Still resident (nothing reserved the region again), and the copying path agrees once they are forgotten.
    expect(residentOffset(rt, g)).toBeDefined();
    const expected = parts([x, g, y], shapes, params, { shape: [10, filters], dtype: 'float32' }) as Float32Array;
    expect(residentOffset(rt, g)).toBeUndefined();
    expect(sameValues(inPlace!, expected)).toBe(true);
    expect(sameValues(wasmDirectConvGrad(problem)!, expected)).toBe(true);
  });

  it('leaves what it does not take to the parts: several channels, strides, filters not a multiple of 4, more than 9 taps', () => {
    const x = new Float32Array(2 * 6 * 6 * 2);
    expect(wasmDirectConvGrad({ x, g: new Float32Array(2 * 4 * 4 * 6), y: new Float32Array(2 * 4 * 4 * 6), images: 2, height: 6, width: 6, kh: 3, kw: 3, filters: 6, relu: true })).toBeUndefined();
    expect(wasmDirectConvGrad({ x, g: new Float32Array(2 * 2 * 2 * 4), y: new Float32Array(2 * 2 * 2 * 4), images: 2, height: 6, width: 6, kh: 5, kw: 5, filters: 4, relu: true })).toBeUndefined();
  });
});
