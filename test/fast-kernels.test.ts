// Parity of every fast kernel with the reference kernel it replaces: the same bits (NaN equal to NaN) over drawn
// shapes with odd sizes and size-1 dims, values with ties, ±0, ±Infinity and NaN, both dtypes, and again inside
// a buffer scope whose free arrays were left full of garbage (kernels that promise to write every element).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { avgPool2d, conv2d, div, expand, max, maxPool2d, mul, onesLike, pad, randomNormal, reciprocal, relu, reshape, sum, tensor, unfold, vjp } from 'semiflow';
import { arbPoolConfig } from 'semiflow/testing';
import type { Tensor } from 'semiflow';
import type { PoolConfig } from 'semiflow/testing';
import { withBufferScope } from '../core/buffer-scope.ts';
import { allocate } from '../core/buffer-pool.ts';
import type { DType, TypedArray } from '../core/dtype.ts';
import { fastKernels } from '../core/kernels/fast/index.ts';
import { referenceKernels } from '../core/kernels/index.ts';
import type { KernelTable } from '../core/kernels/kernel.ts';
import { extents, shapeRules } from '../core/prim-shapes.ts';
import { BINARY_PRIMS, UNARY_PRIMS } from '../core/primitives.ts';
import type { Prim, PrimParams } from '../core/primitives.ts';

const RUNS = Number(process.env.SEMIFLOW_SWEEP_RUNS ?? 60);

const special = fc.constantFrom(0, -0, 1, -1, 2, 0.5, Infinity, -Infinity, NaN);
const value = fc.oneof({ arbitrary: fc.double({ min: -3, max: 3, noNaN: true }), weight: 3 }, { arbitrary: special, weight: 1 });
const dtype = fc.constantFrom<DType>('float32', 'float64');

/** Dims of 1 often, odd sizes, and now and then a wide one so the native-copy paths (>= 48 elements) run. */
const dim = fc.oneof(
  { arbitrary: fc.constant(1), weight: 2 },
  { arbitrary: fc.integer({ min: 2, max: 7 }), weight: 4 },
  { arbitrary: fc.integer({ min: 40, max: 70 }), weight: 1 },
);
const shape = (maxRank: number, minRank = 0) => fc.array(dim, { minLength: minRank, maxLength: maxRank }).filter((s) => size(s) <= 6000);

function size(s: readonly number[]): number {
  return s.reduce((a, b) => a * b, 1);
}

function array(s: readonly number[], d: DType, values: fc.Arbitrary<number> = value): fc.Arbitrary<TypedArray> {
  return fc.array(values, { minLength: size(s), maxLength: size(s) }).map((v) => (d === 'float64' ? Float64Array.from(v) : Float32Array.from(v)));
}

/** Runs prim with the reference and the fast kernel and asserts the outputs are the same bits. */
function expectParity<P extends Prim>(prim: P, inputs: TypedArray[], shapes: number[][], params: PrimParams[P]): void {
  const out = shapeRules[prim](shapes, inputs.map((x) => (x instanceof Float64Array ? 'float64' : 'float32')), params);
  const fast = (fastKernels as Partial<KernelTable>)[prim];
  if (fast === undefined) throw new Error(`no fast kernel for ${prim}`);
  const expected = referenceKernels[prim](inputs, shapes, params, out);
  const actual = fast(inputs, shapes, params, out);
  expect(actual.constructor).toBe(expected.constructor);
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      expect.fail(`${prim} ${JSON.stringify(shapes)} ${JSON.stringify(params)}: element ${i} is ${actual[i]}, reference ${expected[i]}`);
    }
  }
}

/** Leaves free arrays of every size in `sizes` filled with NaN, then runs check in a scope that draws from them. */
function withDirtyPool(sizes: readonly number[], check: () => void): void {
  withBufferScope(() => {
    for (const n of sizes) for (const d of ['float32', 'float64'] as const) allocate(d, n).fill(NaN);
    return [];
  }, () => []);
  withBufferScope(check, () => []);
}

const subset = <T>(items: readonly T[]) => fc.subarray([...items]);

