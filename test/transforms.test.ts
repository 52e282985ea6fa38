import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  exp, grad, hessian, hvp, jacobian, jvp, leaves, mapTree, matmul, max, mul, rebuild, relu, ShapeError, softplus,
  sum, tanh, tensor, ValueError, vjp,
} from 'semiflow';
import { arbBroadcastShapes, arbDistinctTensor, arbShape, arbTensor } from 'semiflow/testing';
import type { Tensor, Tree } from 'semiflow';
import { expectClose } from './close.ts';
import { thrown } from './thrown.ts';

const f64 = (values: number[], shape?: number[]) => tensor(values, shape, 'float64');
const RUNS = { numRuns: 30 };


const dot = (a: Tree, b: Tree) => leaves(a).reduce((s, t, i) => s + Array.from(t.storage).reduce((acc, v, k) => acc + v * leaves(b)[i].storage[k], 0), 0);

/** (f(x + εt) − f(x − εt)) / 2ε, leaf by leaf of the output: the directional derivative by central differences. */
function centralDifference<T extends Tree>(f: (x: T) => Tree, x: T, t: T, eps = 1e-6): number[][] {
  const shifted = (sign: number) => leaves(f(rebuild(x, leaves(x).map((xi, i) => xi.add(leaves(t)[i].mul(sign * eps))))));
  const plus = shifted(1);
  const minus = shifted(-1);
  return plus.map((p, i) => Array.from(p.storage, (v, k) => (v - minus[i].storage[k]) / (2 * eps)));
}

/** A smooth function of two broadcasting inputs with two outputs. */
const twoOutputs = ([a, b]: Tensor[]) => [softplus(mul(a, b)).add(tanh(a)), sum(exp(b).mul(b))];

describe('jvp', () => {
  it('matches closed forms: x·eˣ elementwise, tanh(X·W) in W', () => {
    const points = [-2, -0.5, 0, 1.5];
    const x = f64(points);
    const t = f64([1, -2, 0.5, 3]);
    const { value, tangent } = jvp((u: Tensor) => mul(u, exp(u)), x, t);
    expectClose(value, points.map((v) => v * Math.exp(v)));
    expectClose(tangent, points.map((v, i) => (1 + v) * Math.exp(v) * [1, -2, 0.5, 3][i]));

    const X = f64([1, 2, -1, 0.5, 0, 3], [3, 2]);
    const W = f64([0.2, -0.4, 0.1, 0.3], [2, 2]);
    const T = f64([1, 0, -1, 2], [2, 2]);
    const y = tanh(matmul(X, W));
    const expected = mul(y.square().neg().add(1), matmul(X, T));
    expectClose(jvp((w: Tensor) => tanh(matmul(X, w)), W, T).tangent, expected.storage);
  });

  it('takes and returns trees: the tangent of [a·b, Σa] is [ta·b + a·tb, Σta]', () => {
    const a = f64([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = f64([0.5, -1, 2]);
    const ta = f64([1, 0, 0, 0, 0, -1], [2, 3]);
    const tb = f64([0, 1, 0]);
    const { value, tangent } = jvp((p: { a: Tensor; b: Tensor }) => ({ prod: p.a.mul(p.b), total: sum(p.a) }), { a, b }, { a: ta, b: tb });
    expectClose(value.prod, a.mul(b).storage);
    expectClose(tangent.prod, ta.mul(b).add(a.mul(tb)).storage);
    expect(tangent.total.item()).toBe(0);
  });

  it('is the adjoint of vjp, ⟨J·t, c⟩ = ⟨t, Jᵀ·c⟩, and matches central differences, over broadcast shapes', () => {
    fc.assert(fc.property(arbBroadcastShapes({ maxRank: 3, maxDim: 4 }).chain(([sa, sb]) => fc.tuple(
      fc.tuple(arbTensor(sa), arbTensor(sb)), fc.tuple(arbTensor(sa), arbTensor(sb)),
    )), ([x, t]) => {
      const { value, tangent } = jvp(twoOutputs, x, t);
      const c = mapTree(value, (v) => tensor(Array.from(v.storage, (_, k) => Math.sin(k + 1)), v.shape, 'float64'));
      const pulled = vjp(twoOutputs, x).backward(c);
      expect(Math.abs(dot(tangent, c) - dot(t, pulled))).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(dot(t, pulled))));
      const fd = centralDifference(twoOutputs, x, t);
      leaves(tangent).forEach((tl, i) => expectClose(tl, fd[i], 1e-6));
    }), RUNS);
  });

  it('transposes the piecewise-linear rules too: relu and max', () => {
    // Distinct values (no ties for max) on the grid −2.025 + 0.05k + [0, 0.0125]: none within 0.0125 of relu's kink.
    fc.assert(fc.property(arbShape({ minRank: 1, maxRank: 3 }).chain((s) => fc.tuple(arbDistinctTensor(s, { min: -2.025 }), arbTensor(s))), ([x, t]) => {
      const f = (u: Tensor) => [relu(u), max(u, -1, true)];
      const fd = centralDifference(f, x, t, 1e-7);
      leaves(jvp(f, x, t).tangent).forEach((tl, i) => expectClose(tl, fd[i], 1e-6));
    }), RUNS);
  });

  it('nests: jvp of jvp is the second derivative along two tangents, and grad of a jvp is reverse over forward', () => {
    const points = [-1.5, 0, 0.8, 2];
    const x = f64(points);
    const t1 = f64([1, 2, -1, 0.5]);
    const t2 = f64([0.3, -1, 2, 1]);
    const f = (u: Tensor) => mul(u, exp(u)); // f″ = (2 + x)eˣ
    const second = jvp((u: Tensor) => jvp(f, u, t1).tangent, x, t2).tangent;
    expectClose(second, points.map((v, i) => (2 + v) * Math.exp(v) * t1.storage[i] * t2.storage[i]));
    const cube = (u: Tensor) => u.square().mul(u);
    expectClose(grad((u: Tensor) => sum(jvp(cube, u, t1).tangent))(x), points.map((v, i) => 6 * v * t1.storage[i]));
  });

  it('keeps float32 in float32', () => {
    const { value, tangent } = jvp((u: Tensor) => u.square(), tensor([1, 2]), tensor([1, 1]));
    expect([value.dtype, tangent.dtype]).toEqual(['float32', 'float32']);
    expect(tangent.toArray()).toEqual([2, 4]);
  });

  it('of a gradient is the Hessian-vector product: forward over reverse equals hvp', () => {
    const f = (p: Tensor[]) => sum(softplus(mul(p[0], p[1])).mul(p[0]));
    fc.assert(fc.property(arbBroadcastShapes({ maxRank: 2, maxDim: 4 }).chain(([sa, sb]) => fc.tuple(
      fc.tuple(arbTensor(sa), arbTensor(sb)), fc.tuple(arbTensor(sa), arbTensor(sb)),
    )), ([x, v]) => {
      const forwardOverReverse = jvp((p: Tensor[]) => grad(f)(p), x, v).tangent;
      const reverseOverReverse = hvp(f, x, v);
      leaves(forwardOverReverse).forEach((h, i) => expectClose(h, leaves(reverseOverReverse)[i].storage, 1e-10));
    }), RUNS);
  });
});

