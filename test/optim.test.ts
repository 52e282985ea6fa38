import fc from 'fast-check';
import { isDraft, isDraftable, produce } from 'immer';
import { describe, expect, it, vi } from 'vitest';
import {
  ConfigError, grad, leaves, randomNormal, SemiflowError, ShapeError, Tensor, tensor, ValueError, zeros
} from 'semiflow';
import { arbShape } from 'semiflow/testing';
import type { DType, Tree } from 'semiflow';
import {
  adam, adamw, applyGradients, clipByGlobalNorm, clipByNorm, clipByValue, createTrainState, getOptimizer, globalNorm,
  momentum, optimizerNames, rmsprop, sgd,
} from '../optim/index.ts';
import type { Optimizer, OptimizerState } from '../optim/index.ts';
import { thrown } from './thrown.ts';


const f64 = (values: number[], shape?: number[]): Tensor => tensor(values, shape, 'float64');

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    if (Math.abs(actual[i] - e) > tol * Math.max(1, Math.abs(e))) {
      throw new Error(`element ${i}: got ${actual[i]}, expected ${e} (tolerance ${tol})`);
    }
  });
}

/** The shape-and-dtype skeleton of a tree, to compare structures. */
function skeleton(tree: Tree): unknown {
  if (tree instanceof Tensor) return `${tree.dtype}[${tree.shape.join(',')}]`;
  if (Array.isArray(tree)) return tree.map(skeleton);
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, skeleton(v as Tree)]));
}

// ---------------------------------------------------------------------------------------------------------------
// Reference formulas, one scalar at a time in plain JS (Keras 3 update_step and base optimizer weight decay).

interface Hyper { lr: number; wd?: number }
type Reference = (p0: readonly number[], grads: readonly number[][]) => number[][];

const decayed = (p: number, { lr, wd = 0 }: Hyper): number => p - p * wd * lr;

function sgdRef(h: Hyper & { momentum?: number; nesterov?: boolean }): Reference {
  const { lr, momentum: mu = 0, nesterov = false } = h;
  return (p0, grads) => {
    const p = [...p0];
    const v = p0.map(() => 0);
    return grads.map((g) => {
      p.forEach((pi, i) => {
        const base = decayed(pi, h);
        if (mu === 0) {
          p[i] = base - lr * g[i];
        } else {
          v[i] = mu * v[i] - lr * g[i];
          p[i] = nesterov ? base + mu * v[i] - lr * g[i] : base + v[i];
        }
      });
      return [...p];
    });
  };
}

function rmspropRef(h: Hyper & { rho?: number; momentum?: number; epsilon?: number; centered?: boolean }): Reference {
  const { lr, rho = 0.9, momentum: mu = 0, epsilon = 1e-7, centered = false } = h;
  return (p0, grads) => {
    const p = [...p0];
    const v = p0.map(() => 0);
    const a = p0.map(() => 0);
    const mom = p0.map(() => 0);
    return grads.map((g) => {
      p.forEach((pi, i) => {
        v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
        let denominator = v[i] + epsilon;
        if (centered) {
          a[i] = rho * a[i] + (1 - rho) * g[i];
          denominator = v[i] - a[i] * a[i] + epsilon;
        }
        const increment = (lr * g[i]) / Math.sqrt(denominator);
        if (mu > 0) mom[i] = mu * mom[i] + increment;
        p[i] = decayed(pi, h) - (mu > 0 ? mom[i] : increment);
      });
      return [...p];
    });
  };
}

function adamRef(h: Hyper & { beta1?: number; beta2?: number; epsilon?: number; amsgrad?: boolean }): Reference {
  const { lr, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, amsgrad = false } = h;
  return (p0, grads) => {
    const p = [...p0];
    const m = p0.map(() => 0);
    const v = p0.map(() => 0);
    const vHat = p0.map(() => 0);
    return grads.map((g, step) => {
      const t = step + 1;
      const lrT = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      p.forEach((pi, i) => {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        vHat[i] = Math.max(vHat[i], v[i]);
        p[i] = decayed(pi, h) - (lrT * m[i]) / (Math.sqrt(amsgrad ? vHat[i] : v[i]) + epsilon);
      });
      return [...p];
    });
  };
}

// Two leaves, [2,2] and [2], flattened in that order for the reference; three steps of distinct gradients.
const P0 = [1, -2, 0.5, 3, -0.25, 0];
const GRADS = [
  [0.5, -1.0, 0.25, 0, 2.0, -0.1],
  [0.3, -0.7, -0.5, 0.2, 1.5, 0.05],
  [-0.2, 0.4, 0.6, -0.3, 1.0, 0],
];
const split = (flat: readonly number[]) => ({ w: f64(flat.slice(0, 4), [2, 2]), b: f64(flat.slice(4)) });
const flatten = (tree: { w: Tensor; b: Tensor }): number[] => [...tree.w.data, ...tree.b.data];

