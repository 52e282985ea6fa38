// jvp over the spec table: for every primitive and op with a checked gradient, forward mode (the vjp transposed)
// satisfies ⟨J·t, c⟩ = ⟨t, Jᵀ·c⟩ with the reverse-mode gradient that test/op-sweep.test.ts checks numerically.
// A rule that is not linear in its cotangent, or that computes with it outside the ops, fails here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jvp, randomNormal, vjp } from 'semiflow';
import type { Tensor } from 'semiflow';
import { specs } from './specs/index.ts';

/** A fifth of the op sweep's runs: the gradient itself is checked there. */
const RUNS = Math.max(1, Math.round(Number(process.env.SEMIFLOW_SWEEP_RUNS ?? 50) / 5));

const checked = Object.entries(specs).filter(([, spec]) => spec.gradient === 'checked');

describe.each(checked)('%s', (name, spec) => {
  // cast's cases go through float32 and back: forward and reverse mode round there, on different vectors.
  const tolerance = name === 'cast' ? 2 ** -23 : 1e-10;
  it(`has a jvp that is the adjoint of its vjp (${RUNS} runs)`, () => {
    fc.assert(fc.property(spec.cases, fc.nat(), (c, seed) => {
      const f = (xs: Tensor[]) => c.run(...xs);
      const tangents = c.inputs.map((x, i) => randomNormal(x.shape, { seed: seed + i + 1, dtype: 'float64' }));
      const { value, tangent } = jvp(f, c.inputs, tangents);
      const cotangent = randomNormal(value.shape, { seed, dtype: 'float64' });
      const pulled = vjp(f, c.inputs).backward(cotangent);
      const forward = products(tangent, cotangent);
      const reverse = c.inputs.map((_, i) => products(tangents[i], pulled[i]));
      const rhs = reverse.reduce((s, p) => s + p.sum, 0);
      // Rounding: relative to the products summed, plus an absolute part for the intermediates, which scale with
      // ‖t‖·‖c‖ even where J·t cancels to almost nothing (softmax of logits ±1e4, whose J·t is 1e-7).
      const scale = forward.abs + reverse.reduce((s, p) => s + p.abs, 0);
      const sizes = norm(tangents) * norm([cotangent]);
      expect(Math.abs(forward.sum - rhs), `⟨J·t, c⟩ = ${forward.sum}, ⟨t, Jᵀ·c⟩ = ${rhs}`).toBeLessThanOrEqual(tolerance * scale + 1e-12 * sizes);
    }), { numRuns: RUNS });
  });
});

/** Σ aᵢbᵢ and Σ |aᵢbᵢ|. */
function products(a: Tensor, b: Tensor): { sum: number; abs: number } {
  let sum = 0;
  let abs = 0;
  a.storage.forEach((v, i) => {
    sum += v * b.storage[i];
    abs += Math.abs(v * b.storage[i]);
  });
  return { sum, abs };
}

/** The euclidean norm of all the values of some tensors. */
function norm(ts: readonly Tensor[]): number {
  return Math.sqrt(ts.reduce((s, t) => s + products(t, t).sum, 0));
}
