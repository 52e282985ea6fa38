import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, ShapeError, ValueError, grad, softmax, sigmoid, tensor, zeros } from 'semiflow';
import { arbShape, arbTensor, checkGrad } from 'semiflow/testing';
import type { DType, Tensor } from 'semiflow';
import {
  binaryCrossentropy, categoricalCrossentropy, getLoss, meanAbsoluteError, meanSquaredError,
  softmaxCategoricalCrossentropy, sparseCategoricalCrossentropy,
} from '../layers/losses.ts';
import type { Loss } from '../layers/losses.ts';

const RUNS = 40;
const EPS = 1e-7;

const f64 = (values: readonly number[], shape: readonly number[]): Tensor => tensor(values, shape, 'float64');

/** |actual − expected| <= tol · max(1, |expected|), with a message naming the case. */
function expectNear(actual: number, expected: number, tol: number, what: string): void {
  const error = Math.abs(actual - expected);
  if (!(error <= tol * Math.max(1, Math.abs(expected)))) expect.fail(`${what}: got ${actual}, reference ${expected} (error ${error})`);
}

function expectAllNear(actual: Tensor, expected: readonly number[], tol: number, what: string): void {
  expect(actual.size, what).toBe(expected.length);
  expected.forEach((e, i) => expectNear(actual.storage[i], e, tol, `${what} [${i}]`));
}

// ---- plain-JS references, row by row over the last axis ----

const rows = (t: Tensor): number[][] => {
  const k = t.shape[t.rank - 1];
  return Array.from({ length: t.size / k }, (_, r) => Array.from(t.storage.subarray(r * k, (r + 1) * k)));
};
const average = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const clamp = (p: number): number => Math.min(Math.max(p, EPS), 1 - EPS);
const logSumExp = (z: readonly number[]): number => {
  const m = Math.max(...z);
  return m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
};
const softmaxRow = (z: readonly number[]): number[] => z.map((v) => Math.exp(v - logSumExp(z)));
const smoothRow = (y: readonly number[], s: number): number[] => y.map((v) => v * (1 - s) + s / y.length);
const oneHotRows = (labels: readonly number[], k: number): number[][] => labels.map((c) => Array.from({ length: k }, (_, j) => (j === c ? 1 : 0)));

const refCategoricalProbs = (y: number[][], p: number[][]): number =>
  average(p.map((row, r) => {
    const total = row.reduce((a, b) => a + b, 0);
    return -row.reduce((s, v, j) => s + y[r][j] * Math.log(clamp(v / total)), 0);
  }));
const refCategoricalLogits = (y: number[][], z: number[][]): number =>
  average(z.map((row, r) => -row.reduce((s, v, j) => s + y[r][j] * (v - logSumExp(row)), 0)));
const refBinaryProbs = (y: readonly number[], p: readonly number[]): number =>
  average(p.map((v, i) => -(y[i] * Math.log(clamp(v)) + (1 - y[i]) * Math.log(1 - clamp(v)))));
const refBinaryLogits = (y: readonly number[], z: readonly number[]): number =>
  average(z.map((v, i) => Math.max(v, 0) - v * y[i] + Math.log1p(Math.exp(-Math.abs(v)))));

// ---- arbitraries ----

interface ClassCase {
  n: number;
  k: number;
  labels: number[];
  /** One-hot float64 targets [n, k]. */
  y: Tensor;
  /** Logits in [-5, 5]. */
  z: Tensor;
  /** Probabilities in [0.1, 1]: after p/Σp every class is >= 0.1/5.1 > ε, and below 1 − ε unless k = 1. */
  p: Tensor;
  smoothing: number;
}

/** Batch 1..5, classes 1..6 (a size-1 class axis included). */
const arbClassCase: fc.Arbitrary<ClassCase> = fc.record({ n: fc.integer({ min: 1, max: 5 }), k: fc.integer({ min: 1, max: 6 }) })
  .chain(({ n, k }) => fc.record({
    n: fc.constant(n),
    k: fc.constant(k),
    labels: fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: n, maxLength: n }),
    z: arbTensor([n, k], { min: -5, max: 5 }),
    p: arbTensor([n, k], { min: 0.1, max: 1 }),
    smoothing: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
  }))
  .map((c) => ({ ...c, y: f64(oneHotRows(c.labels, c.k).flat(), [c.n, c.k]) }));

