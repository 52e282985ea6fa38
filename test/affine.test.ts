// The affine primitive (matmul + bias + relu in one call): the fast kernel, whose WebAssembly GEMM adds the bias and
// applies relu in its store, gives the bits of the three kernels run one after another, on one thread and split over
// several, with NaN and ±0 in the sums; so do its gradients against the unfused composition's; Dense and Conv2D use it.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { TypedArray } from '../core/dtype.ts';
import { fastKernels } from '../core/kernels/fast/index.ts';
import { configureGemm } from '../core/kernels/fast/matmul.ts';
import { referenceKernels } from '../core/kernels/index.ts';
import type { KernelTable } from '../core/kernels/kernel.ts';
import type { AffineActivation } from '../core/primitives.ts';
import { Conv2D, Dense, Sequential, add, affine, conv2d, matmul, profile, randomUniform, relu, sum, tensor, valueAndGrad } from 'semiflow';
import { conv2dAffine } from '../core/ops/conv-affine.ts';
import { apply } from '../core/dispatch.ts';
import type { Tensor } from 'semiflow';

const sameBits = (x: TypedArray, y: TypedArray): boolean => {
  const bx = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const by = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
  return bx.length === by.length && bx.every((v, i) => v === by[i]);
};

/** The three kernels of one table run one after another on the arrays: product, + bias (expanded to rows), relu. */
function unfused(table: KernelTable, x: Float32Array, w: Float32Array, bias: Float32Array, [m, k, n]: number[], activation: AffineActivation): TypedArray {
  const f32 = (shape: number[]) => ({ shape, dtype: 'float32' as const });
  const z = table.matmul([x, w], [[m, k], [k, n]], { transposeA: false, transposeB: false }, f32([m, n]));
  const rows = table.expand([bias], [[1, n]], { shape: [m, n] }, f32([m, n]));
  const biased = table.add([z, rows], [[m, n], [m, n]], {}, f32([m, n]));
  return activation === 'relu' ? table.relu([biased], [[m, n]], {}, f32([m, n])) : biased;
}

function fused(table: KernelTable, x: Float32Array, w: Float32Array, bias: Float32Array, [m, k, n]: number[], activation: AffineActivation): TypedArray {
  return table.affine([x, w, bias], [[m, k], [k, n], [n]], { activation }, { shape: [m, n], dtype: 'float32' });
}

const fast = { ...referenceKernels, ...fastKernels } as KernelTable;

/** Values in [-1, 1] with some NaN, ±0 and exact cancellations (bias = −sum) planted. */
const arbCase = fc.record({
  m: fc.integer({ min: 1, max: 40 }),
  k: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 250, max: 300 })),
  n: fc.integer({ min: 1, max: 40 }),
  activation: fc.constantFrom<AffineActivation>('linear', 'relu'),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  special: fc.boolean(),
}).map(({ m, k, n, activation, seed, special }) => {
  const x = randomUniform([m, k], { min: -1, max: 1, seed }).data as Float32Array;
  const w = randomUniform([k, n], { min: -1, max: 1, seed: seed + 1 }).data as Float32Array;
  const bias = randomUniform([n], { min: -1, max: 1, seed: seed + 2 }).data as Float32Array;
  if (special) {
    x[0] = Number.NaN;
    bias[n - 1] = -0;
    w.fill(0, 0, Math.min(n, w.length));
  }
  return { x, w, bias, dims: [m, k, n], activation, special };
});

