import fc from 'fast-check';
import {
  abs, add, cast, clip, cos, div, equal, erf, erfc, exp, expm1, floor, greater, greaterEqual, less, lessEqual, log, log1p,
  maximum, minimum, mul, neg, pow, reciprocal, relu, round, sigmoid, sign, sin, softplus, sqrt, square, stopGradient,
  sub, tanh, tensor, where,
} from '../../index.ts';
import { arbBroadcastShapes, arbDistinctTensor, arbShape, arbTensor } from '../../testing.ts';
import type { Tensor } from '../../index.ts';
import type { ValueConstraints } from '../../testing.ts';
import { reluGrad, sigmoidGrad, tanhGrad } from '../../core/ops/activations.ts';
import { sizeOf } from '../../core/shape.ts';
import type { OpCase, OpSpec, SpecTable } from './spec.ts';
import { broadcastShape, elementwiseReference } from './spec.ts';
import { erfReference, erfcReference } from './erf-reference.ts';

type Fn = (...values: number[]) => number;

export function unaryCases(run: (x: Tensor) => Tensor, fn: Fn, values?: ValueConstraints): fc.Arbitrary<OpCase> {
  return arbShape().chain((shape) => arbTensor(shape, values)).map((x) => ({
    inputs: [x],
    run: (a) => run(a),
    reference: (a) => elementwiseReference([a], fn),
  }));
}

function binaryCases(run: (x: Tensor, y: Tensor) => Tensor, fn: Fn, right?: ValueConstraints): fc.Arbitrary<OpCase> {
  return arbBroadcastShapes()
    .chain(([s, t]) => fc.tuple(arbTensor(s), arbTensor(t, right)))
    .map(([x, y]) => ({
      inputs: [x, y],
      run: (a, b) => run(a, b),
      reference: (a, b) => elementwiseReference([a, b], fn),
    }));
}

/** Two broadcasting operands whose values are all pairwise apart, so maximum and minimum never meet a tie. */
function separatedCases(run: (x: Tensor, y: Tensor) => Tensor, fn: Fn): fc.Arbitrary<OpCase> {
  return arbBroadcastShapes()
    .chain(([s, t]) => {
      const n = sizeOf(s);
      return arbDistinctTensor([n + sizeOf(t)]).map((v) => [
        tensor(v.storage.slice(0, n), s, 'float64'),
        tensor(v.storage.slice(n), t, 'float64'),
      ]);
    })
    .map(([x, y]) => ({
      inputs: [x, y],
      run: (a, b) => run(a, b),
      reference: (a, b) => elementwiseReference([a, b], fn),
    }));
}

/** Halves and integers (ties of round, jumps of floor and sign) or any value, for the piecewise constant ops. */
function steppedCases(run: (x: Tensor) => Tensor, fn: Fn): fc.Arbitrary<OpCase> {
  const halves = (shape: number[]) => fc.array(fc.integer({ min: -9, max: 9 }), { minLength: sizeOf(shape), maxLength: sizeOf(shape) })
    .map((v) => tensor(v.map((k) => k / 2), shape, 'float64'));
  return arbShape().chain((shape) => fc.oneof(halves(shape), arbTensor(shape, { min: -5, max: 5 }))).map((x) => ({
    inputs: [x],
    run: (a) => run(a),
    reference: (a) => elementwiseReference([a], fn),
  }));
}

/** Round half to even, written out: the integer below, or above, or at a tie the even one of them. */
function roundHalfEven(v: number): number {
  const below = Math.floor(v);
  const rest = v - below;
  if (rest !== 0.5) return rest < 0.5 ? below : below + 1;
  return below % 2 === 0 ? below : below + 1;
}

/** Small integers, so that ties occur. */
export function arbIntTensor(shape: readonly number[], min: number, max: number): fc.Arbitrary<Tensor> {
  return fc.array(fc.integer({ min, max }), { minLength: sizeOf(shape), maxLength: sizeOf(shape) })
    .map((values) => tensor(values, shape, 'float64'));
}

