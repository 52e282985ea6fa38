// The code of the README section "Writing a new op", run: each example and its property test, and a check that the
// README's code blocks are this file's code (or, for the primitive, lines of the library itself).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { abs, customGrad, expm1, grad, hessian, softplus, sum, tanh, tensor } from 'semiflow';
import { arbShape, arbTensor, assertGrad, checkGrad } from 'semiflow/testing';
import type { Tensor } from 'semiflow';
import { expectClose } from './close.ts';

// --- 1. A composite ---

/** log cosh x = |x| + softplus(−2|x|) − log 2: finite for any x, where log(cosh(x)) overflows past |x| ≈ 710. */
function logCosh(x: Tensor): Tensor {
  const a = abs(x);
  return a.add(softplus(a.mul(-2))).sub(Math.LN2);
}

// --- 2. A custom gradient ---

/** The same value with its own rule, d log cosh x = tanh x: one tanh and one product on the backward pass. */
const logCoshFast = customGrad('logCosh', (x: Tensor) => ({
  value: logCosh(x),
  vjp: (g) => [g.mul(tanh(x))],
}));

/** A planted mistake: the rule forgets to multiply by the cotangent g. */
const forgetsG = customGrad('logCosh', (x: Tensor) => ({
  value: logCosh(x),
  vjp: () => [tanh(x)],
}));

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Writing a new op'), readme.indexOf('## Errors and debugging'));

describe('README: writing a new op', () => {
  it('1. a composite: forward against log(cosh x), finite far out, and checkGrad over random shapes', () => {
    fc.assert(fc.property(arbShape().chain((s) => arbTensor(s, { min: -30, max: 30 })), (x) => {
      assertGrad(logCosh, x);
      const y = logCosh(x);
      x.storage.forEach((v, i) => expect(y.storage[i]).toBeCloseTo(Math.log(Math.cosh(v)), 12));
    }));
    expect(logCosh(tensor([1000, -1000], undefined, 'float64')).toArray()).toEqual([1000 - Math.LN2, 1000 - Math.LN2]);
    expect(Math.log(Math.cosh(1000))).toBe(Infinity);
  });

  it('2. a custom gradient: checkGrad accepts the rule, and its own derivative too', () => {
    fc.assert(fc.property(arbShape().chain((s) => arbTensor(s, { min: -30, max: 30 })), (x) => {
      assertGrad(logCoshFast, x);
      assertGrad(grad((t: Tensor) => sum(logCoshFast(t))), x); // the rule is written with ops: grad of grad works
    }));
    const x = tensor([0.5, -1, 2], undefined, 'float64');
    const h = hessian((t: Tensor) => sum(logCoshFast(t)))(x);
    const expected = [0.5, -1, 2].flatMap((v, i, all) => all.map((_, j) => (i === j ? 1 - Math.tanh(v) ** 2 : 0))); // diag(1 − tanh²x)
    expectClose(h, expected, 1e-14);
  });

  it('2. checkGrad catches the rule that forgets g, with the message the README shows', () => {
    const result = checkGrad(forgetsG, tensor([0.5, -1, 2], undefined, 'float64'));
    expect(result.ok).toBe(false);
    expect(result.inputs).toHaveLength(1);
    expect(result.worst.path).toBe('x');
    const shown = /```\n(gradient check failed for x: .*)\n```/.exec(section)?.[1];
    expect(shown, 'the README shows the message').toBeDefined();
    expectSameMessage(result.message, shown as string);
  });

  it('3. a primitive: expm1 against Math.expm1, checkGrad and grad of grad', () => {
    fc.assert(fc.property(arbShape().chain((s) => arbTensor(s)), (x) => {
      const y = expm1(x);
      x.storage.forEach((v, i) => expect(y.storage[i]).toBe(Math.expm1(v)));
      assertGrad(expm1, x);
      assertGrad(grad((t: Tensor) => sum(expm1(t))), x);
    }));
  });

  it("the README's code is this file's code, and its primitive lines are the library's", () => {
    const sources = ['test/writing-ops.test.ts', 'core/primitives.ts', 'core/prim-shapes.ts', 'core/kernels/elementwise.ts', 'core/kernels/index.ts', 'core/vjp.ts', 'core/ops/elementwise.ts', 'test/specs/elementwise.ts']
      .map((f) => readFileSync(join(import.meta.dirname, '..', f), 'utf8'))
      .join('\n');
    const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const line of blocks.flatMap((b) => b.split('\n')).map((l) => l.trim())) {
      if (line === '' || line.startsWith('import ') || line.startsWith('//') || line.startsWith('console.log(')) continue;
      expect(sources.includes(line), `README line not found in the code: ${line}`).toBe(true);
    }
  });
});

/** The same message up to the last digits of its numbers (libm may round differently elsewhere). */
function expectSameMessage(actual: string, expected: string): void {
  const numbers = /-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/g;
  expect(actual.replace(numbers, '#')).toBe(expected.replace(numbers, '#'));
  const a = actual.match(numbers) ?? [];
  const e = expected.match(numbers) ?? [];
  a.forEach((v, i) => expect(Math.abs(Number(v) - Number(e[i]))).toBeLessThanOrEqual(1e-9 * Math.abs(Number(e[i])) + 1e-300));
}
