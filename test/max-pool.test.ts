// The maxPool primitive (max pooling without the crop or the patches): its kernels against the composite it replaced
// (crop to whole windows, view [N,OH,kh,OW,kw,C], max over axes 2 and 4; or unfold and max over axes 3 and 4), bit
// for bit with NaN and ±0 ties, odd sizes included; the wasm 2×2 path that copies in only the rows of whole windows;
// and maxPool2d's gradient against the composite's, bit for bit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grad, max, mul, reshape, slice, sum, tensor, unfold } from 'semiflow';
import type { Tensor } from 'semiflow';
import { apply } from '../core/dispatch.ts';
import type { TypedArray } from '../core/dtype.ts';
import { fastKernels } from '../core/kernels/fast/index.ts';
import { wasmMaxPool2x2 } from '../core/kernels/fast/wasm-elementwise.ts';
import { referenceKernels } from '../core/kernels/index.ts';
import type { KernelTable } from '../core/kernels/kernel.ts';

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