describe('hvp', () => {
  it('of ½xᵀAx is ½(A + Aᵀ)v', () => {
    const A = f64([2, 1, 0, -1, 3, 4, 0.5, 0, 1], [3, 3]);
    const x = f64([1, -2, 0.5]);
    const v = f64([0.3, 1, -1]);
    const result = hvp((u: Tensor) => sum(mul(u, matmul(A, u))).mul(0.5), x, v);
    expectClose(result, matmul(A.add(A.transpose()), v).mul(0.5).storage);
  });

  it('matches central differences of the gradient for a small network', () => {
    const data = f64([1, -1, 0.5, 2, 0, 1, -0.5, 0.3], [4, 2]);
    type P = { w: Tensor; b: Tensor };
    const loss = (p: P) => sum(tanh(matmul(data, p.w).add(p.b)).square());
    fc.assert(fc.property(fc.tuple(arbTensor([2, 3]), arbTensor([3]), arbTensor([2, 3]), arbTensor([3])), ([w, b, vw, vb]) => {
      const result = hvp(loss, { w, b }, { w: vw, b: vb });
      const fd = centralDifference((p: P) => grad(loss)(p), { w, b }, { w: vw, b: vb }, 1e-5);
      expectClose(result.w, fd[0], 1e-6);
      expectClose(result.b, fd[1], 1e-6);
    }), RUNS);
  });
});

describe('jacobian', () => {
  it('of A·x is A, of an elementwise function is diagonal, with shape [...out, ...in]', () => {
    const A = f64([1, 2, 3, 4, 5, 6], [2, 3]);
    const x = f64([0.5, -1, 2]);
    const J = jacobian((u: Tensor) => matmul(A, u))(x);
    expect(J.shape).toEqual([2, 3]);
    expectClose(J, A.storage);
    const D = jacobian((u: Tensor) => exp(u))(x);
    expectClose(D, [Math.exp(0.5), 0, 0, 0, Math.exp(-1), 0, 0, 0, Math.exp(2)]);
    expect(jacobian((m: Tensor) => m.square())(f64([1, 2, 3, 4], [2, 2])).shape).toEqual([2, 2, 2, 2]);
  });

  it('of trees: one block per output and input leaf, zeros where an output ignores an input', () => {
    const J = jacobian((p: { a: Tensor; b: Tensor }) => [p.a.mul(3), sum(p.a.square())])({ a: f64([1, 2]), b: f64([5, 6, 7]) });
    expect(J[0].a.toArray()).toEqual([[3, 0], [0, 3]]);
    expect(J[0].b.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(J[1].a.toArray()).toEqual([2, 4]);
    expect(J[1].b.shape).toEqual([3]);
  });

  it('matches central differences column by column, over random shapes', () => {
    fc.assert(fc.property(arbBroadcastShapes({ maxRank: 2, maxDim: 3 }).chain(([sa, sb]) => fc.tuple(arbTensor(sa), arbTensor(sb))), ([a, b]) => {
      const J = jacobian(twoOutputs)([a, b]);
      [a, b].forEach((input, j) => {
        for (let k = 0; k < input.size; k++) {
          const unit = [a, b].map((t, i) => tensor(Array.from(t.storage, (_, m) => (i === j && m === k ? 1 : 0)), t.shape, 'float64'));
          const column = centralDifference(twoOutputs, [a, b], unit);
          J.forEach((block, o) => {
            const n = input.size;
            expect(block[j].shape).toEqual([...leaves(twoOutputs([a, b]))[o].shape, ...input.shape]);
            const got = Array.from(block[j].storage).filter((_, m) => m % n === k);
            got.forEach((g, r) => expect(Math.abs(g - column[o][r])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(column[o][r]))));
          });
        }
      });
    }), { numRuns: 15 });
  });
});

