// Adam's WebAssembly SIMD step against its JS loop: the same bits for any values, lengths and constants.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { configureGemm } from '../core/kernels/fast/matmul.ts';
import { adamLoop } from '../optim/adam.ts';
import { adamSimd, adamStandalone } from '../optim/adam-simd.ts';
import type { AdamStep } from '../optim/adam-simd.ts';

/** Equal as float32 bits, or both NaN (the payload of a NaN is not specified). */
function sameValues(x: Float32Array, y: Float32Array): boolean {
  const bx = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const by = new Uint32Array(y.buffer, y.byteOffset, y.length);
  return x.length === y.length && Array.from(x).every((v, i) => bx[i] === by[i] || (Number.isNaN(v) && Number.isNaN(y[i])));
}

const value = fc.oneof(
  fc.float({ min: -1, max: 1, noNaN: true }),
  fc.float(),
  fc.constantFrom(0, -0, 1e-38, 1e-45, 3e38, Infinity),
);
const leaf = fc.integer({ min: 1, max: 70 }).chain((n) => fc.tuple(...Array.from({ length: 4 }, () => fc.array(value, { minLength: n, maxLength: n }))));
const step: fc.Arbitrary<AdamStep> = fc.record({
  beta1: fc.double({ min: 0.01, max: 0.999, noNaN: true }),
  beta2: fc.double({ min: 0.01, max: 0.99999, noNaN: true }),
  epsilon: fc.double({ min: 1e-12, max: 1, noNaN: true }),
  lrT: fc.double({ min: -1, max: 1, noNaN: true }),
  decay: fc.double({ min: 0.5, max: 1, noNaN: true }),
});

/** adamSimd's step, or the standalone module's with `standalone`. */
function simdStep(inputs: Float32Array[], outs: Float32Array[], { beta1, beta2, epsilon, lrT, decay }: AdamStep, standalone: boolean): boolean {
  if (!standalone) return adamSimd(inputs[0], inputs[1], inputs[2], inputs[3], outs[0], outs[1], outs[2], { beta1, beta2, epsilon, lrT, decay });
  return adamStandalone(inputs, outs, [beta1, 1 - beta1, beta2, 1 - beta2, lrT, decay, epsilon]);
}

describe('adamSimd', () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  const ways = [
    ['on one thread', { threads: 1 }, false],
    ['every leaf split over three threads on the GEMM module', { threads: 3, threadMinFlops: 0, adaptiveThreads: false }, false],
    ['the standalone module called directly', { threads: 3, threadMinFlops: 0, adaptiveThreads: false }, true],
  ] as const;
  it.each(ways)('gives the bits of adamLoop for p, m and v, at every length (odd ones too) and for any values: %s', (_, gemm, standalone) => {
    restore = configureGemm(gemm);
    fc.assert(
      fc.property(leaf, step, ([p, g, m, v], constants) => {
        const inputs = [p, g, m, v].map((a) => Float32Array.from(a));
        const outs = () => [0, 1, 2].map(() => new Float32Array(p.length));
        const simd = outs();
        const js = outs();
        expect(simdStep(inputs, simd, constants, standalone)).toBe(true);
        adamLoop(constants, inputs[0], inputs[1], inputs[2], inputs[3], js[0], js[1], js[2]);
        ['p', 'm', 'v'].forEach((name, k) => expect(sameValues(simd[k], js[k]), name).toBe(true));
      }),
      { numRuns: 150 },
    );
  });

  it('handles a leaf of a million values split over three threads, and leaves float64 to the JS loop', () => {
    restore = configureGemm({ threads: 3, adaptiveThreads: false });
    const n = 1_000_003;
    const make = (seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i));
    const [p, g, m] = [make(1), make(2), make(3)];
    const v = make(4).map((x) => x * x);
    const constants: AdamStep = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, lrT: 1e-3, decay: 1 };
    const simd = [0, 1, 2].map(() => new Float32Array(n));
    const js = [0, 1, 2].map(() => new Float32Array(n));
    expect(adamSimd(p, g, m, v, simd[0], simd[1], simd[2], constants)).toBe(true);
    adamLoop(constants, p, g, m, v, js[0], js[1], js[2]);
    [0, 1, 2].forEach((k) => expect(sameValues(simd[k], js[k])).toBe(true));
    const d = new Float64Array(3);
    expect(adamSimd(d, d, d, d, d, d, d, constants)).toBe(false);
  });
});