function comparison(run: (x: Tensor, y: Tensor) => Tensor, fn: (u: number, v: number) => boolean): OpSpec {
  return {
    cases: arbBroadcastShapes()
      .chain(([s, t]) => fc.tuple(arbIntTensor(s, -2, 2), arbIntTensor(t, -2, 2)))
      .map(([x, y]) => ({
        inputs: [x, y],
        run: (a, b) => run(a, b),
        reference: (a, b) => elementwiseReference([a, b], (u, v) => (fn(u, v) ? 1 : 0)),
      })),
    gradient: 'zero',
  };
}

/** relu's vjp on its own: x kept away from relu's kink (its gradient is 0 there) and g, of one shape. */
const reluGradCases: fc.Arbitrary<OpCase> = arbShape()
  .chain((shape) => fc.tuple(arbTensor(shape, { avoid: [0] }), arbTensor(shape)))
  .map(([x, g]) => ({
    inputs: [x, g],
    run: (a, b) => reluGrad(a, b),
    reference: (a, b) => elementwiseReference([a, b], (u, v) => (u > 0 ? v : 0)),
  }));

/** sigmoid's and tanh's vjps on their own: polynomials in y and g, so any y and g of one shape. */
function activationGradCases(run: (y: Tensor, g: Tensor) => Tensor, fn: Fn): fc.Arbitrary<OpCase> {
  return arbShape()
    .chain((shape) => fc.tuple(arbTensor(shape), arbTensor(shape)))
    .map(([y, g]) => ({ inputs: [y, g], run: (a, b) => run(a, b), reference: (a, b) => elementwiseReference([a, b], fn) }));
}

/** Three mutually broadcasting shapes, in a random order. */
function arbBroadcastShapes3(): fc.Arbitrary<number[][]> {
  return arbBroadcastShapes().chain(([s, t]) => {
    const full = broadcastShape(s, t);
    return fc.tuple(
      fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
      fc.nat({ max: full.length }),
      fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }),
    ).map(([ones, dropped, order]) => {
      const shapes = [s, t, full.map((d, i) => (ones[i] ? 1 : d)).slice(dropped)];
      return order.map((i) => shapes[i]);
    });
  });
}

/**
 * Moderate values, large ones where exp(±x) underflows or overflows, or exact zeros, where the |x| inside the stable
 * formulas has its kink and the branches must still join smoothly.
 */
export function arbActivationInput(shape: readonly number[]): fc.Arbitrary<Tensor> {
  return fc.oneof(
    arbTensor(shape, { min: 0, max: 0 }),
    arbTensor(shape, { min: -4, max: 4 }),
    arbTensor(shape, { min: 10, max: 60 }),
    arbTensor(shape, { min: -60, max: -10 }),
    arbTensor(shape, { min: -1000, max: 1000 }),
  );
}

export function activationCases(run: (x: Tensor) => Tensor, fn: Fn): fc.Arbitrary<OpCase> {
  return arbShape().chain(arbActivationInput).map((x) => ({
    inputs: [x],
    run: (a) => run(a),
    reference: (a) => elementwiseReference([a], fn),
  }));
}

export const stableSigmoid = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
export const stableSoftplus = (v: number): number => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));

const INTEGER_POWERS = [0, 1, 2, 3, 4, 5, 7];
const NEGATIVE_POWERS = [-1, -2, -3, -4];
const FRACTIONAL_POWERS = [0.5, 1.5, -0.7, 0.3, 2.5, -1.5];

/** x^p with a tensor p broadcast against x: its domain is x > 0. */
const tensorPowCases = arbBroadcastShapes()
  .chain(([s, t]) => fc.tuple(arbTensor(s, { min: 0.1, max: 2.5 }), arbTensor(t, { min: -2, max: 2 })))
  .map(([x, p]): OpCase => ({
    inputs: [x, p],
    run: (a, b) => pow(a, b),
    reference: (a, b) => elementwiseReference([a, b], Math.pow),
    label: 'tensor p',
  }));