interface ElementCase {
  yTrue: Tensor;
  /** yTrue + d with |d| >= 1e-2, so mae is away from its kink. */
  yPred: Tensor;
  /** Binary targets in [0, 1]. */
  y01: Tensor;
  /** Probabilities in [0.01, 0.99], the interior of the clip to [ε, 1 − ε]. */
  p: Tensor;
  z: Tensor;
  smoothing: number;
}

const arbElementCase: fc.Arbitrary<ElementCase> = arbShape({ minRank: 1, maxRank: 3 }).chain((shape) => fc.record({
  yTrue: arbTensor(shape),
  d: arbTensor(shape, { avoid: [0], gap: 1e-2 }),
  y01: arbTensor(shape, { min: 0, max: 1 }),
  p: arbTensor(shape, { min: 0.01, max: 0.99 }),
  z: arbTensor(shape, { min: -5, max: 5 }),
  smoothing: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
})).map(({ d, ...c }) => ({ ...c, yPred: c.yTrue.add(d) }));

const values = (t: Tensor): number[] => Array.from(t.storage);

describe('losses match plain-JS references (float64)', () => {
  it('meanSquaredError and meanAbsoluteError', () => {
    fc.assert(fc.property(arbElementCase, ({ yTrue, yPred }) => {
      const t = values(yTrue);
      const diffs = values(yPred).map((v, i) => v - t[i]);
      expectNear(meanSquaredError().compute(yTrue, yPred).item(), average(diffs.map((d) => d * d)), 1e-12, 'mse');
      expectNear(meanAbsoluteError().compute(yTrue, yPred).item(), average(diffs.map(Math.abs)), 1e-12, 'mae');
    }), { numRuns: RUNS });
  });

  it('binaryCrossentropy on probabilities and on logits, with label smoothing', () => {
    fc.assert(fc.property(arbElementCase, ({ y01, p, z, smoothing }) => {
      const y = values(y01).map((v) => v * (1 - smoothing) + smoothing / 2);
      const probs = binaryCrossentropy({ labelSmoothing: smoothing }).compute(y01, p);
      expectNear(probs.item(), refBinaryProbs(y, values(p)), 1e-12, 'probabilities');
      const logits = binaryCrossentropy({ fromLogits: true, labelSmoothing: smoothing }).compute(y01, z);
      expectNear(logits.item(), refBinaryLogits(y, values(z)), 1e-12, 'logits');
    }), { numRuns: RUNS });
  });

  it('binaryCrossentropy clips probabilities of exactly 0 and 1 to [ε, 1 − ε]', () => {
    const loss = binaryCrossentropy().compute(f64([1, 0, 0, 1], [4]), f64([0, 1, 0, 1], [4]));
    expect(Number.isFinite(loss.item())).toBe(true);
    expectNear(loss.item(), refBinaryProbs([1, 0, 0, 1], [0, 1, 0, 1]), 1e-12, 'clipped');
  });

  it('categoricalCrossentropy (Keras normalisation p/Σp and clip) and from logits, with label smoothing', () => {
    fc.assert(fc.property(arbClassCase, ({ y, z, p, smoothing }) => {
      const ys = rows(y).map((r) => smoothRow(r, smoothing));
      expectNear(categoricalCrossentropy({ labelSmoothing: smoothing }).compute(y, p).item(), refCategoricalProbs(ys, rows(p)), 1e-12, 'probabilities');
      expectNear(categoricalCrossentropy({ fromLogits: true, labelSmoothing: smoothing }).compute(y, z).item(), refCategoricalLogits(ys, rows(z)), 1e-12, 'logits');
      expectNear(softmaxCategoricalCrossentropy({ labelSmoothing: smoothing }).compute(y, z).item(), refCategoricalLogits(ys, rows(z)), 1e-12, 'softmax');
    }), { numRuns: RUNS });
  });

  it('sparseCategoricalCrossentropy on labels of shape [N] and [N,1]', () => {
    fc.assert(fc.property(arbClassCase, ({ n, k, labels, z, p }) => {
      const ys = oneHotRows(labels, k);
      for (const shape of [[n], [n, 1]]) {
        const yTrue = f64(labels, shape);
        expectNear(sparseCategoricalCrossentropy().compute(yTrue, p).item(), refCategoricalProbs(ys, rows(p)), 1e-12, `probabilities ${shape}`);
        expectNear(sparseCategoricalCrossentropy({ fromLogits: true }).compute(yTrue, z).item(), refCategoricalLogits(ys, rows(z)), 1e-12, `logits ${shape}`);
      }
    }), { numRuns: RUNS });
  });

  it('average over every leading axis of a rank-3 prediction', () => {
    const z = f64([1, 2, 3, -1, 0, 4, 2, 2, 2, 0.5, -3, 1], [2, 2, 3]);
    const labels = [2, 0, 1, 1];
    const expected = refCategoricalLogits(oneHotRows(labels, 3), rows(z));
    expectNear(sparseCategoricalCrossentropy({ fromLogits: true }).compute(f64(labels, [2, 2]), z).item(), expected, 1e-12, 'rank 3');
  });

  it('return a scalar of the predictions\' dtype', () => {
    const cases: [DType, DType][] = [['float32', 'float64'], ['float64', 'float32'], ['float32', 'float32']];
    for (const [targets, preds] of cases) {
      const out = categoricalCrossentropy().compute(tensor([[0, 1]], undefined, targets), tensor([[0.3, 0.7]], undefined, preds));
      expect(out.shape).toEqual([]);
      expect(out.dtype).toBe(preds);
    }
  });
});

