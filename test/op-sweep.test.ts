// One property sweep over the spec table: every primitive and every composite op, forward against a naive
// reference in float64 and float32, the gradient through checkGrad, and grad-of-grad for the smooth ops.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, flatten, grad, leaves, mul, randomNormal, sum, vjp } from 'semiflow';
import { checkGrad } from 'semiflow/testing';
import type { Tensor } from 'semiflow';
import { specs } from './specs/index.ts';
import type { OpCase, Reference } from './specs/spec.ts';

/** 50 in CI; set SEMIFLOW_SWEEP_RUNS higher to hunt for rare failures. */
const RUNS = Number(process.env.SEMIFLOW_SWEEP_RUNS ?? 50);

function expectClose(actual: Tensor, expected: Reference, rtol: number, atol: number, what: string): void {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  for (let i = 0; i < actual.size; i++) {
    const a = actual.storage[i];
    const e = expected.values[i];
    const close = Number.isNaN(e) ? Number.isNaN(a) : a === e || Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!close) expect.fail(`${what}: element ${i} is ${a}, reference ${e}`);
  }
}

const describeCase = (c: OpCase): string => `${c.label ?? ''} inputs ${c.inputs.map((t) => JSON.stringify(t.shape)).join(' ')}`;

/** ⟨op(x), c⟩'s gradient, flattened and joined: a single tensor whose own gradient checkGrad can test. */
function gradientOf(run: OpCase['run'], cotangent: Tensor) {
  return (xs: Tensor[]): Tensor => {
    const g = grad((ys: Tensor[]) => sum(mul(run(...ys), cotangent)))(xs);
    return concat(leaves(g).map((t) => flatten(t)));
  };
}

describe.each(Object.entries(specs))('%s', (_name, spec) => {
  it(`matches its naive reference in float64 and float32 (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(spec.cases, (c) => {
        const out = c.run(...c.inputs);
        expect(out.dtype).toBe('float64');
        expectClose(out, c.reference(...c.inputs), 1e-10, 1e-10, `float64 ${describeCase(c)}`);
        const inputs32 = c.inputs.map((t) => t.cast('float32'));
        const out32 = c.run(...inputs32);
        expect(out32.dtype).toBe('float32');
        expectClose(out32, c.reference(...inputs32.map((t) => t.cast('float64'))), 1e-4, 1e-5, `float32 ${describeCase(c)}`);
      }),
      { numRuns: RUNS },
    );
  });

  if (spec.gradient === 'checked') {
    it(`has a gradient that checkGrad accepts (${RUNS} runs)`, () => {
      fc.assert(
        fc.property(spec.cases, fc.nat(), (c, seed) => {
          const result = checkGrad((xs: Tensor[]) => c.run(...xs), c.inputs, { ...spec.gradOptions, seed });
          expect(result.ok, `${result.message} — ${describeCase(c)}`).toBe(true);
        }),
        { numRuns: RUNS },
      );
    });

    it(`computes the same gradient in float32 as in float64 (${RUNS} runs)`, () => {
      fc.assert(
        fc.property(spec.cases, fc.nat(), (c, seed) => {
          const inputs32 = c.inputs.map((t) => t.cast('float32'));
          const pullback = (xs: Tensor[]) => {
            const { value, backward } = vjp((ys: Tensor[]) => c.run(...ys), xs);
            return leaves(backward(randomNormal(value.shape, { seed, dtype: value.dtype })));
          };
          const grads32 = pullback(inputs32);
          const grads64 = pullback(inputs32.map((t) => t.cast('float64')));
          grads32.forEach((g32, i) => {
            expect(g32.dtype).toBe('float32');
            const scale = Math.max(1, ...Array.from(grads64[i].storage, Math.abs));
            const worst = Math.max(0, ...Array.from(g32.storage, (v, k) => Math.abs(v - grads64[i].storage[k])));
            expect(worst, `input ${i}: float32 gradient is off by ${worst} (scale ${scale}) — ${describeCase(c)}`).toBeLessThanOrEqual(1e-3 * scale);
          });
        }),
        { numRuns: RUNS },
      );
    });
  } else {
    it('has an exactly zero gradient', () => {
      fc.assert(
        fc.property(spec.cases, (c) => {
          const { value, backward } = vjp((xs: Tensor[]) => c.run(...xs), c.inputs);
          for (const g of leaves(backward(randomNormal(value.shape, { seed: 1, dtype: value.dtype })))) {
            expect(Array.from(g.storage).every((v) => v === 0)).toBe(true);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }

  if (spec.secondOrder === true) {
    it(`has a second derivative that checkGrad accepts (${RUNS} runs)`, () => {
      fc.assert(
        fc.property(spec.cases, fc.nat(), (c, seed) => {
          const out = c.run(...c.inputs);
          const cotangent = randomNormal(out.shape, { seed, dtype: 'float64' });
          const result = checkGrad(gradientOf(c.run, cotangent), c.inputs, { ...spec.gradOptions, seed: seed + 1 });
          expect(result.ok, `${result.message} — ${describeCase(c)}`).toBe(true);
        }),
        { numRuns: RUNS },
      );
    });
  }
});
