import { checkFunction, valueAndGradAs, vjp } from './autodiff.ts';
import { tensor, zeros, zerosLike } from './creation.ts';
import { prefixError } from './errors.ts';
import { add, concat, mul, reshape, sum } from './ops/index.ts';
import type { Tensor } from './tensor.ts';
import type { MapLeaves, Tree } from './tree.ts';
import { leaves, mapTree, matchLeaves, rebuild, replaceLeaves } from './tree.ts';

/** A Jacobian as a tree shaped like the output whose leaves are trees shaped like the input; a block is [...out, ...in]. */
export type Jacobian<V extends Tree, T extends Tree> = MapLeaves<V, T>;

/** A Hessian: block [a][b] holds ∂²f/∂a∂b with shape [...a.shape, ...b.shape]. */
export type Hessian<T extends Tree> = MapLeaves<T, T>;

/**
 * Forward mode: f's value at x and its derivative along `tangent` (J·t), with the tangent shaped like x and the
 * result like the value. By transposition: u ↦ vjp(u) = Jᵀu is linear in u, so its own vjp, at any u, is t ↦ J·t.
 * It costs a forward pass and two backward passes. It works through every rule of the library, and through a customGrad whose
 * vjp is linear in the cotangent, as a vjp should be; it nests.
 */
export function jvp<T extends Tree, V extends Tree>(f: (x: T) => V, x: T, tangent: T): { value: V; tangent: V } {
  return named('jvp', () => {
    checkFunction(f, 'jvp');
    leaves(x, 'jvp: x');
    const t = matchLeaves(tangent, x, 'jvp: tangent', 'x');
    const { value, backward } = vjp(f, x);
    const { backward: transposed } = vjp(backward, mapTree(value, zerosLike));
    return { value, tangent: transposed(rebuild(x, t)) };
  });
}

/**
 * The Hessian of a scalar f at x applied to v (shaped like x): the gradient of ⟨∇f(x), v⟩, reverse over reverse.
 * It never forms the Hessian, so it costs a few evaluations of f at any size.
 */
export function hvp<T extends Tree>(f: (x: T) => Tensor, x: T, v: T): T {
  return named('hvp', () => {
    checkFunction(f, 'hvp');
    leaves(x, 'hvp: x');
    const vs = matchLeaves(v, x, 'hvp: v', 'x');
    const gradient = valueAndGradAs('hvp', f);
    const dot = (y: T): Tensor => leaves(gradient(y)[1]).map((g, i) => sum(mul(g, vs[i].cast(g.dtype)))).reduce((a, b) => add(a, b));
    return valueAndGradAs('hvp', dot)(x)[1];
  });
}

/**
 * jacobian(f)(x): every partial derivative of f at x, one block per (output leaf, input leaf) pair, each of shape
 * [...output.shape, ...input.shape]. For small functions: it takes one backward pass per output element.
 * The result is differentiable, so jacobian(jacobian(f)) works.
 */
export function jacobian<T extends Tree, V extends Tree>(f: (x: T) => V): (x: T) => Jacobian<V, T> {
  return jacobianAs('jacobian', f);
}

function jacobianAs<T extends Tree, V extends Tree>(op: string, f: (x: T) => V): (x: T) => Jacobian<V, T> {
  checkFunction(f, op);
  return (x) => named(op, () => {
    const { value, backward } = vjp(f, x);
    const outputs = leaves(value);
    const inputs = leaves(x);
    const blocks = outputs.map((out, a) => {
      // Row k of this output's block is the vjp of the k-th unit cotangent: ∂out_k/∂x.
      const rows = Array.from({ length: out.size }, (_, k) => {
        const unit = outputs.map((o, b) => (b === a ? unitTensor(o, k) : zerosLike(o)));
        return leaves(backward(rebuild(value, unit)));
      });
      return rebuild(x, inputs.map((input, b) => {
        const shape = [...out.shape, ...input.shape];
        if (rows.length === 0) return zeros(shape, input.dtype);
        return reshape(concat(rows.map((row) => reshape(row[b], [1, input.size])), 0), shape);
      }));
    });
    return replaceLeaves(value, blocks);
  });
}

/** hessian(f)(x): the Jacobian of the gradient of a scalar f, by reverse over reverse. For small inputs. */
export function hessian<T extends Tree>(f: (x: T) => Tensor): (x: T) => Hessian<T> {
  const gradient = valueAndGradAs('hessian', f);
  const second = jacobianAs('hessian', (y: T) => gradient(y)[1]);
  return (x) => second(x);
}

/** A tensor shaped like t, of its dtype, with a 1 at flat index k and zeros elsewhere. */
function unitTensor(t: Tensor, k: number): Tensor {
  const values = new Array<number>(t.size).fill(0);
  values[k] = 1;
  return tensor(values, t.shape, t.dtype);
}

/** Errors from inside (grad's, f's own) start with the transform the user called. */
function named<R>(who: string, fn: () => R): R {
  try {
    return fn();
  } catch (error) {
    throw prefixError(error, who);
  }
}