describe('loss gradients w.r.t. the predictions pass checkGrad', () => {
  const check = (loss: Loss, yTrue: Tensor, yPred: Tensor, seed: number): void => {
    const result = checkGrad((x: Tensor) => loss.compute(yTrue, x), yPred, { seed });
    expect(result.ok, `${loss.name} ${JSON.stringify(loss.config)} ${JSON.stringify(yPred.shape)}: ${result.message}`).toBe(true);
  };

  it('regression and binary losses', () => {
    fc.assert(fc.property(arbElementCase, fc.nat(), ({ yTrue, yPred, y01, p, z, smoothing }, seed) => {
      check(meanSquaredError(), yTrue, yPred, seed);
      check(meanAbsoluteError(), yTrue, yPred, seed);
      check(binaryCrossentropy({ labelSmoothing: smoothing }), y01, p, seed);
      check(binaryCrossentropy({ fromLogits: true, labelSmoothing: smoothing }), y01, z, seed);
    }), { numRuns: RUNS });
  });

  it('categorical losses', () => {
    fc.assert(fc.property(arbClassCase, fc.nat(), ({ n, labels, y, z, p, smoothing }, seed) => {
      check(categoricalCrossentropy({ labelSmoothing: smoothing }), y, p, seed);
      check(categoricalCrossentropy({ fromLogits: true, labelSmoothing: smoothing }), y, z, seed);
      check(softmaxCategoricalCrossentropy({ labelSmoothing: smoothing }), y, z, seed);
      check(sparseCategoricalCrossentropy(), f64(labels, [n]), p, seed);
      check(sparseCategoricalCrossentropy({ fromLogits: true }), f64(labels, [n, 1]), z, seed);
    }), { numRuns: RUNS });
  });
});