/** The params after each step of optimizer on P0 and GRADS. */
function trajectory(optimizer: Optimizer): number[][] {
  let params = split(P0);
  let state = optimizer.init(params);
  return GRADS.map((g) => {
    [params, state] = optimizer.update(split(g), state, params);
    return flatten(params);
  });
}

describe('each optimizer matches the Keras 3 formulas for 3 steps (float64)', () => {
  const cases: [string, Optimizer, Reference][] = [
    ['sgd defaults', sgd(), sgdRef({ lr: 0.01 })],
    ['sgd with momentum', sgd({ learningRate: 0.1, momentum: 0.9 }), sgdRef({ lr: 0.1, momentum: 0.9 })],
    ['sgd with Nesterov momentum', sgd({ learningRate: 0.1, momentum: 0.5, nesterov: true }), sgdRef({ lr: 0.1, momentum: 0.5, nesterov: true })],
    ['sgd with weight decay', sgd({ learningRate: 0.1, weightDecay: 0.1 }), sgdRef({ lr: 0.1, wd: 0.1 })],
    ['momentum defaults', momentum(), sgdRef({ lr: 0.01, momentum: 0.9 })],
    ['rmsprop defaults', rmsprop(), rmspropRef({ lr: 0.001 })],
    ['rmsprop with momentum', rmsprop({ learningRate: 0.01, momentum: 0.5, rho: 0.8 }), rmspropRef({ lr: 0.01, momentum: 0.5, rho: 0.8 })],
    ['rmsprop centered', rmsprop({ learningRate: 0.01, centered: true }), rmspropRef({ lr: 0.01, centered: true })],
    ['rmsprop centered with momentum', rmsprop({ learningRate: 0.01, centered: true, momentum: 0.9, epsilon: 1e-3 }), rmspropRef({ lr: 0.01, centered: true, momentum: 0.9, epsilon: 1e-3 })],
    ['adam defaults', adam(), adamRef({ lr: 0.001 })],
    ['adam with amsgrad', adam({ learningRate: 0.1, amsgrad: true }), adamRef({ lr: 0.1, amsgrad: true })],
    ['adam with other betas', adam({ learningRate: 0.05, beta1: 0.5, beta2: 0.9, epsilon: 1e-3 }), adamRef({ lr: 0.05, beta1: 0.5, beta2: 0.9, epsilon: 1e-3 })],
    ['adamw defaults', adamw(), adamRef({ lr: 0.001, wd: 0.004 })],
    ['adamw with a large decay', adamw({ learningRate: 0.1, weightDecay: 0.5 }), adamRef({ lr: 0.1, wd: 0.5 })],
  ];
  it.each(cases)('%s', (_label, optimizer, reference) => {
    const expected = reference(P0, GRADS);
    trajectory(optimizer).forEach((params, step) => expectClose(params, expected[step]));
    // The steps move the params: a no-op optimizer would fail here.
    expect(expected[2]).not.toEqual(P0);
  });

  it("adam's m and v slots hold the moment estimates", () => {
    const optimizer = adam({ learningRate: 0.1 });
    let params = split(P0);
    let state = optimizer.init(params);
    for (const g of GRADS) [params, state] = optimizer.update(split(g), state, params);
    const m = P0.map((_, i) => GRADS.reduce((acc, g) => 0.9 * acc + 0.1 * g[i], 0));
    const v = P0.map((_, i) => GRADS.reduce((acc, g) => 0.999 * acc + 0.001 * g[i] * g[i], 0));
    expect(state.step).toBe(3);
    expectClose(flatten(state.slots.m as { w: Tensor; b: Tensor }), m);
    expectClose(flatten(state.slots.v as { w: Tensor; b: Tensor }), v);
  });
});

