// The conventions that follow Keras, PyTorch and TF (issue 12, point 8), each pinned by a value that the old one missed.
import { describe, expect, it } from 'vitest';
import {
  abs, erf, erfc, gelu, grad, hardSigmoid, meanAbsoluteError, MaxPooling2D, pow, relu, relu6, sum, tensor,
} from 'semiflow';
import type { Tensor } from 'semiflow';
import { erfcReference } from './specs/erf-reference.ts';

const f64 = (values: number[]) => tensor(values, [values.length], 'float64');
const gradAt = (f: (x: Tensor) => Tensor, values: number[]) => Array.from(grad((x: Tensor) => sum(f(x)))(f64(values)).storage);

describe('erf and gelu', () => {
  // erf to 20 digits, from 200-bit arithmetic (mpmath).
  const ERF: [number, number][] = [
    [1e-8, 1.1283791670955125599e-8], [0.1, 0.1124629160182848984], [0.5, 0.52049987781304653768],
    [1, 0.84270079294971486934], [1.5, 0.96610514647531072707], [2, 0.99532226501895273416],
    [2.5, 0.99959304798255504106], [3, 0.99997790950300141456], [4, 0.99999998458274209972],
    [5, 0.99999999999846254021], [-0.7, -0.67780119383741844228], [-3.3, -0.99999694229020356183],
  ];

  it('erf is within 1e-15 relative in float64, and float32 rounds that value', () => {
    const y = erf(f64(ERF.map(([x]) => x)));
    ERF.forEach(([, exact], i) => expect(Math.abs(y.storage[i] - exact)).toBeLessThanOrEqual(1e-15 * Math.abs(exact)));
    const x32 = tensor(ERF.map(([x]) => x));
    expect(Array.from(erf(x32).storage)).toEqual(Array.from(erf(x32.cast('float64')).storage, Math.fround));
    expect(erf(f64([0, -0, Infinity, -Infinity, 7])).toArray()).toEqual([0, -0, 1, -1, 1]);
    expect(Number.isNaN(erf(f64([NaN])).item())).toBe(true);
  });

  it('erfc keeps its digits where 1 − erf x cancels, and gelu keeps them for x ≪ 0 through it', () => {
    // Against 512-bit and wider arithmetic (test/specs/erf-reference.ts), including erfc(10) ≈ 2·10⁻⁴⁵ where 1 − erf is 0.
    const xs = [-6, -2.5, -1, -0.3, 0, 0.4, 1, 2.48, 4, 10, 26];
    const y = erfc(f64(xs));
    xs.forEach((x, i) => expect(Math.abs(y.storage[i] - erfcReference(x))).toBeLessThanOrEqual(2e-15 * erfcReference(x)));
    expect(1 - erf(f64([10])).item()).toBe(0);
    // A loaded test run drew this input: through 1 + erf(x/√2) gelu was 2e-12 off, through erfc(−x/√2) it is not.
    const x = -3.4380811899900436;
    const exact = 0.5 * x * erfcReference(-x / Math.SQRT2);
    // erfc's 2e-15 plus three roundings of the products around it.
    expect(Math.abs(gelu(f64([x])).item() - exact)).toBeLessThanOrEqual(3e-15 * Math.abs(exact));
  });

  it("gelu is Keras's exact x·Φ(x), and the tanh form is gelu(x, { approximate: true })", () => {
    // x·Φ(x) with Φ(x) = (1 + erf(x/√2))/2: Φ(1) = 0.841344746068542948585, Φ(-1) = 0.158655253931457051415.
    const y = gelu(f64([1, -1, 0]));
    expect(y.storage[0]).toBeCloseTo(0.841344746068542948585, 15);
    expect(y.storage[1]).toBeCloseTo(-0.158655253931457051415, 15);
    expect(y.storage[2]).toBe(0);
    const tanhForm = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    const approximate = gelu(f64([1, -1]), { approximate: true });
    expect(approximate.storage[0]).toBeCloseTo(tanhForm(1), 14);
    expect(approximate.storage[1]).toBeCloseTo(tanhForm(-1), 14);
    expect(Math.abs(approximate.storage[0] - y.storage[0])).toBeGreaterThan(1e-5);
  });

  it("gelu's gradient is Φ(x) + x·φ(x)", () => {
    const phi = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    const Phi = [0.841344746068542948585, 0.158655253931457051415];
    const g = gradAt((x) => gelu(x), [1, -1]);
    expect(g[0]).toBeCloseTo(Phi[0] + phi(1), 14);
    expect(g[1]).toBeCloseTo(Phi[1] - phi(-1), 14);
  });
});

describe('gradients at kinks are 0, as relu has at 0', () => {
  it('relu, relu6 and hardSigmoid', () => {
    expect(gradAt(relu, [0])).toEqual([0]);
    expect(gradAt(relu6, [0, 6, 3, -1, 7])).toEqual([0, 0, 1, 0, 0]);
    expect(gradAt(hardSigmoid, [-3, 3, 0, -4, 4])).toEqual([0, 0, 1 / 6, 0, 0]);
  });

  it('abs has gradient 0 at ±0, so the mean absolute error is flat where a prediction equals its target', () => {
    expect(gradAt(abs, [0, -0, 2, -2])).toEqual([0, 0, 1, -1]);
    const yTrue = tensor([[1, 2, 3]], undefined, 'float64');
    const g = grad((yPred: Tensor) => meanAbsoluteError().compute(yTrue, yPred))(tensor([[1, 5, 0]], undefined, 'float64'));
    expect(Array.from(g.storage)).toEqual([0, 1 / 3, -1 / 3]);
  });
});

describe('MaxPooling2D', () => {
  it('splits the gradient of tied maxima equally (documented: PyTorch and TF give it to one)', () => {
    const layer = new MaxPooling2D(2);
    const x = tensor([5, 5, 1, 5], [1, 2, 2, 1], 'float64');
    const g = grad((t: Tensor) => sum(layer.apply(t)))(x);
    expect(Array.from(g.storage)).toEqual([1 / 3, 1 / 3, 0, 1 / 3]);
  });
});

describe('pow with a tensor exponent', () => {
  it('broadcasts the exponent, and names pow when the shapes do not fit', () => {
    const y = pow(tensor([[1, 2], [4, 9]], undefined, 'float64'), tensor([2, 0.5], undefined, 'float64'));
    expect(y.shape).toEqual([2, 2]);
    [1, Math.SQRT2, 16, 3].forEach((v, i) => expect(y.storage[i]).toBeCloseTo(v, 13));
    expect(() => pow(tensor([1, 2, 3]), tensor([1, 2]))).toThrow(/^pow: /);
  });
});
