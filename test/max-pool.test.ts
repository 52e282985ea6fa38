// The maxPool primitive (max pooling without the crop or the patches): its kernels against the composite it replaced
// (crop to whole windows, view [N,OH,kh,OW,kw,C], max over axes 2 and 4; or unfold and max over axes 3 and 4), bit
// for bit with NaN and ±0 ties, odd sizes included; the wasm 2×2 path that copies in only the rows of whole windows;
// maxPool2d's gradient against the composite's, bit for bit; and the pooling of a convolution's output in place in the
// GEMM module's memory on 1–3 threads, forgotten once that memory or the array is reused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grad, max, mul, reshape, slice, sum, tensor, unfold } from 'semiflow';
import type { Tensor } from 'semiflow';
import { apply } from '../core/dispatch.ts';
import type { TypedArray } from '../core/dtype.ts';
import { fastKernels } from '../core/kernels/fast/index.ts';
import { WASM_MIN_ELEMENTS, wasmMaxPool2x2 } from '../core/kernels/fast/wasm-elementwise.ts';
import { referenceKernels } from '../core/kernels/index.ts';
import type { KernelTable } from '../core/kernels/kernel.ts';
import { allocateOutput } from '../core/buffer-pool.ts';
import { withBufferScope } from '../core/buffer-scope.ts';
import { sizeOf as sizeOfShape } from '../core/shape.ts';
import { wasmDirectConv } from '../core/kernels/wasm/direct-conv.ts';
import { wasmResidentMaxPool2x2 } from '../core/kernels/wasm/pool-job.ts';
import { residentOffset } from '../core/kernels/wasm/resident.ts';
import { gemmRuntime } from '../core/kernels/wasm/runtime.ts';
import { configureGemm } from '../core/kernels/fast/matmul.ts';

const RUNS = Number(process.env.SEMIFLOW_SWEEP_RUNS ?? 40);
const fast = fastKernels as KernelTable;
const value = fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(0, -0, 1, 2, NaN, Infinity, -Infinity, 1e-45));
const image = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 9 }), fc.integer({ min: 2, max: 9 }), fc.integer({ min: 1, max: 9 }));
const window = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }));