describe('known cases from the Keras 3 test suite', () => {
  /** One step from [1,2,3,4] with gradient [1,6,7,2], as in Keras' test_single_step. */
  const singleStep = (optimizer: Optimizer): Float32Array | Float64Array => {
    const p = tensor([1, 2, 3, 4]);
    return optimizer.update(tensor([1, 6, 7, 2]), optimizer.init(p), p)[0].data;
  };

  it('single steps with learningRate 0.5', () => {
    expectClose(singleStep(sgd({ learningRate: 0.5 })), [0.5, -1.0, -0.5, 3.0], 1e-4);
    expectClose(singleStep(rmsprop({ learningRate: 0.5 })), [-0.5811, 0.4189, 1.4189, 2.4189], 1e-4);
    expectClose(singleStep(adam({ learningRate: 0.5 })), [0.5, 1.5, 2.5, 3.5], 1e-4);
    expectClose(singleStep(adamw({ learningRate: 0.5 })), [0.498, 1.496, 2.494, 3.492], 1e-4);
  });

  it('the RMSprop docstring example: 10 with gradient 10 and learningRate 0.1 becomes 9.683772', () => {
    const opt = rmsprop({ learningRate: 0.1 });
    const p = tensor([10]);
    expect(opt.update(tensor([10]), opt.init(p), p)[0].item()).toBeCloseTo(9.683772, 5);
  });

  it('weight decay 0.004 with learningRate 1 and zero gradients: 2 -> 1.992 -> ... 1.9760959 after 3 steps', () => {
    for (const opt of [sgd, rmsprop, adam, adamw].map((f) => f({ learningRate: 1, weightDecay: 0.004 }))) {
      let p = tensor([2]);
      let state = opt.init(p);
      [p, state] = opt.update(zeros([1]), state, p);
      expect(p.item()).toBeCloseTo(1.992, 6);
      for (let i = 0; i < 2; i++) [p, state] = opt.update(zeros([1]), state, p);
      expect(p.item()).toBeCloseTo(1.9760959, 6);
    }
  });

  /** Keras' test_correctness_with_golden: a first step with gradient 0.01, then 5 steps with 0.1, 0.2, ..., 1.0. */
  function golden(optimizer: Optimizer, rows: number[][], dtype: DType): void {
    let x = tensor(Array(10).fill(1), [10], dtype);
    const grads = tensor(Array.from({ length: 10 }, (_, i) => (i + 1) / 10), [10], dtype);
    let state = optimizer.init(x);
    [x, state] = optimizer.update(tensor(Array(10).fill(0.01), [10], dtype), state, x);
    for (const row of rows) {
      expect(x.dtype).toBe(dtype);
      expectClose(x.data, row, 5e-4);
      [x, state] = optimizer.update(grads, state, x);
    }
  }
  const tile = (column: number[]): number[][] => column.map((v) => Array(10).fill(v));

  it('adam with Keras defaults and amsgrad, float32', () => {
    golden(adam({ amsgrad: true }), tile([0.999, 0.9982, 0.9974, 0.9965, 0.9955]), 'float32');
  });

  it('rmsprop centered, float64', () => {
    golden(rmsprop({ centered: true }), tile([0.9967, 0.9933, 0.9908, 0.9885, 0.9864]), 'float64');
  });

  it('sgd with Nesterov and no momentum is plain sgd', () => {
    golden(sgd({ nesterov: true }), [
      [0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999],
      [0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939, 0.9929, 0.9919, 0.9909, 0.9899],
      [0.9979, 0.9959, 0.9939, 0.9919, 0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799],
      [0.9969, 0.9939, 0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699],
      [0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679, 0.9639, 0.9599],
    ], 'float64');
  });

  it('adamw with learningRate 1, weightDecay 0.5, epsilon 2', () => {
    golden(adamw({ learningRate: 1, weightDecay: 0.5, epsilon: 2 }), [
      Array(10).fill(0.4998),
      [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
      [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
      [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
      [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113, -0.0159],
    ], 'float64');
  });
});

describe('convergence on a quadratic, with gradients from the tape', () => {
  const target = { w: f64([1, -2, 3, 0.5, 0, -1], [2, 3]), b: f64([2, -3]) };
  type P = typeof target;
  const loss = (p: P): Tensor => p.w.sub(target.w).square().sum().add(p.b.sub(target.b).square().sum());
  const dloss = grad(loss);

  it.each([
    ['sgd', sgd()],
    ['momentum', momentum()],
    ['rmsprop', rmsprop({ learningRate: 0.01 })],
    ['adam', adam({ learningRate: 0.05 })],
    ['adamw', adamw({ learningRate: 0.05 })],
    ['sgd with globalClipnorm', sgd({ learningRate: 0.05, globalClipnorm: 1 })],
  ] as [string, Optimizer][])('%s brings the loss down at least 100x in 300 steps', (_name, optimizer) => {
    let params: P = { w: zeros([2, 3], 'float64'), b: zeros([2], 'float64') };
    let state = optimizer.init(params);
    const initial = loss(params).item();
    for (let step = 0; step < 300; step++) [params, state] = optimizer.update(dloss(params), state, params);
    expect(loss(params).item()).toBeLessThan(initial / 100);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Purity, structure and dtypes.

type Shape = { kind: 'leaf'; shape: number[] } | { kind: 'list'; items: Shape[] } | { kind: 'dict'; entries: [string, Shape][] };

const arbStructure: fc.Arbitrary<Shape> = fc.letrec<{ node: Shape; leaf: Shape; list: Shape; dict: Shape }>((tie) => ({
  node: fc.oneof({ maxDepth: 3, depthIdentifier: 'tree' }, tie('leaf'), tie('list'), tie('dict')),
  leaf: arbShape({ maxRank: 3, maxDim: 3 }).map((shape): Shape => ({ kind: 'leaf', shape })),
  list: fc.array(tie('node'), { minLength: 1, maxLength: 3, depthIdentifier: 'tree' }).map((items): Shape => ({ kind: 'list', items })),
  dict: fc.uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'kernel', 'bias', 'w'), tie('node')), {
    minLength: 1, maxLength: 3, selector: (e) => e[0], depthIdentifier: 'tree',
  }).map((entries): Shape => ({ kind: 'dict', entries })),
})).node;

function build(s: Shape, make: (shape: number[]) => Tensor): Tree {
  if (s.kind === 'leaf') return make(s.shape);
  if (s.kind === 'list') return s.items.map((item) => build(item, make));
  return Object.fromEntries(s.entries.map(([k, v]) => [k, build(v, make)]));
}

/** A tree's values, copied. */
const snapshot = (tree: Tree): number[][] => leaves(tree).map((t) => Array.from(t.data));

const everyKind = (): Optimizer[] => [
  sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
  sgd({ clipvalue: 0.5 }),
  rmsprop({ centered: true, momentum: 0.5, clipnorm: 1 }),
  adam({ amsgrad: true, globalClipnorm: 1 }),
  adamw(),
];

describe('update is pure and preserves structure and dtype', () => {
  it('never changes its inputs, returns fresh tensors and is deterministic (fast-check over trees)', () => {
    fc.assert(
      fc.property(arbStructure, fc.integer({ min: 0, max: 1000 }), fc.constantFrom<DType>('float32', 'float64'), (structure, seed, dtype) => {
        let k = seed;
        const make = (shape: number[]): Tensor => randomNormal(shape, { seed: k++, dtype });
        const params = build(structure, make);
        const grads = build(structure, make);
        for (const optimizer of everyKind()) {
          const state0 = optimizer.init(params);
          const [params1, state1] = optimizer.update(grads, state0, params);
          const before = [snapshot(params), snapshot(grads), snapshot(state1.slots), snapshot(params1)];
          const [params2, state2] = optimizer.update(grads, state1, params1);
          const after = [snapshot(params), snapshot(grads), snapshot(state1.slots), snapshot(params1)];
          expect(after).toEqual(before);
          // Fresh tensors with fresh storage, the same structure, and the same result when run again.
          const oldStorage = new Set([...leaves(params1), ...leaves(state1.slots)].map((t) => t.storage));
          for (const t of [...leaves(params2), ...leaves(state2.slots)]) expect(oldStorage.has(t.storage)).toBe(false);
          expect(skeleton(params2)).toEqual(skeleton(params));
          expect(snapshot(optimizer.update(grads, state1, params1)[0])).toEqual(snapshot(params2));
          expect(state2.step).toBe(2);
          expect(state0.step).toBe(0);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('keeps nested objects and arrays, in params and in every slot', () => {
    const params = { dense: { kernel: f64([1, 2, 3, 4], [2, 2]), bias: f64([0, 0]) }, stack: [f64([1]), { gain: f64([2, 3, 4]) }] };
    const grads = { dense: { kernel: f64([1, 1, 1, 1], [2, 2]), bias: f64([1, 1]) }, stack: [f64([1]), { gain: f64([1, 1, 1]) }] };
    const opt = adam({ amsgrad: true });
    const [next, state] = opt.update(grads, opt.init(params), params);
    expect(skeleton(next)).toEqual(skeleton(params));
    expect(Object.keys(state.slots)).toEqual(['m', 'v', 'vHat']);
    for (const slot of Object.values(state.slots)) expect(skeleton(slot)).toEqual(skeleton(params));
    // The update is typed by the params' structure.
    const kernel: Tensor = next.dense.kernel;
    expect(kernel.shape).toEqual([2, 2]);
  });

  it('pairs object entries by key, whatever the key order of the gradients', () => {
    const opt = sgd({ learningRate: 1 });
    const params = { w: f64([1]), b: f64([2]) };
    const [next] = opt.update({ b: f64([20]), w: f64([10]) }, opt.init(params), params);
    expect(Object.keys(next)).toEqual(['w', 'b']);
    expect([next.w.item(), next.b.item()]).toEqual([-9, -18]);
  });

  it.each(['float32', 'float64'] as DType[])('keeps %s in params and slots, for every optimizer', (dtype) => {
    const params = { w: tensor([[1, 2], [3, 4]], undefined, dtype), b: tensor([0.5], undefined, dtype) };
    const grads = { w: tensor([[0.1, -0.2], [0.3, 0.4]], undefined, dtype), b: tensor([1], undefined, dtype) };
    for (const optimizer of [...optimizerNames.map((n) => getOptimizer(n)), ...everyKind()]) {
      const [next, state] = optimizer.update(grads, optimizer.init(params), params);
      for (const t of [...leaves(next), ...leaves(state.slots)]) expect(t.dtype).toBe(dtype);
      expect(next.w.data).not.toEqual(params.w.data);
    }
  });

  it('sgd keeps no velocity when momentum is 0, and one velocity per param otherwise', () => {
    const p = { w: tensor([1, 2]) };
    expect(sgd().init(p).slots).toEqual({});
    expect(skeleton(sgd({ momentum: 0.5 }).init(p).slots)).toEqual({ velocity: { w: 'float32[2]' } });
    expect(Object.keys(rmsprop().init(p).slots)).toEqual(['velocity']);
    expect(Object.keys(rmsprop({ centered: true, momentum: 0.1 }).init(p).slots)).toEqual(['velocity', 'averageGrad', 'momentum']);
  });

  it('the state is a deeply frozen value', () => {
    const opt = adam();
    const p = { layer: { w: tensor([1, 2]) } };
    const [, state] = opt.update({ layer: { w: tensor([1, 1]) } }, opt.init(p), p);
    expect(Object.isFrozen(state)).toBe(true);
    expect(Object.isFrozen(state.slots)).toBe(true);
    expect(Object.isFrozen(state.slots.m)).toBe(true);
    expect(Object.isFrozen((state.slots.m as { layer: object }).layer)).toBe(true);
  });
});

describe('learning rates', () => {
  it('a schedule is called with the 0-based step and its value is used', () => {
    const schedule = vi.fn((step: number) => 1 / (step + 1));
    const opt = sgd({ learningRate: schedule });
    expect(opt.config.learningRate).toBe('schedule');
    let p = f64([0]);
    let state = opt.init(p);
    for (let i = 0; i < 3; i++) [p, state] = opt.update(f64([1]), state, p);
    expect(schedule.mock.calls.map((c) => c[0])).toEqual([0, 1, 2]);
    expect(p.item()).toBeCloseTo(-(1 + 1 / 2 + 1 / 3), 14);
    expect(opt.learningRateAt(9)).toBe(0.1);
  });

  it('a constant rate is the same at every step, and shows in config', () => {
    const opt = adam({ learningRate: 0.003 });
    expect([opt.learningRateAt(0), opt.learningRateAt(1000)]).toEqual([0.003, 0.003]);
    expect(opt.config).toEqual({
      learningRate: 0.003, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false,
      weightDecay: 0, clipnorm: null, clipvalue: null, globalClipnorm: null,
    });
    expect(Object.isFrozen(opt.config)).toBe(true);
  });

  it('a schedule that returns NaN or a negative rate fails at that step, naming it', () => {
    const opt = adam({ learningRate: (step) => (step < 2 ? 0.1 : Number.NaN) });
    let p = f64([1]);
    let state = opt.init(p);
    for (let i = 0; i < 2; i++) [p, state] = opt.update(f64([1]), state, p);
    const error = thrown(() => opt.update(f64([1]), state, p));
    expect(error).toBeInstanceOf(ValueError);
    expect(error.message).toBe('adam: the learning-rate schedule returned NaN at step 2 (expected a finite number >= 0)');
    expect(thrown(() => sgd({ learningRate: () => -1 }).learningRateAt(7)).message).toMatch(/^sgd: the learning-rate schedule returned -1 at step 7/);
    expect(thrown(() => sgd().learningRateAt(-1)).message).toBe('sgd: the step must be a non-negative integer, got -1');
    // A schedule may start at 0 for a warm-up.
    expect(sgd({ learningRate: (s) => s * 0.1 }).learningRateAt(0)).toBe(0);
  });
});

describe('gradient clipping', () => {
  it('clipByNorm rescales each tensor to norm c when above it: g * c / max(||g||, c)', () => {
    const [a, b] = clipByNorm([f64([3, 4]), f64([0.3, 0.4])], 1);
    expectClose(a.data, [0.6, 0.8]);
    expectClose(b.data, [0.3, 0.4]);
    expectClose(clipByNorm(f64([100, 100]), 1).data, [Math.SQRT1_2, Math.SQRT1_2]);
    expect(Array.from(clipByNorm(f64([0, 0]), 1).data)).toEqual([0, 0]);
  });

  it('clipByValue clips each element to [-limit, limit]', () => {
    expect(Array.from(clipByValue(f64([-3, -0.5, 0, 0.5, 3]), 1).data)).toEqual([-1, -0.5, 0, 0.5, 1]);
  });

  it('clipByGlobalNorm rescales all tensors together, keeping their directions', () => {
    const grads = { a: f64([3]), b: f64([4]) };
    expect(globalNorm(grads)).toBe(5);
    const clipped = clipByGlobalNorm(grads, 1);
    expectClose(clipped.a.data, [0.6]);
    expectClose(clipped.b.data, [0.8]);
    const loose = clipByGlobalNorm(grads, 10);
    expect([loose.a.item(), loose.b.item()]).toEqual([3, 4]);
    expect([grads.a.item(), grads.b.item()]).toEqual([3, 4]);
  });

  it('optimizers clip the gradients before the update', () => {
    const params = { a: f64([0, 0]), b: f64([0]) };
    const grads = { a: f64([3, 4]), b: f64([12]) };
    const step = (opt: Optimizer) => flattenTree(opt.update(grads, opt.init(params), params)[0]);
    expectClose(step(sgd({ learningRate: 1, clipnorm: 1 })), [-0.6, -0.8, -1]);
    expectClose(step(sgd({ learningRate: 1, clipvalue: 2 })), [-2, -2, -2]);
    expectClose(step(sgd({ learningRate: 1, globalClipnorm: 1 })), [-3 / 13, -4 / 13, -12 / 13]);
    expectClose(step(sgd({ learningRate: 1 })), [-3, -4, -12]);
    expect(sgd({ clipnorm: 2 }).config).toMatchObject({ clipnorm: 2, clipvalue: null, globalClipnorm: null });
  });
});

const flattenTree = (tree: Tree): number[] => leaves(tree).flatMap((t) => Array.from(t.data));

describe('validation errors say who is speaking, what was expected and what was given', () => {
  it('a NaN, zero, negative or non-number learning rate', () => {
    const nan = thrown(() => adam({ learningRate: Number.NaN }));
    expect(nan).toBeInstanceOf(ValueError);
    expect(nan.message).toBe('adam: learningRate must be a positive finite number, got NaN');
    expect(thrown(() => sgd({ learningRate: 0 })).message).toBe('sgd: learningRate must be a positive finite number, got 0');
    expect(thrown(() => rmsprop({ learningRate: -1 })).message).toBe('rmsprop: learningRate must be a positive finite number, got -1');
    expect(thrown(() => sgd({ learningRate: Infinity })).message).toBe('sgd: learningRate must be a positive finite number, got Infinity');
    expect(thrown(() => adamw({ learningRate: '0.1' as unknown as number })).message).toBe(
      'adamw: learningRate must be a positive finite number or a function (step) => number, got string "0.1"',
    );
  });

  it('unknown option keys list the valid ones, with a hint for snake_case', () => {
    const lr = thrown(() => adam({ lr: 0.1 } as never));
    expect(lr).toBeInstanceOf(ConfigError);
    expect(lr.message).toBe(
      "adam: unknown option 'lr' (did you mean 'learningRate'?); valid options are learningRate, beta1, beta2, epsilon, amsgrad, weightDecay, clipnorm, clipvalue, globalClipnorm",
    );
    expect(thrown(() => sgd({ learning_rate: 0.1 } as never)).message).toBe(
      "sgd: unknown option 'learning_rate' (did you mean 'learningRate'?); valid options are learningRate, momentum, nesterov, weightDecay, clipnorm, clipvalue, globalClipnorm",
    );
    expect(thrown(() => rmsprop({ beta1: 0.9 } as never)).message).toMatch(/^rmsprop: unknown option 'beta1'; valid options are learningRate, rho, momentum, epsilon, centered,/);
    expect(thrown(() => adam('fast' as never))).toBeInstanceOf(ConfigError);
  });

  it('hyperparameters out of range', () => {
    const cases: [() => unknown, string][] = [
      [() => adam({ beta1: 1 }), 'adam: beta1 must be a number in [0, 1), got 1'],
      [() => adamw({ beta2: -0.1 }), 'adamw: beta2 must be a number in [0, 1), got -0.1'],
      [() => adam({ epsilon: -1e-7 }), 'adam: epsilon must be a positive finite number, got -1e-7'],
      [() => sgd({ momentum: 1.5 }), 'sgd: momentum must be a number in [0, 1], got 1.5'],
      [() => rmsprop({ rho: Number.NaN }), 'rmsprop: rho must be a number in [0, 1), got NaN'],
      [() => rmsprop({ momentum: -1 }), 'rmsprop: momentum must be a number in [0, 1], got -1'],
      [() => sgd({ clipnorm: 0 }), 'sgd: clipnorm must be a positive finite number, got 0'],
      [() => adam({ clipvalue: -1 }), 'adam: clipvalue must be a positive finite number, got -1'],
      [() => adam({ globalClipnorm: Infinity }), 'adam: globalClipnorm must be a positive finite number, got Infinity'],
      [() => adamw({ weightDecay: -0.1 }), 'adamw: weightDecay must be a finite number >= 0, got -0.1'],
      [() => adam({ amsgrad: 'yes' as never }), 'adam: amsgrad must be true or false, got string "yes"'],
      [() => clipByNorm(f64([1]), 0), 'clipByNorm: maxNorm must be a positive finite number, got 0'],
    ];
    for (const [fn, message] of cases) {
      const error = thrown(fn);
      expect(error).toBeInstanceOf(ValueError);
      expect(error.message).toBe(message);
    }
    expect(sgd({ momentum: 1 }).config.momentum).toBe(1);
  });

  it('two clips at once are ambiguous', () => {
    const error = thrown(() => adam({ clipnorm: 1, clipvalue: 1 }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('adam: only one of clipnorm, clipvalue and globalClipnorm can be set, got clipnorm and clipvalue');
  });

  it('mismatched gradients and params name the optimizer, the leaf and both shapes', () => {
    const opt = adam();
    const params = { dense: { kernel: zeros([2, 3]), bias: zeros([3]) } };
    const state = opt.init(params);
    const shape = thrown(() => opt.update({ dense: { kernel: zeros([3, 2]), bias: zeros([3]) } }, state, params));
    expect(shape).toBeInstanceOf(ShapeError);
    expect(shape.message).toBe('adam: grads.dense.kernel has shape [3,2] but params.dense.kernel has shape [2,3] (leaf 0)');
    const second = thrown(() => opt.update({ dense: { kernel: zeros([2, 3]), bias: zeros([4]) } }, state, params));
    expect(second.message).toBe('adam: grads.dense.bias has shape [4] but params.dense.bias has shape [3] (leaf 1)');
    const missing = thrown(() => opt.update({ dense: { kernel: zeros([2, 3]) } } as never, state, params));
    expect(missing).toBeInstanceOf(ShapeError);
    expect(missing.message).toBe('adam: grads.dense has keys {kernel} but params.dense has keys {kernel, bias}');
    const list = thrown(() => sgd().update([zeros([1])], sgd().init([zeros([1]), zeros([1])]), [zeros([1]), zeros([1])]));
    expect(list.message).toBe('sgd: grads has 1 entries but params has 2');
    const kind = thrown(() => sgd().update({ w: [zeros([1])] } as never, sgd().init({ w: zeros([1]) }), { w: zeros([1]) }));
    expect(kind.message).toBe('sgd: grads.w is an array but params.w is a tensor');
    const dtype = thrown(() => sgd().update(zeros([2], 'float64'), sgd().init(zeros([2])), zeros([2])));
    expect(dtype).toBeInstanceOf(ValueError);
    expect(dtype.message).toBe('sgd: grads is float64 but params is float32 (leaf 0)');
  });

  it('a state from another optimizer or other params', () => {
    const p = { w: zeros([2]) };
    const error = thrown(() => adam().update(p, momentum().init(p), p));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe("adam: the state has slots {velocity} but this optimizer uses {m, v} (was the state made by another optimizer's init?)");
    const other = thrown(() => adam().update(p, adam().init({ w: zeros([3]) }), p));
    expect(other.message).toBe('adam: state.slots.m.w has shape [3] but params.w has shape [2] (leaf 0)');
    const step = thrown(() => adam().update(p, { step: -1, slots: {} } as OptimizerState, p));
    expect(step.message).toBe('adam: state.step must be a non-negative integer, got -1');
    expect(thrown(() => adam().init({ w: 3 } as never)).message).toMatch(/^adam: params\.w: expected a tensor/);
  });

  it('every error is a SemiflowError', () => {
    for (const fn of [() => sgd({ learningRate: Number.NaN }), () => getOptimizer('nadam'), () => sgd({ lr: 1 } as never)]) {
      expect(thrown(fn)).toBeInstanceOf(SemiflowError);
    }
  });
});

describe('getOptimizer', () => {
  it('knows sgd, momentum, rmsprop, adam and adamw, case-insensitively, with Keras defaults', () => {
    expect(optimizerNames).toEqual(['sgd', 'momentum', 'rmsprop', 'adam', 'adamw']);
    for (const name of optimizerNames) expect(getOptimizer(name).name).toBe(name);
    expect(getOptimizer('Adam').name).toBe('adam');
    expect(getOptimizer('RMSprop').config).toMatchObject({ learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false });
    expect(getOptimizer('SGD').config).toMatchObject({ learningRate: 0.01, momentum: 0, nesterov: false });
    expect(getOptimizer('momentum').config).toMatchObject({ learningRate: 0.01, momentum: 0.9 });
    expect(getOptimizer('adamw').config).toMatchObject({ learningRate: 0.001, weightDecay: 0.004 });
  });

  it('returns an optimizer object as it is', () => {
    const opt = adam({ learningRate: 0.1 });
    expect(getOptimizer(opt)).toBe(opt);
  });

  it('an unknown name lists the valid ones, and says where', () => {
    const error = thrown(() => getOptimizer('adagrad'));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe("compile: unknown optimizer 'adagrad' (expected one of sgd, momentum, rmsprop, adam, adamw, or an optimizer object)");
    expect(thrown(() => getOptimizer('__proto__', 'model.compile')).message).toMatch(/^model\.compile: unknown optimizer '__proto__'/);
    expect(thrown(() => getOptimizer(42 as never)).message).toBe(
      'compile: expected an optimizer name (sgd, momentum, rmsprop, adam, adamw) or an optimizer object, got number 42',
    );
  });
});

describe('the training state is an immutable tree updated with immer', () => {
  const setup = () => {
    const optimizer = adam({ learningRate: 0.1 });
    const params = { dense: { kernel: f64([1, 2, 3, 4], [2, 2]), bias: f64([0, 0]) } };
    const grads = { dense: { kernel: f64([1, -1, 1, -1], [2, 2]), bias: f64([0.5, 0.5]) } };
    return { optimizer, params, grads, state: createTrainState(params, optimizer, 7) };
  };

  it('createTrainState starts at step 0, frozen, and leaves the caller\'s params object alone', () => {
    const { params, state } = setup();
    expect(state.step).toBe(0);
    expect(state.seed).toBe(7);
    expect(state.optimizerState.step).toBe(0);
    expect(state.params.dense.kernel).toBe(params.dense.kernel);
    expect(Object.isFrozen(state)).toBe(true);
    expect(Object.isFrozen(state.params.dense)).toBe(true);
    expect(Object.isFrozen(params.dense)).toBe(false);
    expect(thrown(() => createTrainState(params, adam(), Number.NaN)).message).toBe('createTrainState: seed must be an integer with |seed| < 2^53, got number NaN');
  });

  it('applyGradients leaves the old state unchanged and returns a new frozen one', () => {
    const { optimizer, grads, state } = setup();
    const oldKernel = state.params.dense.kernel;
    const oldValues = Array.from(oldKernel.data);
    const next = applyGradients(state, grads, optimizer);
    expect(state.step).toBe(0);
    expect(state.params.dense.kernel).toBe(oldKernel);
    expect(Array.from(state.params.dense.kernel.data)).toEqual(oldValues);
    expect(next.step).toBe(1);
    expect(next.seed).toBe(7);
    expect(next.optimizerState.step).toBe(1);
    expect(next.params.dense.kernel).not.toBe(oldKernel);
    expectClose(next.params.dense.kernel.data, [0.9, 2.1, 2.9, 4.1], 1e-6);
    expect(Object.isFrozen(next)).toBe(true);
    expect(Object.isFrozen(next.params)).toBe(true);
    expect(Object.isFrozen(next.params.dense)).toBe(true);
    expect(Object.isFrozen(next.optimizerState.slots.m)).toBe(true);
  });

  it('a kept reference to an old state is a valid snapshot to go on from', () => {
    const { optimizer, grads, state } = setup();
    const s1 = applyGradients(state, grads, optimizer);
    const kept = Array.from(s1.params.dense.kernel.data);
    let s = s1;
    for (let i = 0; i < 5; i++) s = applyGradients(s, grads, optimizer);
    expect(s.step).toBe(6);
    expect(Array.from(s1.params.dense.kernel.data)).toEqual(kept);
    // Going on from the snapshot replays the same steps exactly.
    let replay = s1;
    for (let i = 0; i < 5; i++) replay = applyGradients(replay, grads, optimizer);
    expect(snapshot(replay.params)).toEqual(snapshot(s.params));
  });

  it('immer treats tensors as opaque leaves: it neither drafts nor freezes them', () => {
    const { optimizer, grads, state } = setup();
    const kernel = state.params.dense.kernel;
    expect(isDraftable(kernel)).toBe(false);
    let seen: unknown;
    const same = produce(state, (draft) => {
      seen = draft.params.dense.kernel;
    });
    expect(isDraft(seen)).toBe(false);
    expect(seen).toBe(kernel);
    expect(same).toBe(state);
    const next = applyGradients(state, grads, optimizer);
    expect(next.params.dense.kernel).toBeInstanceOf(Tensor);
    expect(Object.isFrozen(next.params.dense.kernel)).toBe(false);
    expect(Object.isFrozen(kernel)).toBe(false);
  });
});