const numberPowCases = fc.oneof(
  fc.constantFrom(...INTEGER_POWERS).map((p) => ({ p, values: {} })),
  fc.constantFrom(...NEGATIVE_POWERS).map((p) => ({ p, values: { avoid: [0], gap: 0.25 } })),
  fc.constantFrom(...FRACTIONAL_POWERS).map((p) => ({ p, values: { min: 0.1, max: 2.5 } })),
).chain(({ p, values }) => arbShape().chain((shape) => arbTensor(shape, values)).map((x): OpCase => ({
  inputs: [x],
  run: (a) => pow(a, p),
  reference: (a) => elementwiseReference([a], (v) => Math.pow(v, p)),
  label: `p=${p}`,
})));

const powCases = fc.oneof(numberPowCases, tensorPowCases);

const clipCases = fc.tuple(fc.integer({ min: -6, max: 2 }), fc.integer({ min: 0, max: 6 }), arbShape())
  .chain(([lo4, width4, shape]) => {
    const lo = lo4 / 4;
    const hi = lo + width4 / 4;
    return arbTensor(shape, { min: -3, max: 3, avoid: [lo, hi], gap: 0.01 }).map((x): OpCase => ({
      inputs: [x],
      run: (a) => clip(a, lo, hi),
      reference: (a) => elementwiseReference([a], (v) => Math.min(Math.max(v, lo), hi)),
      label: `min=${lo} max=${hi}`,
    }));
  });

const whereCases = arbBroadcastShapes3()
  .chain(([c, s, t]) => fc.tuple(arbIntTensor(c, 0, 1), arbTensor(s), arbTensor(t)))
  .map(([c, x, y]): OpCase => ({
    inputs: [c, x, y],
    run: (k, a, b) => where(k, a, b),
    reference: (k, a, b) => elementwiseReference([k, a, b], (u, v, w) => (u !== 0 ? v : w)),
  }));

const SCALE = 2 ** 30;
// Round trip through the other dtype, so f64→f32 rounds (Math.fround) and f32→f64 is exact; |x| <= 2^-30 keeps the
// float32 steps far below checkGrad's ε = 1e-6, and the exact ×2^30 lifts the rounding above the forward atol.
const castCases = arbShape().chain((shape) => arbTensor(shape, { min: -1 / SCALE, max: 1 / SCALE })).map((x): OpCase => ({
  inputs: [x],
  run: (a) => mul(cast(cast(a, a.dtype === 'float64' ? 'float32' : 'float64'), a.dtype), SCALE),
  reference: (a) => elementwiseReference([a], (v) => Math.fround(v) * SCALE),
}));