describe('fast elementwise kernels', () => {
  it('unary kernels match the reference bit for bit', () => {
    const cases = fc.tuple(fc.constantFrom(...UNARY_PRIMS), shape(4), dtype).chain(([prim, s, d]) => fc.tuple(fc.constant(prim), fc.constant(s), array(s, d)));
    fc.assert(fc.property(cases, ([prim, s, x]) => expectParity(prim, [x], [s], {})), { numRuns: RUNS });
  });

  it('binary kernels and where match the reference bit for bit, ties and NaN included', () => {
    const ties = fc.oneof(value, fc.constantFrom(0, 1, -0));
    const cases = fc.tuple(shape(4), dtype).chain(([s, d]) => fc.tuple(
      fc.constant(s), fc.constantFrom(...BINARY_PRIMS), array(s, d, ties), array(s, d, ties), array(s, d, fc.constantFrom(0, -0, 1, NaN, -2)),
    ));
    fc.assert(fc.property(cases, ([s, prim, a, b, cond]) => {
      expectParity(prim, [a, b], [s, s], {});
      expectParity('where', [cond, a, b], [s, s, s], {});
    }), { numRuns: RUNS });
  });
});

describe('fast reductions', () => {
  it('sum and max over any set of axes match the reference bit for bit', () => {
    const cases = fc.tuple(shape(5), dtype).chain(([s, d]) => fc.tuple(fc.constant(s), array(s, d), subset(s.map((_, i) => i))));
    fc.assert(fc.property(cases, ([s, x, axes]) => {
      expectParity('sum', [x], [s], { axes });
      if (s.every((n) => n > 0)) expectParity('max', [x], [s], { axes });
    }), { numRuns: RUNS });
  });

  it('max is NaN for a group holding a NaN wherever it stands, in both kernels', () => {
    const cases = fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), dtype)
      .chain(([rows, cols, d]) => fc.tuple(fc.constant<number[]>([rows, cols]), array([rows, cols], d)));
    fc.assert(fc.property(cases, ([[rows, cols], x]) => {
      const out = shapeRules.max([[rows, cols]], [x instanceof Float64Array ? 'float64' : 'float32'], { axes: [1] });
      // The larger value replaces; of equal ones (0 and -0) the first stays; any NaN makes the group NaN.
      const expected = Array.from({ length: rows }, (_, r) => Array.from(x.subarray(r * cols, (r + 1) * cols))
        .reduce((m, v) => (Number.isNaN(m) || Number.isNaN(v) ? NaN : v > m ? v : m), -Infinity));
      for (const kernel of [referenceKernels.max, fastKernels.max as KernelTable['max']]) {
        expect(Array.from(kernel([x], [[rows, cols]], { axes: [1] }, out))).toEqual(expected);
      }
    }), { numRuns: RUNS });
  });

  it('2×2 pooling windows (max forward and maxGrad) match the reference bit for bit, ties and NaN included', () => {
    const small = fc.integer({ min: 1, max: 5 });
    const ties = fc.constantFrom(0, -0, 1, 2, NaN, Infinity, -Infinity);
    const cases = fc.tuple(small, small, small, small, dtype).chain(([n, h, w, c, d]) => {
      const s = [n, h, 2, w, 2, c];
      return fc.tuple(fc.constant(s), array(s, d, fc.oneof(value, ties)), array([n, h, 1, w, 1, c], d));
    });
    fc.assert(fc.property(cases, ([s, x, g]) => {
      expectParity('max', [x], [s], { axes: [2, 4] });
      const pooled = [s[0], s[1], 1, s[3], 1, s[5]];
      const y = referenceKernels.max([x], [s], { axes: [2, 4] }, { shape: pooled, dtype: x instanceof Float64Array ? 'float64' : 'float32' });
      expectParity('maxGrad', [x, y, g], [s, pooled, pooled], { axes: [2, 4] });
    }), { numRuns: RUNS });
  });

  it('sumPool matches the reference bit for bit over any window and step, odd sizes included', () => {
    const small = fc.integer({ min: 1, max: 3 });
    const cases = fc.tuple(small, fc.integer({ min: 3, max: 9 }), fc.integer({ min: 3, max: 9 }), fc.integer({ min: 1, max: 9 }), small, small, small, small, dtype)
      .chain(([n, h, w, c, kh, kw, sh, sw, d]) => fc.tuple(fc.constant([n, h, w, c]), fc.constant([kh, kw, sh, sw]), array([n, h, w, c], d, fc.oneof(value, fc.constantFrom(0, -0, NaN, Infinity)))));
    fc.assert(fc.property(cases, ([s, [kh, kw, sh, sw], x]) => expectParity('sumPool', [x], [[...s]], { kernel: [kh, kw], strides: [sh, sw] })), { numRuns: RUNS });
  });

  it('column sums (leading axes reduced) round each step as the reference does', () => {
    const cases = fc.tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 21 }), dtype)
      .chain(([rows, cols, d]) => fc.tuple(fc.constant<number[]>([rows, cols]), array([rows, cols], d, fc.double({ min: -1e4, max: 1e4, noNaN: true }))));
    fc.assert(fc.property(cases, ([s, x]) => expectParity('sum', [x], [s], { axes: [0] })), { numRuns: RUNS });
  });
});

