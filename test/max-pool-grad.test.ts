// The maxPoolGrad primitive (maxPool's rule for windows that tile, without the crop and the pad): the registered fast
// kernel against the reference, bit for bit, with NaN and ±0 ties and odd sizes; the 2×2 path in the GEMM module's
// memory on 1–3 threads (reading and writing the whole windows in place, +0 past them), and the parts (crop, maxGrad,
// pad) for other windows and small arrays.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TypedArray } from '../core/dtype.ts';
import { fastKernels } from '../core/kernels/fast/index.ts';
import { configureGemm } from '../core/kernels/fast/matmul.ts';
import { referenceKernels } from '../core/kernels/index.ts';
import type { KernelTable } from '../core/kernels/kernel.ts';
import { wasmMaxPoolGrad2x2 } from '../core/kernels/wasm/pool-job.ts';

const fast = fastKernels as KernelTable;
const value = fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(0, -0, 1, 2, NaN, Infinity, -Infinity, 1e-45));

function expectSame(what: string, actual: TypedArray | undefined, expected: TypedArray): void {
  if (actual === undefined) expect.fail(`${what}: the wasm path declined`);
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** x of the given shape from a few values (ties, ±0, NaN), its reference maxPool and a cotangent of that shape. */
function operands(shape: number[], kernel: readonly [number, number], values: number[], seed: number) {
  const x = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => values[(i * 7 + seed) % values.length]);
  const pooled = [shape[0], Math.floor(shape[1] / kernel[0]), Math.floor(shape[2] / kernel[1]), shape[3]];
  const params = { kernel, strides: kernel };
  const y = referenceKernels.maxPool([x], [shape], params, { shape: pooled, dtype: 'float32' }) as Float32Array;
  const g = Float32Array.from({ length: y.length }, (_, i) => Math.sin(i + seed) * 3);
  return { x, y, g, pooled, params };
}

describe('maxPoolGrad', () => {
  it('the registered kernel gives the reference bits: 2×2 in the GEMM memory, other windows and small arrays as the parts', () => {
    const arb = fc.record({
      n: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 2, max: 13 }), w: fc.integer({ min: 2, max: 13 }), c: fc.constantFrom(1, 3, 8, 32, 64),
      kernel: fc.constantFrom<[number, number]>([2, 2], [2, 2], [3, 3], [1, 2], [2, 3]),
      values: fc.array(value, { minLength: 1, maxLength: 6 }), seed: fc.nat(50), threads: fc.constantFrom(1, 2, 3),
    }).filter(({ h, w, kernel }) => h >= kernel[0] && w >= kernel[1]);
    fc.assert(fc.property(arb, ({ n, h, w, c, kernel, values, seed, threads }) => {
      const restore = configureGemm({ threads, adaptiveThreads: false, threadMinFlops: 0 });
      try {
        const shape = [n, h, w, c];
        const { x, y, g, pooled, params } = operands(shape, kernel, values, seed);
        const out = { shape, dtype: 'float32' as const };
        const expected = referenceKernels.maxPoolGrad([x, y, g], [shape, pooled, pooled], params, out);
        expectSame(`registered ${shape} ${kernel}`, fast.maxPoolGrad([x, y, g], [shape, pooled, pooled], params, out), expected);
        if (kernel[0] === 2 && kernel[1] === 2) expectSame(`in the GEMM memory ${shape} on ${threads}`, wasmMaxPoolGrad2x2(x, y, g, shape), expected);
      } finally {
        restore();
      }
    }), { numRuns: 60 });
  });

  it('an odd-sized conv output as in the MNIST CNN ([8,11,11,64]) on two threads, past-window row and column +0', () => {
    const restore = configureGemm({ threads: 2, adaptiveThreads: false, threadMinFlops: 0 });
    try {
      const shape = [8, 11, 11, 64];
      const { x, y, g, pooled, params } = operands(shape, [2, 2], [0, 0.5, 1, -0, 2, 0.25, 3], 1);
      const expected = referenceKernels.maxPoolGrad([x, y, g], [shape, pooled, pooled], params, { shape, dtype: 'float32' });
      const dx = fast.maxPoolGrad([x, y, g], [shape, pooled, pooled], params, { shape, dtype: 'float32' });
      expectSame('registered', dx, expected);
      expect(Object.is(dx[(10 * 11 + 3) * 64], 0) && Object.is(dx[(3 * 11 + 10) * 64 + 5], 0)).toBe(true);
    } finally {
      restore();
    }
  });
});
