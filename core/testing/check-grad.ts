import { vjp } from '../autodiff.ts';
import { concat, flatten } from '../ops/index.ts';
import { randomNormal } from '../creation.ts';
import { GradientError, ValueError, describeValue } from '../errors.ts';
import { Rng } from '../random.ts';
import { unravelIndex } from '../shape.ts';
import { noGrad } from '../tape.ts';
import { Tensor } from '../tensor.ts';
import type { Tree } from '../tree.ts';
import { leafPaths, leaves, mapTree, rebuild } from '../tree.ts';

export interface CheckGradOptions {
  /** Step of the central difference. */
  eps?: number;
  /**
   * Pass when |analytic − numeric| <= atol + rtol · max(|analytic|, |numeric|) + termTol · Σ|gₖ·tₖ| + the rounding
   * error of the difference itself (6 · 2⁻⁵² · Σ|f(x)ⱼ·cⱼ| / ε). The numeric side is the central difference at ε and
   * 2ε extrapolated (Richardson), so its truncation error is O(ε⁴). Defaults 1e-8, 1e-6 and 1e-10: a gradient 1e-5
   * off fails. The op sweep's worst honest error was 2e-8 relative (282,000 checks).
   */
  atol?: number;
  rtol?: number;
  /**
   * Tolerance relative to the sum of the projection's absolute terms, for errors that scale with the terms rather than
   * with their (possibly cancelling) sum: a function that rounds to float32 inside needs about 2⁻²³.
   */
  termTol?: number;
  /** Seeds the random cotangent and directions. */
  seed?: number;
  /** On a failure, the largest input whose elements are checked one by one to find the worst. */
  maxElementChecks?: number;
}

export interface InputReport {
  /** Where the input sits in the tree, like `x[1].kernel`. */
  path: string;
  analytic: number;
  numeric: number;
  error: number;
  tolerance: number;
}

export interface ElementReport {
  path: string;
  index: number[];
  analytic: number;
  numeric: number;
}

export interface GradCheckResult {
  ok: boolean;
  /** The input whose error is largest relative to its tolerance. */
  worst: InputReport;
  inputs: InputReport[];
  /** Present on failure: the element of the worst input whose gradient is furthest off. */
  worstElement?: ElementReport;
  message: string;
}

/**
 * Checks f's reverse-mode gradient numerically, in float64, by random projection:
 * for a random cotangent c and a random direction t per input,
 * ⟨vjp(c), t⟩ must match the central difference (⟨f(x + εt), c⟩ − ⟨f(x − εt), c⟩) / 2ε, extrapolated from ε and 2ε,
 * where t is taken as the step that the rounded x ± εt really make.
 * f may return a tensor or a tree of them. Its cost is four evaluations of f per input, whatever the input sizes.
 */