describe('the affine primitive', () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  it('the fast kernel gives the bits of matmul, add and relu run apart, on one thread', () => {
    restore = configureGemm({ threads: 1 });
    fc.assert(fc.property(arbCase, ({ x, w, bias, dims, activation }) => {
      expect(sameBits(fused(fast, x, w, bias, dims, activation), unfused(fast, x, w, bias, dims, activation))).toBe(true);
    }), { numRuns: 60 });
  });

  it('and split over three threads, every product split', () => {
    restore = configureGemm({ threads: 3, threadMinFlops: 0, adaptiveThreads: false });
    fc.assert(fc.property(arbCase, ({ x, w, bias, dims, activation }) => {
      expect(sameBits(fused(fast, x, w, bias, dims, activation), unfused(fast, x, w, bias, dims, activation))).toBe(true);
    }), { numRuns: 30 });
  });

  it('the reference kernel gives the bits of the reference kernels run apart', () => {
    fc.assert(fc.property(arbCase, ({ x, w, bias, dims, activation }) => {
      expect(sameBits(fused(referenceKernels, x, w, bias, dims, activation), unfused(referenceKernels, x, w, bias, dims, activation))).toBe(true);
    }), { numRuns: 40 });
  });

  it('a planted epilogue bug is caught: relu left out of the fused store', () => {
    const c = fc.sample(arbCase.filter((s) => s.activation === 'relu' && !s.special), { numRuns: 1, seed: 7 })[0];
    const wrong = fused(fast, c.x, c.w, c.bias, c.dims, 'linear');
    expect(sameBits(wrong, unfused(fast, c.x, c.w, c.bias, c.dims, 'relu'))).toBe(false);
  });

  it('gradients through affine are the bits of the unfused composition\'s, float32 and float64', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const activation of ['linear', 'relu'] as const) {
        const x = randomUniform([37, 300], { min: -1, max: 1, seed: 3, dtype });
        const w = randomUniform([300, 29], { min: -1, max: 1, seed: 4, dtype });
        const b = randomUniform([29], { min: -1, max: 1, seed: 5, dtype });
        const c = randomUniform([37, 29], { min: -1, max: 1, seed: 6, dtype });
        const loss = (f: (p: Tensor[]) => Tensor) => valueAndGrad((p: Tensor[]) => sum(f(p).mul(c)));
        const [v1, g1] = loss(([a, v, u]) => affine(a, v, u, { activation }))([x, w, b]);
        const [v2, g2] = loss(([a, v, u]) => {
          const z = add(matmul(a, v), u);
          return activation === 'relu' ? relu(z) : z;
        })([x, w, b]);
        expect(sameBits(v1.storage, v2.storage)).toBe(true);
        g1.forEach((g, i) => expect(sameBits(g.storage, g2[i].storage), `${dtype} ${activation} input ${i}`).toBe(true));
      }
    }
  });

  it('refuses bad shapes and activations, naming the op', () => {
    const x = tensor([[1, 2]]);
    expect(() => affine(x, tensor([[1], [2]]), tensor([1, 2]))).toThrow(/affine: expected x \[\.\.\.,k\], w \[k,n\] and bias \[n\], got \[1,2\], \[2,1\] and \[2\]/);
    expect(() => affine(x, tensor([[1], [2]]), tensor([1]), { activation: 'tanh' as AffineActivation })).toThrow(/affine: activation must be one of linear, relu, got/);
  });

  it('Dense and Conv2D with relu or linear run as affine primitives, with the values of the unfused ops', () => {
    const model = new Sequential({ seed: 2 });
    model.add(new Conv2D(4, 3, { activation: 'relu', inputShape: [6, 6, 1] }));
    model.add(new Dense(3, { activation: 'relu' }));
    model.add(new Dense(2));
    const x = randomUniform([5, 6, 6, 1], { seed: 9 });
    const { result, report } = profile(() => model.predict(x));
    const calls = (prim: string) => report.rows.filter((r) => r.prim === prim).reduce((s, r) => s + r.calls, 0);
    expect([calls('convAffine'), calls('affine')]).toEqual([1, 2]);
    expect(report.rows.some((r) => r.prim === 'matmul')).toBe(false);
    const [conv, dense1, dense2] = model.layers.filter((l) => l.weights.length > 0).map((l) => l.weights.map((w) => w.value));
    const h = relu(add(conv2d(x, conv[0]), conv[1]));
    const expected = add(matmul(relu(add(matmul(h, dense1[0]), dense1[1])), dense2[0]), dense2[1]);
    expect(sameBits(result.storage, expected.storage)).toBe(true);
  });

  it.each([
    // wasmMinFlops 0: the tiniest products run on the GEMM too, whose NaNs have the direct kernel's bits (JS's may not).
    ['one thread', { threads: 1, wasmMinFlops: 0 }],
    ['its images split over three threads', { threads: 3, wasmMinFlops: 0, threadMinFlops: 0, adaptiveThreads: false }],
  ])('convAffine on %s: the direct one-channel kernel gives the bits of unfold and the fast affine kernel, and so does its fallback', (_, gemm) => {
    restore = configureGemm(gemm);
    const arbConv = fc.record({
      images: fc.integer({ min: 1, max: 7 }),
      height: fc.integer({ min: 5, max: 12 }),
      width: fc.integer({ min: 5, max: 12 }),
      kh: fc.integer({ min: 1, max: 3 }),
      kw: fc.integer({ min: 1, max: 3 }),
      channels: fc.constantFrom(1, 1, 2, 3),
      dilation: fc.constantFrom(1, 1, 2),
      filters: fc.constantFrom(4, 8, 12, 32, 64, 5),
      stride: fc.constantFrom(1, 1, 2),
      activation: fc.constantFrom<AffineActivation>('linear', 'relu'),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    });
    fc.assert(fc.property(arbConv, ({ images, height, width, kh, kw, channels, dilation, filters, stride, activation, seed }) => {
      const x = randomUniform([images, height, width, channels], { min: -1, max: 1, seed });
      const k = randomUniform([kh, kw, channels, filters], { min: -1, max: 1, seed: seed + 1 });
      const b = randomUniform([filters], { min: -1, max: 1, seed: seed + 2 });
      if (seed % 3 === 0) x.storage[0] = Number.NaN;
      const strides = [stride, stride] as const;
      const dilations = [dilation, dilation] as const;
      const params = { strides, dilations, activation };
      const out = { shape: [images, Math.floor((height - (kh - 1) * dilation - 1) / stride) + 1, Math.floor((width - (kw - 1) * dilation - 1) / stride) + 1, filters], dtype: 'float32' as const };
      const direct = fast.convAffine([x.storage, k.storage, b.storage], [x.shape, k.shape, b.shape], params, out);
      const cols = fast.unfold([x.storage], [x.shape], { kernel: [kh, kw], strides, dilations }, { shape: [...out.shape.slice(0, 3), kh, kw, channels], dtype: 'float32' });
      const rows = out.shape[0] * out.shape[1] * out.shape[2];
      const taps = kh * kw * channels;
      const viaPatches = fast.affine([cols, k.storage, b.storage], [[rows, taps], [taps, filters], [filters]], { activation }, { shape: [rows, filters], dtype: 'float32' });
      expect(sameBits(direct, viaPatches)).toBe(true);
      const reference = referenceKernels.convAffine([x.storage, k.storage, b.storage], [x.shape, k.shape, b.shape], params, out);
      expect(sameBits(reference, referenceKernels.affine([referenceKernels.unfold([x.storage], [x.shape], { kernel: [kh, kw], strides, dilations }, { shape: [...out.shape.slice(0, 3), kh, kw, channels], dtype: 'float32' }), k.storage, b.storage], [[rows, taps], [taps, filters], [filters]], { activation }, { shape: [rows, filters], dtype: 'float32' }))).toBe(true);
    }), { numRuns: 60 });
  });

  it('conv2dAffine\'s values and gradients are the bits of conv2d, add and relu apart, with one and with three channels', () => {
    for (const channels of [1, 3]) {
      for (const activation of ['linear', 'relu'] as const) {
        const x = randomUniform([4, 9, 8, channels], { min: -1, max: 1, seed: 11 });
        const k = randomUniform([3, 3, channels, 32], { min: -1, max: 1, seed: 12 });
        const b = randomUniform([32], { min: -1, max: 1, seed: 13 });
        const c = randomUniform([4, 9, 8, 32], { min: -1, max: 1, seed: 14 });
        const loss = (f: (p: Tensor[]) => Tensor) => valueAndGrad((p: Tensor[]) => sum(f(p).mul(c)));
        const options = { padding: 'same' as const };
        const [v1, g1] = loss(([a, v, u]) => conv2dAffine(a, v, u, activation, options))([x, k, b]);
        const [v2, g2] = loss(([a, v, u]) => {
          const z = add(conv2d(a, v, options), u);
          return activation === 'relu' ? relu(z) : z;
        })([x, k, b]);
        expect(sameBits(v1.storage, v2.storage), `${channels} channels ${activation}`).toBe(true);
        g1.forEach((g, i) => expect(sameBits(g.storage, g2[i].storage), `${channels} channels ${activation} input ${i}`).toBe(true));
      }
    }
    const { report } = profile(() => conv2dAffine(randomUniform([2, 5, 5, 1]), randomUniform([3, 3, 1, 4]), randomUniform([4]), 'relu'));
    expect(report.rows.map((r) => r.prim)).toContain('convAffine');
  });

  it('convAffine refuses mismatched operands, naming the primitive', () => {
    const params = { strides: [1, 1] as const, dilations: [1, 1] as const, activation: 'relu' as const };
    expect(() => apply('convAffine', [randomUniform([1, 4, 4, 2]), randomUniform([3, 3, 1, 4]), randomUniform([4])], params)).toThrow(/convAffine: expected x \[N,H,W,C\], kernel \[kh,kw,C,F\] and bias \[F\], got \[1,4,4,2\], \[3,3,1,4\] and \[4\]/);
  });
});