describe('fused losses', () => {
  /** (softmax(z) − y)/N, row by row in plain JS. */
  const expectedSoftmaxGrad = (z: Tensor, y: number[][]): number[] =>
    rows(z).flatMap((row, r) => softmaxRow(row).map((s, j) => (s - y[r][j]) / y.length));

  it('the softmax fused forms have the tape gradient (softmax(z) − y)/N, with label smoothing too', () => {
    fc.assert(fc.property(arbClassCase, ({ n, labels, y, z, smoothing }) => {
      const ys = rows(y).map((r) => smoothRow(r, smoothing));
      const fused = categoricalCrossentropy({ labelSmoothing: smoothing }).fused?.loss as Loss;
      expectAllNear(grad((t: Tensor) => fused.compute(y, t))(z), expectedSoftmaxGrad(z, ys), 1e-12, 'categorical fused');
      const sparse = sparseCategoricalCrossentropy().fused?.loss as Loss;
      expectAllNear(grad((t: Tensor) => sparse.compute(f64(labels, [n]), t))(z), expectedSoftmaxGrad(z, rows(y)), 1e-12, 'sparse fused');
    }), { numRuns: RUNS });
  });

  it('the sigmoid fused form has the tape gradient (sigmoid(z) − y)/size', () => {
    fc.assert(fc.property(arbElementCase, ({ y01, z, smoothing }) => {
      const fused = binaryCrossentropy({ labelSmoothing: smoothing }).fused?.loss as Loss;
      const y = values(y01).map((v) => v * (1 - smoothing) + smoothing / 2);
      const expected = values(z).map((v, i) => (1 / (1 + Math.exp(-v)) - y[i]) / z.size);
      expectAllNear(grad((t: Tensor) => fused.compute(y01, t))(z), expected, 1e-12, 'binary fused');
    }), { numRuns: RUNS });
  });

  // With |z| <= 5 and k >= 2 every probability lies inside [ε, 1 − ε]. With k = 1 softmax is exactly 1, which the
  // probability form clips to 1 − ε (as Keras does), so there it gives −log(1 − ε) where the fused form gives 0.
  it('the fused loss on logits equals the loss on the activated probabilities, up to the clip', () => {
    fc.assert(fc.property(arbClassCase, arbElementCase, ({ n, k, labels, y, z, smoothing }, e) => {
      const onProbabilities = (value: number): number => (k === 1 ? -Math.log(1 - EPS) : value);
      const cce = categoricalCrossentropy({ labelSmoothing: smoothing });
      const fusedValue = (cce.fused?.loss as Loss).compute(y, z).item();
      expectNear(cce.compute(y, softmax(z)).item(), onProbabilities(fusedValue), 1e-12, 'categorical');
      const scce = sparseCategoricalCrossentropy();
      const yTrue = f64(labels, [n, 1]);
      const sparseValue = (scce.fused?.loss as Loss).compute(yTrue, z).item();
      expectNear(scce.compute(yTrue, softmax(z)).item(), onProbabilities(sparseValue), 1e-12, 'sparse');
      if (k === 1) expect([fusedValue, sparseValue]).toEqual([0, 0]);
      const bce = binaryCrossentropy({ labelSmoothing: e.smoothing });
      expectNear((bce.fused?.loss as Loss).compute(e.y01, e.z).item(), bce.compute(e.y01, sigmoid(e.z)).item(), 1e-12, 'binary');
    }), { numRuns: RUNS });
  });

  it('categoricalCrossentropy({fromLogits: true}) is softmaxCategoricalCrossentropy, value and gradient', () => {
    fc.assert(fc.property(arbClassCase, ({ y, z, smoothing }) => {
      const a = categoricalCrossentropy({ fromLogits: true, labelSmoothing: smoothing });
      const b = softmaxCategoricalCrossentropy({ labelSmoothing: smoothing });
      expect(a.compute(y, z).item()).toBe(b.compute(y, z).item());
      expect(values(grad((t: Tensor) => a.compute(y, t))(z))).toEqual(values(grad((t: Tensor) => b.compute(y, t))(z)));
    }), { numRuns: RUNS });
  });

  it('`fused` is present exactly where documented', () => {
    const fusedOf = (loss: Loss) => (loss.fused === undefined ? undefined : { activation: loss.fused.activation, name: loss.fused.loss.name, config: loss.fused.loss.config });
    expect(fusedOf(categoricalCrossentropy({ labelSmoothing: 0.1 }))).toEqual({ activation: 'softmax', name: 'softmaxCategoricalCrossentropy', config: { labelSmoothing: 0.1 } });
    expect(fusedOf(sparseCategoricalCrossentropy())).toEqual({ activation: 'softmax', name: 'sparseCategoricalCrossentropy', config: { fromLogits: true } });
    expect(fusedOf(binaryCrossentropy({ labelSmoothing: 0.2 }))).toEqual({ activation: 'sigmoid', name: 'binaryCrossentropy', config: { fromLogits: true, labelSmoothing: 0.2 } });
    const unfused = [
      meanSquaredError(), meanAbsoluteError(), softmaxCategoricalCrossentropy(), categoricalCrossentropy({ fromLogits: true }),
      sparseCategoricalCrossentropy({ fromLogits: true }), binaryCrossentropy({ fromLogits: true }),
    ];
    for (const loss of unfused) expect('fused' in loss, `${loss.name} ${JSON.stringify(loss.config)}`).toBe(false);
  });
});

