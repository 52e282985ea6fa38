// Parity of the WebAssembly SIMD elementwise kernels (relu, reluGrad, add, 2×2 max pooling and its maxGrad) with the
// reference kernels and the JS fast kernels, bit for bit (Object.is per element): odd lengths and channel counts that
// are not a multiple of 4 (the partial-vector tails), ±0, ±Infinity, NaN, denormals and ties; the raw wasm paths on
// every size, the registered kernels above their size threshold, and again with the pool's free arrays full of NaN.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withBufferScope } from '../core/buffer-scope.ts';
import { allocate } from '../core/buffer-pool.ts';
import type { TypedArray } from '../core/dtype.ts';
import { fastElementwise } from '../core/kernels/fast/elementwise.ts';
import { fastKernels } from '../core/kernels/fast/index.ts';
import { fastMaxGrad } from '../core/kernels/fast/max-grad.ts';
import { fastMax, fastSum } from '../core/kernels/fast/reduce.ts';
import { fastRelu } from '../core/kernels/fast/relu.ts';
import { WASM_MIN_ELEMENTS, wasmAdd, wasmColumnSums, wasmPool2x2Max, wasmPool2x2MaxGrad, wasmRelu, wasmReluGrad } from '../core/kernels/fast/wasm-elementwise.ts';
import { referenceKernels } from '../core/kernels/index.ts';
import type { KernelTable } from '../core/kernels/kernel.ts';

const RUNS = Number(process.env.SEMIFLOW_SWEEP_RUNS ?? 60);

const DENORMALS = [1e-45, -1e-45, 5.9e-39, -5.9e-39];
const special = fc.constantFrom(0, -0, 1, -1, 2, Infinity, -Infinity, NaN, ...DENORMALS);
const value = fc.oneof(
  { arbitrary: fc.double({ min: -3, max: 3, noNaN: true }), weight: 2 },
  { arbitrary: special, weight: 2 },
);
const f32 = (n: number, values: fc.Arbitrary<number> = value) =>
  fc.array(values, { minLength: n, maxLength: n }).map((v) => Float32Array.from(v));

const fast = fastKernels as KernelTable;