describe('fast movement kernels', () => {
  it('expand matches the reference for every pattern of broadcast axes', () => {
    const cases = fc.tuple(shape(5, 1), dtype).chain(([big, d]) => fc.tuple(
      fc.constant(big), fc.array(fc.boolean(), { minLength: big.length, maxLength: big.length }), fc.constant(d),
    )).chain(([big, ones, d]) => {
      const small = big.map((n, i) => (ones[i] ? 1 : n));
      return fc.tuple(fc.constant(small), fc.constant(big), array(small, d));
    });
    fc.assert(fc.property(cases, ([small, big, x]) => expectParity('expand', [x], [small], { shape: big })), { numRuns: RUNS });
  });

  it('pad and slice match the reference', () => {
    const cases = fc.tuple(shape(4), dtype).chain(([s, d]) => fc.tuple(
      fc.constant(s), array(s, d),
      fc.array(fc.tuple(fc.nat(3), fc.nat(3)), { minLength: s.length, maxLength: s.length }),
      fc.constantFrom(0, -0, 1.5, -Infinity),
      fc.tuple(...s.map((n) => fc.nat(n).chain((b) => fc.tuple(fc.constant(b), fc.nat(n - b))))),
    ));
    fc.assert(fc.property(cases, ([s, x, pads, padValue, window]) => {
      expectParity('pad', [x], [s], { pads, value: padValue });
      expectParity('slice', [x], [s], { begin: window.map(([b]) => b), size: window.map(([, n]) => n) });
    }), { numRuns: RUNS });
  });

  it('concat matches the reference along every axis, empty and size-1 pieces included', () => {
    const cases = fc.tuple(shape(4, 1), dtype).chain(([s, d]) => fc.tuple(fc.constant(s), fc.nat(s.length - 1), fc.constant(d)))
      .chain(([s, axis, d]) => fc.tuple(fc.constant(axis), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }).chain((widths) => {
        const shapes = widths.map((w) => s.map((n, i) => (i === axis ? w : n)));
        return fc.tuple(fc.constant(shapes), fc.tuple(...shapes.map((p) => array(p, d))));
      })));
    fc.assert(fc.property(cases, ([axis, [shapes, xs]]) => expectParity('concat', xs, shapes, { axis })), { numRuns: RUNS });
  });
});

const windowCase = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  kernel: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  dilations: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  extra: fc.tuple(fc.nat(5), fc.nat(5)),
  channels: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 20, max: 33 })),
  dtype,
});

describe('fast window kernels', () => {
  it('unfold and fold match the reference, overlapping and dilated windows included', () => {
    const cases = windowCase.chain((c) => {
      const [eh, ew] = extents(c.kernel, c.dilations);
      const image = [c.batch, eh + c.extra[0], ew + c.extra[1], c.channels];
      const out = shapeRules.unfold([image], [c.dtype], { kernel: c.kernel, strides: c.strides, dilations: c.dilations }).shape;
      return fc.tuple(fc.constant(c), fc.constant(image), array(image, c.dtype), fc.constant(out), array(out, c.dtype));
    });
    fc.assert(fc.property(cases, ([c, image, x, colShape, cols]) => {
      const window = { kernel: c.kernel, strides: c.strides, dilations: c.dilations };
      expectParity('unfold', [x], [image], window);
      expectParity('fold', [cols], [colShape], { ...window, height: image[1], width: image[2] });
    }), { numRuns: RUNS });
  });
});