export function checkGrad<T extends Tree>(fn: (x: T) => Tree, inputs: T, options: CheckGradOptions = {}): GradCheckResult {
  if (typeof fn !== 'function') throw new ValueError(`checkGrad: fn must be a function of the inputs, got ${describeValue(fn)}`);
  const { eps = 1e-6, atol = 1e-8, rtol = 1e-6, termTol = 1e-10, seed = 0, maxElementChecks = 512 } = options;
  const rng = new Rng(seed);
  const x = mapTree(inputs, (t) => t.cast('float64'));
  const paths = leafPaths(x, 'x');
  // Several outputs are checked as one: their values joined into a single vector.
  const f = (tree: T): Tensor => concat(leaves(fn(tree), 'checkGrad: output').map((t) => flatten(t.cast('float64'))));
  const { value, backward } = vjp(f, x);
  const cotangent = randomNormal(value.shape, { seed: rng, dtype: 'float64' });
  const analyticGrads = leaves(backward(cotangent));
  // Each difference rounds by up to 4·2⁻⁵²·Σ|fⱼcⱼ|/h; the extrapolation's (4·D(ε) − D(2ε))/3 by (4 + 1/2)/3 = 1.5 times that at ε.
  const roundoff = (6 * Number.EPSILON * sumAbsProduct(value.storage, cotangent.storage)) / eps;
  const evaluate = (tree: T): ArrayLike<number> => noGrad(() => f(tree).storage);
  // ⟨f(x⁺) − f(x⁻), c⟩, differences first: a dot product of each side would add its own rounding, n·2⁻⁵³·Σ|fⱼcⱼ| at worst.
  const projectedDifference = (plus: T, minus: T): number => dotDifference(evaluate(plus), evaluate(minus), cotangent.storage);

  const reports = leaves(x).map((input, i): InputReport => {
    const direction = randomNormal(input.shape, { seed: rng, dtype: 'float64' }).storage as Float64Array;
    const g = analyticGrads[i].storage;
    // The central difference at step h, and t projected on the step actually taken, (x+ht) − (x−ht) after rounding,
    // so large inputs add no error of their own.
    const central = (h: number) => {
      const plus = axpy(h, direction, input.storage, input.shape);
      const minus = axpy(-h, direction, input.storage, input.shape);
      const step = stepTaken(plus.storage, minus.storage, h);
      return { numeric: projectedDifference(replaceLeaf(x, i, plus), replaceLeaf(x, i, minus)) / (2 * h), analytic: dot(g, step), terms: sumAbsProduct(g, step) };
    };
    // Richardson: D(h) = ⟨∇f, t⟩ + h²·(t·∇)³f/6 + O(h⁴), so (4·D(ε) − D(2ε))/3 leaves O(ε⁴). Without it, a steep
    // function (x^−1.5 near 0.1) had a truncation error of the size of the tolerance.
    const near = central(eps);
    const far = central(2 * eps);
    const numeric = (4 * near.numeric - far.numeric) / 3;
    const analytic = (4 * near.analytic - far.analytic) / 3;
    const terms = (4 * near.terms + far.terms) / 3;
    const tolerance = atol + rtol * Math.max(Math.abs(analytic), Math.abs(numeric)) + termTol * terms + roundoff;
    return { path: paths[i], analytic, numeric, error: Math.abs(analytic - numeric), tolerance };
  });
  const worst = reports.reduce((a, b) => (b.error / b.tolerance > a.error / a.tolerance ? b : a));
  const ok = reports.every((r) => r.error <= r.tolerance);
  if (ok) return { ok, worst, inputs: reports, message: `gradient check passed (worst input ${worst.path}: error ${worst.error.toExponential(2)} <= ${worst.tolerance.toExponential(2)})` };

  const index = reports.indexOf(worst);
  const worstElement = leaves(x)[index].size <= maxElementChecks ? findWorstElement(x, index, analyticGrads[index], projectedDifference, eps, worst.path) : undefined;
  const where = worstElement
    ? `; worst element ${worstElement.path}[${worstElement.index.join(',')}]: analytic ${worstElement.analytic}, numeric ${worstElement.numeric}`
    : '';
  const message = `gradient check failed for ${worst.path}: ⟨vjp, t⟩ = ${worst.analytic}, finite difference = ${worst.numeric} (error ${worst.error.toExponential(2)} > tolerance ${worst.tolerance.toExponential(2)})${where}`;
  return { ok, worst, inputs: reports, worstElement, message };
}

/** checkGrad that throws a GradientError with the report's message on failure. */
export function assertGrad<T extends Tree>(f: (x: T) => Tree, inputs: T, options?: CheckGradOptions): void {
  const result = checkGrad(f, inputs, options);
  if (!result.ok) throw new GradientError(result.message);
}

/** Central differences one element at a time, to point at the element that is wrong. */
function findWorstElement<T extends Tree>(
  x: T, index: number, grad: Tensor, projectedDifference: (plus: T, minus: T) => number, eps: number, path: string,
): ElementReport {
  const input = leaves(x)[index];
  let best: ElementReport = { path, index: [], analytic: 0, numeric: 0 };
  let bestError = -1;
  for (let k = 0; k < input.size; k++) {
    const unit = new Float64Array(input.size);
    unit[k] = 1;
    const plus = axpy(eps, unit, input.storage, input.shape);
    const minus = axpy(-eps, unit, input.storage, input.shape);
    const numeric = projectedDifference(replaceLeaf(x, index, plus), replaceLeaf(x, index, minus)) / (plus.storage[k] - minus.storage[k]);
    const error = Math.abs(numeric - grad.storage[k]);
    if (error > bestError) {
      bestError = error;
      best = { path, index: unravelIndex(k, input.shape), analytic: grad.storage[k], numeric };
    }
  }
  return best;
}

/** ((x + εt) − (x − εt)) / 2ε, elementwise: t, up to the rounding of x ± εt. */
function stepTaken(plus: ArrayLike<number>, minus: ArrayLike<number>, eps: number): Float64Array {
  const step = new Float64Array(plus.length);
  for (let k = 0; k < plus.length; k++) step[k] = (plus[k] - minus[k]) / (2 * eps);
  return step;
}

function sumAbsProduct(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] * b[i]);
  return s;
}

/** ⟨a − b, c⟩. */
function dotDifference(a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < c.length; i++) s += (a[i] - b[i]) * c[i];
  return s;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** x + a·t as a new float64 tensor. */
function axpy(a: number, t: Float64Array, x: ArrayLike<number>, shape: readonly number[]): Tensor {
  const out = new Float64Array(t.length);
  for (let i = 0; i < t.length; i++) out[i] = x[i] + a * t[i];
  return new Tensor(out, shape);
}

function replaceLeaf<T extends Tree>(tree: T, index: number, replacement: Tensor): T {
  return rebuild(tree, leaves(tree).map((t, i) => (i === index ? replacement : t)));
}