function expectSame(what: string, actual: TypedArray | undefined, expected: TypedArray): void {
  if (actual === undefined) expect.fail(`${what}: the wasm path declined`);
  expect(actual).toBeInstanceOf(Float32Array);
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** Leaves free float32 arrays of every size in `sizes` filled with NaN, then runs check in a scope that draws from them. */
function withDirtyPool(sizes: readonly number[], check: () => void): void {
  withBufferScope(() => {
    for (const n of sizes) allocate('float32', n).fill(NaN);
    return [];
  }, () => []);
  withBufferScope(check, () => []);
}

/** A flat [n] case and its output description. */
const flat = (n: number) => ({ shapes: [[n], [n]], out: { shape: [n], dtype: 'float32' as const } });

/** [A, 2, B, 2, C] windows, reduced over axes 1 and 3. */
function pool(A: number, B: number, C: number) {
  const s = [A, 2, B, 2, C];
  const kept = [A, 1, B, 1, C];
  return { s, kept, params: { axes: [1, 3] }, keptOut: { shape: kept, dtype: 'float32' as const }, fullOut: { shape: s, dtype: 'float32' as const } };
}

/** Every window value drawn from few values, so ties (0 and -0 among them) and NaN meet in a window often. */
const ties = fc.constantFrom(0, -0, 1, 2, NaN, Infinity, -Infinity, 1e-45);

/** Checks the 2×2 max and maxGrad kernels `max`, `maxGrad` (or the raw wasm ones when raw) against reference and JS. */
function checkPool(A: number, B: number, C: number, x: Float32Array, g: Float32Array, raw: boolean): void {
  const { s, kept, params, keptOut, fullOut } = pool(A, B, C);
  const y = referenceKernels.max([x], [s], params, keptOut);
  const yMax = raw ? wasmPool2x2Max(x, A, B, C) : fast.max([x], [s], params, keptOut);
  expectSame(`max ${s}`, yMax, y);
  expectSame(`max ${s} vs JS`, yMax, fastMax([x], [s], params, keptOut));
  const dx = referenceKernels.maxGrad([x, y, g], [s, kept, kept], params, fullOut);
  const dxWasm = raw ? wasmPool2x2MaxGrad(x, y as Float32Array, g, A, B, C) : fast.maxGrad([x, y, g], [s, kept, kept], params, fullOut);
  expectSame(`maxGrad ${s}`, dxWasm, dx);
  expectSame(`maxGrad ${s} vs JS`, dxWasm, fastMaxGrad([x, y, g], [s, kept, kept], params, fullOut));
}

describe('wasm SIMD elementwise kernels', () => {
  it('relu, reluGrad and add match the reference and JS kernels bit for bit at every length (tails included)', () => {
    const cases = fc.integer({ min: 0, max: 70 }).chain((n) => fc.tuple(fc.constant(n), f32(n), f32(n)));
    fc.assert(fc.property(cases, ([n, x, g]) => {
      const { shapes, out } = flat(n);
      expectSame(`relu [${n}]`, wasmRelu(x), referenceKernels.relu([x], [[n]], {}, out));
      expectSame(`relu [${n}] vs JS`, wasmRelu(x), fastRelu.relu([x], [[n]], {}, out));
      expectSame(`reluGrad [${n}]`, wasmReluGrad(x, g), referenceKernels.reluGrad([x, g], shapes, {}, out));
      expectSame(`reluGrad [${n}] vs JS`, wasmReluGrad(x, g), fastRelu.reluGrad([x, g], shapes, {}, out));
      expectSame(`add [${n}]`, wasmAdd(x, g), referenceKernels.add([x, g], shapes, {}, out));
      expectSame(`add [${n}] vs JS`, wasmAdd(x, g), fastElementwise.add([x, g], shapes, {}, out));
    }), { numRuns: RUNS });
  });

  it('2×2 max pooling and its maxGrad match the reference and JS kernels bit for bit, NaN, ±0 ties and odd C included', () => {
    const dim = fc.integer({ min: 1, max: 4 });
    const cases = fc.tuple(dim, dim, fc.integer({ min: 1, max: 11 }))
      .chain(([A, B, C]) => fc.tuple(fc.constant([A, B, C] as const), f32(4 * A * B * C, fc.oneof(value, ties)), f32(A * B * C)));
    fc.assert(fc.property(cases, ([[A, B, C], x, g]) => checkPool(A, B, C, x, g, true)), { numRuns: RUNS });
  });

  it('column sums (a bias gradient) match the reference and JS kernels bit for bit, ±0, NaN and infinities included', () => {
    const cases = fc.tuple(fc.integer({ min: 1, max: 40 }), fc.constantFrom(4, 8, 12, 32, 64))
      .chain(([rows, cols]) => fc.tuple(fc.constant([rows, cols]), f32(rows * cols, fc.oneof(value, ties))));
    fc.assert(fc.property(cases, ([shape, x]) => {
      const params = { axes: [0] };
      const out = { shape: [1, shape[1]], dtype: 'float32' as const };
      const expected = referenceKernels.sum([x], [shape], params, out);
      expectSame(`sum ${shape}`, wasmColumnSums(x, shape[0], shape[1]), expected);
      expectSame(`sum ${shape} vs JS`, wasmColumnSums(x, shape[0], shape[1]), fastSum([x], [shape], params, out));
      expectSame(`sum ${shape} registered`, fast.sum([x], [shape], params, out), expected);
    }), { numRuns: RUNS });
  });

  it('a NaN wins its window wherever it stands, and of 0 and -0 the first stays', () => {
    // C = 5: lanes 0–3 run as a whole vector, lane 4 as the tail; each window puts NaN (or -0) in a different place.
    const C = 5;
    const x = new Float32Array(4 * C);
    for (let c = 0; c < C; c++) {
      const w = [1, 1, 1, 1];
      if (c < 4) w[c] = NaN;
      x[c] = w[0]; x[C + c] = w[1]; x[2 * C + c] = w[2]; x[3 * C + c] = w[3];
    }
    x[4] = -0; x[C + 4] = 0; x[2 * C + 4] = -0; x[3 * C + 4] = 0;
    expectSame('windows', wasmPool2x2Max(x, 1, 1, C), Float32Array.from([NaN, NaN, NaN, NaN, -0]));
  });

  it('the registered kernels take the wasm path above the threshold and still match the reference', () => {
    const cases = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 8, max: 14 }), fc.constantFrom(3, 5, 7, 8, 13))
      .filter(([A, B, C]) => 4 * A * B * C >= WASM_MIN_ELEMENTS)
      .chain(([A, B, C]) => fc.tuple(fc.constant([A, B, C] as const), f32(4 * A * B * C, fc.oneof(value, ties)), f32(A * B * C), f32(4 * A * B * C)));
    fc.assert(fc.property(cases, ([[A, B, C], x, g, z]) => {
      checkPool(A, B, C, x, g, false);
      const n = x.length;
      const { shapes, out } = flat(n);
      expectSame(`relu [${n}]`, fast.relu([x], [[n]], {}, out), referenceKernels.relu([x], [[n]], {}, out));
      expectSame(`reluGrad [${n}]`, fast.reluGrad([x, z], shapes, {}, out), referenceKernels.reluGrad([x, z], shapes, {}, out));
      expectSame(`add [${n}]`, fast.add([x, z], shapes, {}, out), referenceKernels.add([x, z], shapes, {}, out));
    }), { numRuns: Math.ceil(RUNS / 3) });
  });

  it('write every element of a recycled output array full of NaN', () => {
    const [A, B, C] = [2, 17, 7];
    const n = 4 * A * B * C;
    const x = Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 13) - 6 + (i % 3 === 0 ? -0 : 0));
    const g = Float32Array.from({ length: A * B * C }, (_, i) => (i % 5) - 2.5);
    const z = Float32Array.from({ length: n }, (_, i) => (i % 11) - 5);
    const { shapes, out } = flat(n);
    const expected = {
      relu: referenceKernels.relu([x], [[n]], {}, out),
      reluGrad: referenceKernels.reluGrad([x, z], shapes, {}, out),
      add: referenceKernels.add([x, z], shapes, {}, out),
    };
    withDirtyPool([n, A * B * C], () => {
      checkPool(A, B, C, x, g, false);
      expectSame('relu', fast.relu([x], [[n]], {}, out), expected.relu);
      expectSame('reluGrad', fast.reluGrad([x, z], shapes, {}, out), expected.reluGrad);
      expectSame('add', fast.add([x, z], shapes, {}, out), expected.add);
    });
  });

  it('hands float64 to the JS kernels', () => {
    const x = Float64Array.from({ length: 4096 }, (_, i) => (i - 2048.5) / 3);
    const out = { shape: [4096], dtype: 'float64' as const };
    const y = fast.relu([x], [[4096]], {}, out);
    expect(y).toBeInstanceOf(Float64Array);
    expect(Array.from(y)).toEqual(Array.from(referenceKernels.relu([x], [[4096]], {}, out)));
  });
});