describe('hessian', () => {
  it('of Σx³ is diag(6x), and of xᵀAx is A + Aᵀ', () => {
    const x = f64([1, -2, 0.5]);
    expectClose(hessian((u: Tensor) => sum(u.square().mul(u)))(x), [6, 0, 0, 0, -12, 0, 0, 0, 3]);
    const A = f64([2, 1, 0, -1, 3, 4, 0.5, 0, 1], [3, 3]);
    expectClose(hessian((u: Tensor) => sum(mul(u, matmul(A, u))))(x), A.add(A.transpose()).storage);
  });

  it('of a tree: Σa²b gives the blocks diag(2b), diag(2a) and 0', () => {
    const H = hessian((p: { a: Tensor; b: Tensor }) => sum(p.a.square().mul(p.b)))({ a: f64([1, 2]), b: f64([3, -1]) });
    expect(H.a.a.toArray()).toEqual([[6, 0], [0, -2]]);
    expect(H.a.b.toArray()).toEqual([[2, 0], [0, 4]]);
    expect(H.b.a.toArray()).toEqual([[2, 0], [0, 4]]);
    expect(H.b.b.toArray()).toEqual([[0, 0], [0, 0]]);
  });

  it('is symmetric and applied to v equals hvp, over random shapes', () => {
    const f = (u: Tensor) => sum(softplus(u).mul(tanh(u.sum(-1, true))));
    fc.assert(fc.property(arbShape({ minRank: 1, maxRank: 2, maxDim: 3 }).chain((s) => fc.tuple(arbTensor(s), arbTensor(s))), ([x, v]) => {
      const n = x.size;
      const H = hessian(f)(x).reshape([n, n]);
      expectClose(H, H.transpose().storage, 1e-12);
      expectClose(matmul(H, v.reshape([n])), hvp(f, x, v).storage, 1e-12);
    }), RUNS);
  });

  it('nests: the jacobian of a jacobian is the hessian of a scalar', () => {
    const f = (u: Tensor) => sum(exp(u).mul(u));
    const x = f64([0.2, -0.7]);
    expectClose(jacobian((u: Tensor) => jacobian(f)(u))(x), hessian(f)(x).storage);
  });
});

describe('errors', () => {
  const x = f64([1, 2]);

  it('a function that is not one', () => {
    for (const [who, run] of [
      ['jvp', () => jvp(3 as never, x, x)], ['hvp', () => hvp('f' as never, x, x)],
      ['jacobian', () => jacobian(null as never)], ['hessian', () => hessian({} as never)],
    ] as const) {
      const error = thrown(run);
      expect(error).toBeInstanceOf(ValueError);
      expect(error.message).toMatch(new RegExp(`^${who}: f must be a function`));
    }
  });

  it('a tangent or vector that does not match x', () => {
    const shape = thrown(() => jvp((u: Tensor) => u, x, f64([1, 2, 3])));
    expect(shape).toBeInstanceOf(ShapeError);
    expect(shape.message).toBe('jvp: tangent has shape [3], but x has shape [2]');
    const tree = thrown(() => hvp((p: { a: Tensor }) => sum(p.a), { a: x }, { b: x } as never));
    expect(tree).toBeInstanceOf(ValueError);
    expect(tree.message).toBe('hvp: v must be an object with keys a like x, got an object (Object)');
    expect(thrown(() => jvp((u: Tensor) => u, { a: 3 } as never, x)).message).toMatch(/^jvp: x\.a: expected a tensor/);
  });

  it('hvp and hessian of a function that is not scalar', () => {
    for (const [who, run] of [['hvp', () => hvp((u: Tensor) => u, x, x)], ['hessian', () => hessian((u: Tensor) => u)(x)]] as const) {
      const error = thrown(run);
      expect(error).toBeInstanceOf(ShapeError);
      expect(error.message).toBe(`${who}: the function must return a tensor with one element (a loss), got shape [2]`);
    }
  });

  it('an error inside f names the transform', () => {
    const error = thrown(() => jacobian((u: Tensor) => u.add(f64([1, 2, 3])))(x));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toBe('jacobian: add: shapes [2] and [3] cannot be broadcast together (dim 2 vs 3)');
  });
});