describe('extreme logits', () => {
  // Rows mix ±1e4 with moderate values; the analytic loss is logsumexp(row) − z[label], computed stably in JS.
  const z = [[1e4, -1e4, 0], [-1e4, 1e4, 1e4 - 1], [1e4, 1e4 - 2.5, -1e4], [-1e4, -1e4, -1e4 + 3]];
  const labels = [0, 2, 0, 1];
  const analytic = average(z.map((row, r) => logSumExp(row) - row[labels[r]]));

  it('the fused loss is finite and matches the analytic value in float64 and float32, and so is its gradient', () => {
    const y = oneHotRows(labels, 3);
    for (const [dtype, tol] of [['float64', 1e-12], ['float32', 1e-6]] as const) {
      const logits = tensor(z, undefined, dtype);
      const targets = tensor(y, undefined, dtype);
      const loss = softmaxCategoricalCrossentropy();
      expectNear(loss.compute(targets, logits).item(), analytic, tol, `${dtype} value`);
      expectNear(sparseCategoricalCrossentropy({ fromLogits: true }).compute(tensor(labels, undefined, dtype), logits).item(), analytic, tol, `${dtype} sparse value`);
      const g = grad((t: Tensor) => loss.compute(targets, t))(logits);
      expectAllNear(g, z.flatMap((row, r) => softmaxRow(row).map((s, j) => (s - y[r][j]) / z.length)), tol, `${dtype} gradient`);
    }
  });

  it('binaryCrossentropy from logits is finite and exact at ±1e4', () => {
    const zs = [1e4, -1e4, 1e4, -1e4, 0];
    const ys = [0, 1, 1, 0, 1];
    for (const dtype of ['float64', 'float32'] as const) {
      const loss = binaryCrossentropy({ fromLogits: true }).compute(tensor(ys, undefined, dtype), tensor(zs, undefined, dtype));
      expectNear(loss.item(), refBinaryLogits(ys, zs), 1e-7, dtype);
    }
  });

  it('the sigmoid fused gradient is exact at z = 0, where max(z, 0) and |z| both have kinks, and at ±1e4', () => {
    const zs = [0, 0, 1e4, -1e4];
    const ys = [1, 0, 0, 1];
    const loss = binaryCrossentropy().fused?.loss as Loss;
    for (const dtype of ['float64', 'float32'] as const) {
      const g = grad((t: Tensor) => loss.compute(tensor(ys, undefined, dtype), t))(tensor(zs, undefined, dtype));
      expect(Array.from(g.storage)).toEqual([-0.5 / 4, 0.5 / 4, 1 / 4, -1 / 4]);
    }
  });

  it('the probability forms stay finite on saturated probabilities', () => {
    const logits = f64(z.flat(), [4, 3]);
    expect(Number.isFinite(categoricalCrossentropy().compute(f64(oneHotRows(labels, 3).flat(), [4, 3]), softmax(logits)).item())).toBe(true);
    expect(Number.isFinite(binaryCrossentropy().compute(f64([0, 1], [2]), sigmoid(f64([1e4, -1e4], [2]))).item())).toBe(true);
  });
});