function expectSame(what: string, actual: TypedArray | undefined, expected: TypedArray): void {
  if (actual === undefined) expect.fail(`${what}: the wasm path declined`);
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** The composite maxPool replaced: max over the cropped tiles (strides = kernel) or over unfold's patches. */
function composite(x: Tensor, [kh, kw]: [number, number], [sh, sw]: [number, number]): Tensor {
  const [n, h, w, c] = x.shape;
  const [oh, ow] = [Math.floor((h - kh) / sh) + 1, Math.floor((w - kw) / sw) + 1];
  if (sh !== kh || sw !== kw) return reshape(max(unfold(x, [kh, kw], [sh, sw]), [3, 4]), [n, oh, ow, c]);
  return reshape(max(reshape(slice(x, [0, 0, 0, 0], [n, oh * kh, ow * kw, c]), [n, oh, kh, ow, kw, c]), [2, 4]), [n, oh, ow, c]);
}

const cases = fc.tuple(image, window, window)
  .filter(([[, h, w], k]) => h >= k[0] && w >= k[1])
  .chain(([shape, k, s]) => fc.tuple(fc.constant(shape), fc.constant(k), fc.constant(s), fc.array(value, { minLength: shape[0] * shape[1] * shape[2] * shape[3], maxLength: shape[0] * shape[1] * shape[2] * shape[3] })));

describe('maxPool', () => {
  it('the reference and registered kernels give the composite max over the windows, bit for bit', () => {
    fc.assert(fc.property(cases, ([shape, kernel, strides, values]) => {
      const x = tensor(Float32Array.from(values), shape);
      const expected = composite(x, kernel, strides);
      const params = { kernel, strides };
      const out = { shape: [...expected.shape], dtype: 'float32' as const };
      expectSame(`reference ${shape} ${kernel} ${strides}`, referenceKernels.maxPool([x.storage], [shape], params, out), expected.storage);
      expectSame(`fast ${shape} ${kernel} ${strides}`, fast.maxPool([x.storage], [shape], params, out), expected.storage);
    }), { numRuns: RUNS });
  });

  it('float64 (and float32 below the wasm threshold) runs the JS kernel, with the reference bits', () => {
    fc.assert(fc.property(cases, ([shape, kernel, strides, values]) => {
      const x = Float64Array.from(values);
      const [oh, ow] = [Math.floor((shape[1] - kernel[0]) / strides[0]) + 1, Math.floor((shape[2] - kernel[1]) / strides[1]) + 1];
      const out = { shape: [shape[0], oh, ow, shape[3]], dtype: 'float64' as const };
      const params = { kernel, strides };
      expectSame(`float64 ${shape} ${kernel} ${strides}`, fast.maxPool([x], [shape], params, out), referenceKernels.maxPool([x], [shape], params, out));
    }), { numRuns: RUNS });
  });

  it('the wasm 2×2 path reads only the rows and columns of whole windows, at every size and channel count', () => {
    const sized = image.chain((shape) => fc.tuple(fc.constant(shape), fc.array(value, { minLength: shape[0] * shape[1] * shape[2] * shape[3], maxLength: shape[0] * shape[1] * shape[2] * shape[3] })));
    fc.assert(fc.property(sized, ([shape, values]) => {
      const x = tensor(Float32Array.from(values), shape);
      expectSame(`wasm ${shape}`, wasmMaxPool2x2(x.storage as Float32Array, shape), composite(x, [2, 2], [2, 2]).storage);
    }), { numRuns: RUNS });
  });

  it('registered above the wasm threshold on an odd image (the bench CNN\'s 11×11 before its second pool)', () => {
    const shape = [4, 11, 11, 32];
    const x = tensor(Float32Array.from({ length: 4 * 11 * 11 * 32 }, (_, i) => Math.sin(i * 0.37) * (i % 7 === 0 ? -0 : 1)), shape);
    const y = apply('maxPool', [x], { kernel: [2, 2], strides: [2, 2] });
    expect(y.shape).toEqual([4, 5, 5, 32]);
    expectSame('maxPool [4,11,11,32]', y.storage, composite(x, [2, 2], [2, 2]).storage);
  });

  it("maxPool's gradient is the composite's, bit for bit, tiles with a crop and overlapping windows alike", () => {
    fc.assert(fc.property(cases, ([shape, kernel, strides, values]) => {
      const x = tensor(Float32Array.from(values.map((v) => (Number.isFinite(v) ? v : 0.5))), shape);
      const weights = (y: Tensor) => tensor(Float32Array.from({ length: y.size }, (_, i) => (i % 5) - 2), y.shape);
      const viaPrim = grad((a: Tensor) => { const y = apply('maxPool', [a], { kernel, strides }); return sum(mul(y, weights(y))); })(x);
      const viaComposite = grad((a: Tensor) => { const y = composite(a, kernel, strides); return sum(mul(y, weights(y))); })(x);
      expectSame(`dx ${shape} ${kernel} ${strides}`, viaPrim.storage, viaComposite.storage);
    }), { numRuns: RUNS });
  });
});

describe('maxPool of a convolution output still in the GEMM module memory', () => {
  const threadCounts = [1, 2, 3];
  /** conv1 of a few one-channel images (direct kernel), output [n, oh, ow, filters], left resident. */
  function convOutput(n: number, size: number, filters: number, seed: number): { y: Float32Array; shape: number[] } {
    const x = Float32Array.from({ length: n * size * size }, (_, i) => Math.sin(i * 0.7 + seed));
    const w = Float32Array.from({ length: 9 * filters }, (_, i) => Math.cos(i * 1.3 + seed));
    const bias = Float32Array.from({ length: filters }, (_, i) => (i % 3) - 1);
    const shape = [n, size - 2, size - 2, filters];
    const y = wasmDirectConv({ x, w, bias, images: n, height: size, width: size, kh: 3, kw: 3, filters, relu: true });
    if (y === undefined) expect.fail('the direct convolution declined');
    return { y, shape };
  }

  it('pools in place, split over any number of threads, with the bits of the reference (relu ties at 0 included)', () => {
    const rt = gemmRuntime();
    if (rt === null) expect.fail('no GEMM runtime');
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.constantFrom(6, 7, 8, 12, 13), fc.constantFrom(4, 8, 32), fc.constantFrom(...threadCounts), (n, size, filters, threads) => {
      const restore = configureGemm({ threads, adaptiveThreads: false, threadMinFlops: 0 });
      try {
        const { y, shape } = convOutput(n, size, filters, n + size);
        expect(residentOffset(rt, y)).toBeDefined();
        const out = { shape: [n, shape[1] >> 1, shape[2] >> 1, filters], dtype: 'float32' as const };
        const params = { kernel: [2, 2] as const, strides: [2, 2] as const };
        const expected = referenceKernels.maxPool([y], [shape], params, out);
        expectSame(`in place ${shape} on ${threads}`, wasmResidentMaxPool2x2(y, shape, undefined, 1, rt), expected);
        // The registered kernel, from a fresh resident copy: in place (the region is reserved again, so the copy is forgotten).
        const again = convOutput(n, size, filters, n + size);
        if (sizeOfShape(out.shape) >= WASM_MIN_ELEMENTS) {
          expectSame(`registered ${shape} on ${threads}`, fast.maxPool([again.y], [shape], params, out), expected);
          expect(residentOffset(rt, again.y)).toBeUndefined();
        }
      } finally {
        restore();
      }
    }), { numRuns: 16 });
  });

  it('the registered kernel takes it (then the copy is gone), and a stale copy is never read', () => {
    const rt = gemmRuntime();
    if (rt === null) expect.fail('no GEMM runtime');
    const params = { kernel: [2, 2] as const, strides: [2, 2] as const };
    const { y, shape } = convOutput(2, 28, 32, 1);
    const out = { shape: [2, 13, 13, 32], dtype: 'float32' as const };
    const expected = referenceKernels.maxPool([y], [shape], params, out);
    expectSame('registered', fast.maxPool([y], [shape], params, out), expected);
    // Pooling reserved the operands region again, so y's copy there is forgotten; the copying path still agrees.
    expect(residentOffset(rt, y)).toBeUndefined();
    expectSame('after', fast.maxPool([y], [shape], params, out), expected);
    // Another convolution overwrites the region: the first output is no longer resident, the second is.
    const first = convOutput(2, 28, 32, 2);
    const second = convOutput(2, 28, 32, 3);
    expect(residentOffset(rt, first.y)).toBeUndefined();
    expect(residentOffset(rt, second.y)).toBeDefined();
    expectSame('first', fast.maxPool([first.y], [shape], params, out), referenceKernels.maxPool([first.y], [shape], params, out));
  });

  it("pools the implicit GEMM's output in place too (conv2 of the bench CNN: 11×11, odd, no crop)", () => {
    const rt = gemmRuntime();
    if (rt === null) expect.fail('no GEMM runtime');
    const [n, size, channels, filters] = [3, 13, 32, 64];
    const x = Float32Array.from({ length: n * size * size * channels }, (_, i) => Math.sin(i * 0.3));
    const kernel = Float32Array.from({ length: 9 * channels * filters }, (_, i) => Math.cos(i * 0.11) / 8);
    const bias = Float32Array.from({ length: filters }, (_, i) => (i % 5) / 10 - 0.2);
    const shape = [n, size - 2, size - 2, filters];
    const params = { strides: [1, 1] as const, dilations: [1, 1] as const, activation: 'relu' as const };
    const y = fast.convAffine([x, kernel, bias], [[n, size, size, channels], [3, 3, channels, filters], [filters]], params, { shape, dtype: 'float32' });
    expect(residentOffset(rt, y as Float32Array)).toBeDefined();
    const pool = { kernel: [2, 2] as const, strides: [2, 2] as const };
    const out = { shape: [n, 5, 5, filters], dtype: 'float32' as const };
    expectSame('conv2 then pool', fast.maxPool([y], [shape], pool, out), referenceKernels.maxPool([y], [shape], pool, out));
    expect(residentOffset(rt, y as Float32Array)).toBeUndefined();
  });

  it('forgets the copy when the buffer pool hands its array out again', () => {
    const rt = gemmRuntime();
    if (rt === null) expect.fail('no GEMM runtime');
    const shape = [2, 26, 26, 32];
    let y: Float32Array | undefined;
    withBufferScope(() => {
      y = convOutput(2, 28, 32, 4).y;
      expect(residentOffset(rt, y)).toBeDefined();
      return [];
    }, () => []);
    withBufferScope(() => {
      const again = allocateOutput('float32', sizeOfShape(shape));
      expect(again).toBe(y);
      expect(residentOffset(rt, again as Float32Array)).toBeUndefined();
      return [];
    }, () => []);
  });
});