describe('fast kernels on recycled buffers', () => {
  it('give the reference results when the pool hands them arrays full of NaN', () => {
    // Pooled arrays have at least 1024 elements, so these shapes do too.
    const big = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 40, max: 70 }))
      .filter((s) => size(s) >= 1024);
    const cases = fc.tuple(big, dtype).chain(([s, d]) => fc.tuple(fc.constant(s), array(s, d), array(s, d), subset([0, 1, 2])));
    fc.assert(fc.property(cases, ([s, a, b, axes]) => {
      const n = size(s);
      const reduced = size(s.map((d, i) => (axes.includes(i) ? 1 : d)));
      const padded = size(s.map((d) => d + 1));
      const grownFrom = [s[0], 1, s[1], s[2]];
      const grownTo = [s[0], 2, s[1], s[2]];
      withDirtyPool([n, 2 * n, reduced, padded], () => {
        for (const prim of UNARY_PRIMS) expectParity(prim, [a], [s], {});
        for (const prim of BINARY_PRIMS) expectParity(prim, [a, b], [s, s], {});
        expectParity('where', [b, a, b], [s, s, s], {});
        expectParity('sum', [a], [s], { axes });
        expectParity('max', [a], [s], { axes });
        expectParity('expand', [a], [grownFrom], { shape: grownTo });
        expectParity('pad', [a], [s], { pads: s.map(() => [1, 0] as const), value: 0 });
        expectParity('slice', [a], [s], { begin: [0, 0, 0], size: s });
        expectParity('concat', [a, b], [s, s], { axis: 2 });
        expectParity('unfold', [a], [[1, s[0] * s[1], s[2], 1]], { kernel: [1, 2], strides: [1, 2], dilations: [1, 1] });
      });
    }), { numRuns: Math.ceil(RUNS / 3) });
  });
});

// The compositions made cheaper in core/ops, against the compositions they replaced, written here with public ops.