describe('loss errors', () => {
  it('a one-hot width that does not match the units is a ShapeError with both shapes', () => {
    expect(() => categoricalCrossentropy().compute(zeros([128, 9]), zeros([128, 10]))).toThrow(
      new ShapeError('categoricalCrossentropy: targets [128,9] do not fit predictions [128,10]: one-hot width 9 vs 10 units'),
    );
    expect(() => softmaxCategoricalCrossentropy().compute(zeros([64, 10]), zeros([128, 10]))).toThrow(/softmaxCategoricalCrossentropy: targets \[64,10\] do not fit predictions \[128,10\]: batch shape \[64\] vs \[128\]/);
    expect(() => categoricalCrossentropy().compute(zeros([8]), zeros([8, 10]))).toThrow(/targets \[8\] do not fit predictions \[8,10\].*sparseCategoricalCrossentropy/);
    expect(() => categoricalCrossentropy().compute(zeros([]), zeros([]))).toThrow(/categoricalCrossentropy: predictions need a class axis/);
  });

  it('elementwise losses accept equal shapes and [N] against [N,1], and refuse to broadcast anything else', () => {
    const a = f64([1, 2, 3], [3]);
    const b = f64([1.5, 2, 2], [3, 1]);
    expectNear(meanSquaredError().compute(a, b).item(), (0.25 + 0 + 1) / 3, 1e-15, '[N] vs [N,1]');
    expectNear(meanAbsoluteError().compute(b, a).item(), (0.5 + 0 + 1) / 3, 1e-15, '[N,1] vs [N]');
    expect(() => meanSquaredError().compute(zeros([4, 3]), zeros([4, 2]))).toThrow(new ShapeError('meanSquaredError: targets [4,3] do not fit predictions [4,2]: expected the same shape (or [N] against [N,1])'));
    expect(() => binaryCrossentropy().compute(zeros([4]), zeros([4, 3]))).toThrow(/binaryCrossentropy: targets \[4\] do not fit predictions \[4,3\]/);
  });

  it('sparse labels must be integers in [0, K) of shape [N] or [N,1]', () => {
    const preds = zeros([3, 4]).add(0.25);
    const cases: [number[], RegExp][] = [
      [[0, 4, 1], /sparseCategoricalCrossentropy: label 4 at index 1 .*\[0, 4\) for 4 classes/],
      [[-1, 0, 1], /label -1 at index 0/],
      [[0, 1, 1.5], /label 1\.5 at index 2/],
      [[0, NaN, 1], /label NaN at index 1/],
    ];
    for (const [labels, message] of cases) {
      expect(() => sparseCategoricalCrossentropy().compute(tensor(labels), preds)).toThrow(ValueError);
      expect(() => sparseCategoricalCrossentropy({ fromLogits: true }).compute(tensor(labels), preds)).toThrow(message);
    }
    expect(() => sparseCategoricalCrossentropy().compute(zeros([3, 4]), preds)).toThrow(/targets \[3,4\] do not fit predictions \[3,4\]: expected class indices of shape \[3\] or \[3,1\]/);
  });

  it('non-tensor arguments are ValueErrors naming the loss', () => {
    expect(() => meanSquaredError().compute([1, 2] as unknown as Tensor, zeros([2]))).toThrow(new ValueError('meanSquaredError: yTrue must be a Tensor, got an array'));
    expect(() => binaryCrossentropy().compute(zeros([2]), 3 as unknown as Tensor)).toThrow(/binaryCrossentropy: yPred must be a Tensor/);
  });

  it('options are validated', () => {
    for (const s of [-0.1, 1.5, NaN]) {
      expect(() => categoricalCrossentropy({ labelSmoothing: s })).toThrow(ValueError);
      expect(() => binaryCrossentropy({ labelSmoothing: s })).toThrow(/binaryCrossentropy: labelSmoothing must be a number in \[0, 1\]/);
    }
    expect(() => categoricalCrossentropy({ fromLogits: 'yes' as unknown as boolean })).toThrow(new ConfigError('categoricalCrossentropy: fromLogits must be true or false, got string "yes"'));
    expect(() => categoricalCrossentropy({ from_logits: true } as never)).toThrow(new ConfigError("categoricalCrossentropy: unknown option 'from_logits' (did you mean 'fromLogits'?); valid options are fromLogits, labelSmoothing"));
    expect(() => sparseCategoricalCrossentropy({ labelSmoothing: 0.1 } as never)).toThrow(/sparseCategoricalCrossentropy: unknown option 'labelSmoothing'; valid options are fromLogits/);
  });
});

describe('getLoss', () => {
  it('resolves camelCase, snake_case and the short aliases', () => {
    const names: [string, string][] = [
      ['mse', 'meanSquaredError'], ['mean_squared_error', 'meanSquaredError'], ['mae', 'meanAbsoluteError'],
      ['meanAbsoluteError', 'meanAbsoluteError'], ['binary_crossentropy', 'binaryCrossentropy'],
      ['categorical_crossentropy', 'categoricalCrossentropy'], ['sparseCategoricalCrossentropy', 'sparseCategoricalCrossentropy'],
      ['sparse_categorical_crossentropy', 'sparseCategoricalCrossentropy'], ['softmax_categorical_crossentropy', 'softmaxCategoricalCrossentropy'],
    ];
    for (const [spec, name] of names) expect(getLoss(spec, 'test').name).toBe(name);
    expect(getLoss('categorical_crossentropy', 'test').config).toEqual({ fromLogits: false, labelSmoothing: 0 });
    const own = binaryCrossentropy({ fromLogits: true });
    expect(getLoss(own, 'test')).toBe(own);
  });

  it('an unknown name is a ConfigError naming the caller and listing the valid names', () => {
    expect(() => getLoss('crossentropy', 'Model.compile')).toThrow(ConfigError);
    expect(() => getLoss('crossentropy', 'Model.compile')).toThrow(
      /^Model\.compile: unknown loss 'crossentropy' \(expected one of meanSquaredError, mse, meanAbsoluteError, mae, binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy, softmaxCategoricalCrossentropy/,
    );
    expect(() => getLoss('toString', 'Model.compile')).toThrow(/unknown loss 'toString'/);
    expect(() => getLoss(42 as unknown as string, 'Model.compile')).toThrow(new ConfigError('Model.compile: a loss must be a name or a Loss, got number 42'));
  });
});
