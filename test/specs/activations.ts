import fc from 'fast-check';
import { elu, gelu, hardSigmoid, leakyRelu, mish, relu6, selu, softsign, swish } from '../../index.ts';
import { arbShape, arbTensor } from '../../testing.ts';
import type { Tensor } from '../../index.ts';
import { activationCases, stableSigmoid, stableSoftplus, unaryCases } from './elementwise.ts';
import { erfcReference } from './erf-reference.ts';
import type { OpCase, SpecTable } from './spec.ts';
import { elementwiseReference } from './spec.ts';

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const eluOf = (v: number, alpha: number): number => (v > 0 ? v : alpha * Math.expm1(v));

/** Inputs kept `gap` away from a kink at 0, moderate or large enough that exp(x) underflows. */
function awayFromZero(shape: readonly number[]): fc.Arbitrary<Tensor> {
  return fc.oneof(arbTensor(shape, { min: -4, max: 4, avoid: [0] }), arbTensor(shape, { min: -60, max: -10 }), arbTensor(shape, { min: 10, max: 60 }));
}

/** An activation with one parameter drawn from `values`, on inputs away from its kink at 0. */
function withParameter(run: (x: Tensor, p: number) => Tensor, fn: (v: number, p: number) => number, values: number[]): fc.Arbitrary<OpCase> {
  return fc.tuple(fc.constantFrom(...values), arbShape().chain(awayFromZero)).map(([p, x]) => ({
    inputs: [x],
    run: (a) => run(a, p),
    reference: (a) => elementwiseReference([a], (v) => fn(v, p)),
    label: `alpha=${p}`,
  }));
}

const geluExact = (v: number): number => 0.5 * v * erfcReference(-v / Math.SQRT2);
const geluTanh = (v: number): number => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));

const geluCases = fc.boolean().chain((approximate) => activationCases((x) => gelu(x, { approximate }), approximate ? geluTanh : geluExact)
  .map((c): OpCase => ({ ...c, label: `approximate=${approximate}` })));

export const activationSpecs = {
  elu: { cases: withParameter(elu, eluOf, [1, 0.5, 2, 0.1]), gradient: 'checked', secondOrder: true },
  selu: { cases: withParameter(selu, (v) => SELU_SCALE * eluOf(v, SELU_ALPHA), [SELU_ALPHA]), gradient: 'checked', secondOrder: true },
  leakyRelu: { cases: withParameter(leakyRelu, (v, a) => (v > 0 ? v : a * v), [0.2, 0.3, 0.01, -0.5]), gradient: 'checked', secondOrder: true },
  relu6: { cases: unaryCases(relu6, (v) => Math.min(Math.max(v, 0), 6), { min: -2, max: 8, avoid: [0, 6] }), gradient: 'checked', secondOrder: true },
  hardSigmoid: {
    cases: unaryCases(hardSigmoid, (v) => Math.min(Math.max(v / 6 + 0.5, 0), 1), { min: -5, max: 5, avoid: [-3, 3] }),
    gradient: 'checked',
    secondOrder: true,
  },
  gelu: { cases: geluCases, gradient: 'checked', secondOrder: true },
  swish: { cases: activationCases(swish, (v) => v * stableSigmoid(v)), gradient: 'checked', secondOrder: true },
  mish: { cases: activationCases(mish, (v) => v * Math.tanh(stableSoftplus(v))), gradient: 'checked', secondOrder: true },
  softsign: { cases: unaryCases(softsign, (v) => v / (1 + Math.abs(v)), { min: -5, max: 5, avoid: [0] }), gradient: 'checked', secondOrder: true },
} satisfies Partial<SpecTable>;