/** maxPool2d / avgPool2d as they were: pad, unfold every window, reduce over unfold's window axes 3 and 4. */
function unfoldPool(x: Tensor, c: PoolConfig, kind: 'max' | 'avg'): Tensor {
  const pads = ([1, 2] as const).map((axis, i): [number, number] => {
    if (c.padding === 'valid') return [0, 0];
    const n = x.shape[axis];
    const total = Math.max((Math.ceil(n / c.strides[i]) - 1) * c.strides[i] + c.poolSize[i] - n, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  });
  const padAll = (t: Tensor, v: number) => pad(t, [[0, 0], pads[0], pads[1], [0, 0]], v);
  const windows = unfold(padAll(x, kind === 'max' ? -Infinity : 0), c.poolSize, c.strides);
  const [n, oh, ow, , , ch] = windows.shape;
  const pooled = kind === 'max' ? max(windows, [3, 4]) : div(sum(windows, [3, 4]), sum(unfold(padAll(onesLike(x), 0), c.poolSize, c.strides), [3, 4]));
  return reshape(pooled, [n, oh, ow, ch]);
}

function expectSameBits(actual: Tensor, expected: Tensor, what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  expected.storage.forEach((e, i) => {
    if (!Object.is(actual.storage[i], e)) expect.fail(`${what}: element ${i} is ${actual.storage[i]}, before ${e}`);
  });
}

/** Equal as numbers (0 === -0, NaN equal to NaN): how the tiled pooling's gradient compares with fold's. */
function expectSameNumbers(actual: Tensor, expected: Tensor, what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  expected.storage.forEach((e, i) => {
    const a = actual.storage[i];
    if (!(a === e || (Number.isNaN(a) && Number.isNaN(e)))) expect.fail(`${what}: element ${i} is ${a}, before ${e}`);
  });
}

const poolCase = fc.tuple(arbPoolConfig(), fc.boolean(), dtype).chain(([c, tiled, d]) => {
  const config = tiled ? { ...c, strides: c.poolSize } : c;
  const image = [config.batch, config.height, config.width, config.channels];
  // Small integers make ties, which max shares among the tied elements.
  return fc.tuple(fc.constant(config), array(image, d, fc.oneof(fc.integer({ min: -2, max: 2 }), fc.double({ min: -2, max: 2, noNaN: true }))).map((v) => tensor(v, image)));
});

describe('cheaper compositions', () => {
  it('maxPool2d and avgPool2d give the same bits as the unfold composition, and gradients equal as numbers', () => {
    fc.assert(fc.property(poolCase, fc.nat(), ([c, x], seed) => {
      const options = { poolSize: c.poolSize, strides: c.strides, padding: c.padding };
      for (const kind of ['max', 'avg'] as const) {
        const now = (t: Tensor) => (kind === 'max' ? maxPool2d(t, options) : avgPool2d(t, options));
        const before = (t: Tensor) => unfoldPool(t, c, kind);
        expectSameBits(now(x), before(x), `${kind} forward`);
        const cotangent = randomNormal(now(x).shape, { seed, dtype: x.dtype });
        expectSameNumbers(vjp(now, x).backward(cotangent), vjp(before, x).backward(cotangent), `${kind} gradient`);
      }
    }), { numRuns: RUNS });
  });

  it('a conv-relu-pool stack has bit-identical kernel gradients either way: the -0s vanish in the reductions', () => {
    const cases = fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 4 }), dtype).chain(([n, half, ch, d]) => {
      const image = [n, 2 * half + 2 + (half % 2), 2 * half + 2, 2];
      return fc.tuple(fc.constant(ch), array(image, d, fc.double({ min: -2, max: 2, noNaN: true })).map((v) => tensor(v, image)), array([3, 3, 2, ch], d, fc.double({ min: -1, max: 1, noNaN: true })).map((v) => tensor(v, [3, 3, 2, ch])));
    });
    fc.assert(fc.property(cases, fc.nat(), ([, x, k], seed) => {
      const config: PoolConfig = { batch: 1, channels: 1, poolSize: [2, 2], strides: [2, 2], padding: 'valid', height: 0, width: 0 };
      const stack = (pool: (t: Tensor) => Tensor) => (w: Tensor) => pool(relu(conv2d(x, w)));
      const now = stack((t) => maxPool2d(t, { poolSize: 2 }));
      const before = stack((t) => unfoldPool(t, config, 'max'));
      const cotangent = randomNormal(now(k).shape, { seed, dtype: k.dtype });
      expectSameBits(vjp(now, k).backward(cotangent), vjp(before, k).backward(cotangent), 'kernel gradient');
    }), { numRuns: Math.ceil(RUNS / 2) });
  });

  it('div by an untraced divisor takes 1/b before broadcasting, with the same bits forward and for a', () => {
    const cases = fc.tuple(shape(3, 1), dtype, fc.constantFrom<DType>('float32', 'float64')).chain(([s, da, db]) => {
      const small = s.map((n, i) => (i % 2 === 0 ? 1 : n));
      return fc.tuple(array(s, da).map((v) => tensor(v, s)), array(small, db).map((v) => tensor(v, small)));
    });
    fc.assert(fc.property(cases, fc.nat(), ([a, b], seed) => {
      const dtypeOut = a.dtype === 'float64' || b.dtype === 'float64' ? 'float64' : 'float32';
      const before = (t: Tensor) => mul(t, reciprocal(expand(b.cast(dtypeOut), t.shape)));
      expectSameBits(div(a, b), before(a), 'a / b');
      expectSameBits(div(1, b), reciprocal(b), '1 / b');
      const cotangent = randomNormal(a.shape, { seed, dtype: dtypeOut });
      expectSameBits(vjp((t: Tensor) => div(t, b), a).backward(cotangent), vjp(before, a).backward(cotangent), 'gradient for a');
      // A traced divisor keeps the broadcast-first order, so its gradient is the one it always was.
      const tracedBefore = (t: Tensor) => mul(a, reciprocal(expand(t.cast(dtypeOut), a.shape)));
      expectSameBits(vjp((t: Tensor) => div(a, t), b).backward(cotangent), vjp(tracedBefore, b).backward(cotangent), 'gradient for b');
    }), { numRuns: RUNS });
  });
});
