import { onesLike, zerosLike } from './creation.ts';
import { GradientError, ShapeError, ValueError, describeValue, fmtShape } from './errors.ts';
import type { Prim } from './primitives.ts';
import { duringBackwardOf } from './debug-numerics.ts';
import { sameShape } from './shape.ts';
import { duringBackward, isRecording, traced } from './tape.ts';
import { Tensor } from './tensor.ts';
import type { Tree } from './tree.ts';
import { leaves, rebuild } from './tree.ts';
import type { VjpRule } from './vjp.ts';
import { vjpRules } from './vjp.ts';

/**
 * Runs f on fresh leaves standing for the tensors of x, so that everything f computes from them is recorded.
 * A leaf links to its tensor when an outer grad traces that tensor, which is what makes grad(grad(f)) work.
 */
function trace<T extends Tree, A extends unknown[]>(op: string, f: (x: T, ...args: A) => Tensor, x: T, args: A) {
  checkFunction(f, op);
  const targets = leaves(x, `${op}: argument`).map(
    (t) => new Tensor(t.storage, t.shape, { kind: 'leaf', source: t.entry === undefined ? null : t }),
  );
  const output = traced(() => f(rebuild(x, targets), ...args));
  if (!(output instanceof Tensor)) throw new GradientError(`${op}: the function must return a Tensor, got ${typeof output}`);
  return { output, targets };
}

/**
 * Reverse mode over the recorded entries between the targets and `output`.
 * Ids grow with creation, so visiting by falling id is a topological order.
 */
function backward(output: Tensor, seed: Tensor, targets: readonly Tensor[]): Tensor[] {
  const targetIds = new Set(targets.map((t) => t.id));
  const oldest = Math.min(...targetIds);
  const reached = new Map<number, Tensor>();
  const stack = [output];
  while (stack.length > 0) {
    const t = stack.pop() as Tensor;
    if (t.entry === undefined || t.id < oldest || reached.has(t.id)) continue;
    reached.set(t.id, t);
    if (targetIds.has(t.id)) continue;
    if (t.entry.kind === 'op') stack.push(...t.entry.inputs);
    else if (t.entry.source !== null) stack.push(t.entry.source);
  }
  const order = [...reached.values()].sort((a, b) => a.id - b.id);
  const leadsToTarget = new Set<number>();
  for (const t of order) {
    const parents = t.entry?.kind === 'op' ? t.entry.inputs : t.entry?.source ? [t.entry.source] : [];
    if (targetIds.has(t.id) || parents.some((p) => leadsToTarget.has(p.id))) leadsToTarget.add(t.id);
  }

  const cotangents = new Map<number, Tensor>([[output.id, seed]]);
  const accumulate = (t: Tensor, g: Tensor): void => {
    const previous = cotangents.get(t.id);
    cotangents.set(t.id, previous === undefined ? g : previous.add(g));
  };
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    const g = cotangents.get(t.id);
    if (g === undefined || targetIds.has(t.id)) continue;
    cotangents.delete(t.id);
    const entry = t.entry as NonNullable<Tensor['entry']>;
    if (entry.kind === 'leaf') {
      if (entry.source !== null && leadsToTarget.has(entry.source.id)) accumulate(entry.source, g);
      continue;
    }
    const pullBack = (): void => {
      const rule = vjpRules[entry.prim] as VjpRule<Prim>;
      const thunks = rule(g, { inputs: entry.inputs, output: t, params: entry.params });
      entry.inputs.forEach((input, k) => {
        const thunk = thunks[k];
        if (thunk === null || !leadsToTarget.has(input.id)) return;
        const gi = thunk();
        if (!sameShape(gi.shape, input.shape) || gi.dtype !== input.dtype) {
          throw new GradientError(`vjp of ${entry.prim}: the gradient for input ${k} is ${fmtShape(gi.shape)} ${gi.dtype}, but the input is ${fmtShape(input.shape)} ${input.dtype}`);
        }
        accumulate(input, gi);
      });
    };
    if (entry.debug === undefined) pullBack();
    else duringBackwardOf(entry.debug, pullBack);
  }
  return targets.map((t) => cotangents.get(t.id) ?? zerosLike(t));
}

/** grad(3) would only fail at its first call, deep inside; say so at the call. */
function checkFunction(f: unknown, op: string): void {
  if (typeof f !== 'function') throw new ValueError(`${op}: f must be a function of a tensor (or a tree of tensors), got ${describeValue(f)}`);
}

/** Outside any grad, results carry no tape entry, so nothing keeps the graph alive. */
function settle(t: Tensor): Tensor {
  return isRecording() || t.entry === undefined ? t : new Tensor(t.storage, t.shape);
}

/**
 * f's value at x and a function that pulls a cotangent of that value back to a tree shaped like x.
 * The cotangent must have the value's shape.
 */
export function vjp<T extends Tree>(f: (x: T) => Tensor, x: T): { value: Tensor; backward: (cotangent: Tensor) => T } {
  const { output, targets } = trace('vjp', f, x, []);
  return {
    value: settle(output),
    backward: (cotangent) => {
      if (!sameShape(cotangent.shape, output.shape)) {
        throw new ShapeError(`vjp: the cotangent has shape ${fmtShape(cotangent.shape)} but the value has shape ${fmtShape(output.shape)}`);
      }
      return rebuild(x, duringBackward(() => backward(output, cotangent.cast(output.dtype), targets)).map(settle));
    },
  };
}

/** f's value and its gradient with respect to the first argument, a tree of tensors. f must return one element. */
export function valueAndGrad<T extends Tree, A extends unknown[]>(f: (x: T, ...args: A) => Tensor): (x: T, ...args: A) => [Tensor, T] {
  checkFunction(f, 'valueAndGrad');
  return (x, ...args) => {
    const { output, targets } = trace('valueAndGrad', f, x, args);
    if (output.size !== 1) {
      throw new ShapeError(`valueAndGrad: the function must return a tensor with one element (a loss), got shape ${fmtShape(output.shape)}`);
    }
    const grads = duringBackward(() => backward(output, onesLike(output), targets));
    return [settle(output), rebuild(x, grads.map(settle))];
  };
}

/** The gradient of f with respect to its first argument, a tree of tensors; same structure as that argument. */
export function grad<T extends Tree, A extends unknown[]>(f: (x: T, ...args: A) => Tensor): (x: T, ...args: A) => T {
  checkFunction(f, 'grad');
  const both = valueAndGrad(f);
  return (x, ...args) => both(x, ...args)[1];
}