export const elementwiseSpecs = {
  neg: { cases: unaryCases(neg, (v) => -v), gradient: 'checked', secondOrder: true },
  exp: {
    cases: arbShape().chain((shape) => arbTensor(shape)).map((x) => ({
      inputs: [x],
      run: (a) => exp(a),
      reference: (a) => elementwiseReference([a], Math.exp),
    })),
    gradient: 'checked',
    secondOrder: true,
  },
  log: { cases: unaryCases(log, Math.log, { min: 0.05, max: 5 }), gradient: 'checked', secondOrder: true },
  sqrt: { cases: unaryCases(sqrt, Math.sqrt, { min: 0.05, max: 5 }), gradient: 'checked', secondOrder: true },
  reciprocal: { cases: unaryCases(reciprocal, (v) => 1 / v, { avoid: [0], gap: 0.2 }), gradient: 'checked', secondOrder: true },
  expm1: { cases: unaryCases(expm1, Math.expm1), gradient: 'checked', secondOrder: true },
  log1p: { cases: unaryCases(log1p, Math.log1p, { min: -0.9, max: 3 }), gradient: 'checked', secondOrder: true },
  erf: { cases: activationCases(erf, erfReference), gradient: 'checked', secondOrder: true },
  erfc: { cases: activationCases(erfc, erfcReference), gradient: 'checked', secondOrder: true },
  sin: { cases: unaryCases(sin, Math.sin, { min: -7, max: 7 }), gradient: 'checked', secondOrder: true },
  cos: { cases: unaryCases(cos, Math.cos, { min: -7, max: 7 }), gradient: 'checked', secondOrder: true },
  floor: { cases: steppedCases(floor, Math.floor), gradient: 'zero' },
  round: { cases: steppedCases(round, roundHalfEven), gradient: 'zero' },
  sign: { cases: steppedCases(sign, (v) => (v > 0 ? 1 : v < 0 ? -1 : 0)), gradient: 'zero' },
  square: { cases: unaryCases(square, (v) => v * v), gradient: 'checked', secondOrder: true },
  abs: { cases: unaryCases(abs, Math.abs, { avoid: [0] }), gradient: 'checked', secondOrder: true },
  pow: { cases: powCases, gradient: 'checked', secondOrder: true },
  clip: { cases: clipCases, gradient: 'checked', secondOrder: true },
  add: {
    cases: arbBroadcastShapes()
      .chain(([s, t]) => fc.tuple(arbTensor(s), arbTensor(t)))
      .map(([x, y]) => ({
        inputs: [x, y],
        run: (a, b) => add(a, b),
        reference: (a, b) => elementwiseReference([a, b], (u, v) => u + v),
      })),
    gradient: 'checked',
    secondOrder: true,
  },
  sub: { cases: binaryCases(sub, (u, v) => u - v), gradient: 'checked', secondOrder: true },
  mul: { cases: binaryCases(mul, (u, v) => u * v), gradient: 'checked', secondOrder: true },
  div: { cases: binaryCases(div, (u, v) => u / v, { avoid: [0], gap: 0.2 }), gradient: 'checked', secondOrder: true },
  maximum: { cases: separatedCases(maximum, Math.max), gradient: 'checked', secondOrder: true },
  minimum: { cases: separatedCases(minimum, Math.min), gradient: 'checked', secondOrder: true },
  less: comparison(less, (u, v) => u < v),
  lessEqual: comparison(lessEqual, (u, v) => u <= v),
  greater: comparison(greater, (u, v) => u > v),
  greaterEqual: comparison(greaterEqual, (u, v) => u >= v),
  equal: comparison(equal, (u, v) => u === v),
  where: { cases: whereCases, gradient: 'checked', secondOrder: true },
  relu: { cases: unaryCases(relu, (v) => Math.max(v, 0), { avoid: [0] }), gradient: 'checked', secondOrder: true },
  reluGrad: { cases: reluGradCases, gradient: 'checked', secondOrder: true },
  sigmoidGrad: { cases: activationGradCases(sigmoidGrad, (y, g) => g * y * (1 - y)), gradient: 'checked', secondOrder: true },
  tanhGrad: { cases: activationGradCases(tanhGrad, (y, g) => g * (1 - y * y)), gradient: 'checked', secondOrder: true },
  sigmoid: { cases: activationCases(sigmoid, stableSigmoid), gradient: 'checked', secondOrder: true },
  tanh: { cases: activationCases(tanh, Math.tanh), gradient: 'checked', secondOrder: true },
  softplus: { cases: activationCases(softplus, stableSoftplus), gradient: 'checked', secondOrder: true },
  stopGradient: { cases: unaryCases(stopGradient, (v) => v), gradient: 'zero' },
  // f rounds x ± εt to float32, so the difference carries up to 2⁻²⁴ · Σ|gₖ·tₖ| of rounding: twice that is allowed.
  cast: { cases: castCases, gradient: 'checked', secondOrder: true, gradOptions: { termTol: 2 ** -23 } },
} satisfies Partial<SpecTable>;
