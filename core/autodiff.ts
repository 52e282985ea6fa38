import { onesLike, zerosLike } from './creation.ts';
import { GradientError, ShapeError, ValueError, describeValue, fmtShape } from './errors.ts';
import type { Prim } from './primitives.ts';
import { duringBackwardOf } from './debug-numerics.ts';
import { sameShape } from './shape.ts';
import { SliceCotangents } from './slice-cotangents.ts';
import type { CustomNode, TapeEntry } from './tape.ts';
import { duringBackward, isRecording, parentsOf, traced } from './tape.ts';
import { Tensor } from './tensor.ts';
import type { Tree } from './tree.ts';
import { leaves, mapTree, matchLeaves, rebuild } from './tree.ts';
import type { VjpRule } from './vjp.ts';
import { vjpRules } from './vjp.ts';

/**
 * Runs f on fresh leaves standing for the tensors of x, so that everything f computes from them is recorded.
 * A leaf links to its tensor when an outer grad traces that tensor, which is what makes grad(grad(f)) work.
 */
function trace<T extends Tree, A extends unknown[], V>(op: string, f: (x: T, ...args: A) => V, x: T, args: A) {
  checkFunction(f, op);
  const targets = leaves(x, `${op}: argument`).map(
    (t) => new Tensor(t.storage, t.shape, { kind: 'leaf', source: t.entry === undefined ? null : t }),
  );
  const value = traced(() => f(rebuild(x, targets), ...args));
  return { value, targets };
}

/**
 * Reverse mode over the recorded entries between the targets and the outputs, each output starting from its seed.
 * Ids grow with creation, so visiting by falling id is a topological order.
 */
function backward(outputs: readonly Tensor[], seeds: readonly Tensor[], targets: readonly Tensor[]): Tensor[] {
  const targetIds = new Set(targets.map((t) => t.id));
  const oldest = Math.min(...targetIds);
  const reached = new Map<number, Tensor>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const t = stack.pop() as Tensor;
    if (t.entry === undefined || t.id < oldest || reached.has(t.id)) continue;
    reached.set(t.id, t);
    if (!targetIds.has(t.id)) stack.push(...parentsOf(t.entry));
  }
  const order = [...reached.values()].sort((a, b) => a.id - b.id);
  const leadsToTarget = new Set<number>();
  for (const t of order) {
    if (targetIds.has(t.id) || parentsOf(t.entry as TapeEntry).some((p) => leadsToTarget.has(p.id))) leadsToTarget.add(t.id);
  }

  const cotangents = new Map<number, Tensor>();
  const sliced = new SliceCotangents();
  const accumulate = (t: Tensor, g: Tensor): void => {
    const previous = cotangents.get(t.id);
    cotangents.set(t.id, previous === undefined ? g : previous.add(g));
  };
  /** t's cotangent with its slices' parts joined in; every part has arrived once the walk reaches t. */
  const complete = (t: Tensor): Tensor | undefined => {
    const g = sliced.take(t, cotangents.get(t.id));
    if (g !== undefined) cotangents.set(t.id, g);
    return g;
  };
  outputs.forEach((output, i) => accumulate(output, seeds[i]));
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    const g = complete(t);
    if (g === undefined || targetIds.has(t.id)) continue;
    const entry = t.entry as TapeEntry;
    if (entry.kind === 'custom') {
      entry.node.outputs.forEach(complete);
      pullBackCustom(entry.node, cotangents, leadsToTarget, accumulate);
      continue;
    }
    cotangents.delete(t.id);
    if (entry.kind === 'leaf') {
      if (entry.source !== null && leadsToTarget.has(entry.source.id)) accumulate(entry.source, g);
      continue;
    }
    if (entry.prim === 'slice') {
      const [x] = entry.inputs;
      if (leadsToTarget.has(x.id)) sliced.add(x, (entry.params as { begin: readonly number[] }).begin, g);
      continue;
    }
    if (entry.debug === undefined) pullBackOp(entry, t, g, leadsToTarget, accumulate);
    else duringBackwardOf(entry.debug, () => pullBackOp(entry, t, g, leadsToTarget, accumulate));
  }
  return targets.map((t) => complete(t) ?? zerosLike(t));
}

type OpEntry = Extract<TapeEntry, { kind: 'op' }>;

/** One primitive's rule: the cotangent g of its output t, pulled back to each input that leads to a target. */
function pullBackOp(entry: OpEntry, t: Tensor, g: Tensor, leadsToTarget: ReadonlySet<number>, accumulate: (t: Tensor, g: Tensor) => void): void {
  const rule = vjpRules[entry.prim] as VjpRule<Prim>;
  const thunks = rule(g, { inputs: entry.inputs, output: t, params: entry.params });
  for (let k = 0; k < entry.inputs.length; k++) {
    const input = entry.inputs[k];
    const thunk = thunks[k];
    if (thunk === null || !leadsToTarget.has(input.id)) continue;
    const gi = thunk();
    if (!sameShape(gi.shape, input.shape) || gi.dtype !== input.dtype) {
      throw new GradientError(`vjp of ${entry.prim}: the gradient for input ${k} is ${fmtShape(gi.shape)} ${gi.dtype}, but the input is ${fmtShape(input.shape)} ${input.dtype}`);
    }
    accumulate(input, gi);
  }
}

/**
 * A customGrad node pulls back all its outputs at once, at the first of them the walk meets (the newest). Every
 * tensor computed from any output is newer than all of them, so by then each output's cotangent is complete.
 */
function pullBackCustom(
  node: CustomNode, cotangents: Map<number, Tensor>, leadsToTarget: ReadonlySet<number>, accumulate: (t: Tensor, g: Tensor) => void,
): void {
  const gs = node.outputs.map((o) => cotangents.get(o.id) ?? zerosLike(o));
  node.outputs.forEach((o) => cotangents.delete(o.id));
  const grads = duringBackwardOf(node.debug, () => node.pullBack(gs));
  node.inputs.forEach((input, k) => {
    const gi = grads[k];
    if (gi !== null && leadsToTarget.has(input.id)) accumulate(input, gi);
  });
}

/** grad(3) would only fail at its first call, deep inside; say so at the call. */
export function checkFunction(f: unknown, op: string): void {
  if (typeof f !== 'function') throw new ValueError(`${op}: f must be a function of a tensor (or a tree of tensors), got ${describeValue(f)}`);
}

/** Outside any grad, results carry no tape entry, so nothing keeps the graph alive. */
function settle(t: Tensor): Tensor {
  return isRecording() || t.entry === undefined ? t : new Tensor(t.storage, t.shape);
}

/**
 * f's value at x and a function that pulls a cotangent of that value back to a tree shaped like x.
 * The value may be a tensor or a tree of them; the cotangent must have its structure and shapes.
 */
export function vjp<T extends Tree, V extends Tree>(f: (x: T) => V, x: T): { value: V; backward: (cotangent: V) => T } {
  const { value, targets } = trace('vjp', f, x, []);
  const outputs = leaves(value, 'vjp: the value of f');
  return {
    value: mapTree(value, settle),
    backward: (cotangent) => {
      const seeds = matchLeaves(cotangent, value, 'vjp: the cotangent', 'the value').map((c, i) => c.cast(outputs[i].dtype));
      return rebuild(x, duringBackward(() => backward(outputs, seeds, targets)).map(settle));
    },
  };
}

/** f's value and its gradient with respect to the first argument, a tree of tensors. f must return one element. */
export function valueAndGrad<T extends Tree, A extends unknown[]>(f: (x: T, ...args: A) => Tensor): (x: T, ...args: A) => [Tensor, T] {
  return valueAndGradAs('valueAndGrad', f);
}

/** The gradient of f with respect to its first argument, a tree of tensors; same structure as that argument. */
export function grad<T extends Tree, A extends unknown[]>(f: (x: T, ...args: A) => Tensor): (x: T, ...args: A) => T {
  const both = valueAndGradAs('grad', f);
  return (x, ...args) => both(x, ...args)[1];
}

/** valueAndGrad whose errors start with `op`, for the transforms built on it (grad, hvp, hessian). */
export function valueAndGradAs<T extends Tree, A extends unknown[]>(op: string, f: (x: T, ...args: A) => Tensor): (x: T, ...args: A) => [Tensor, T] {
  checkFunction(f, op);
  return (x, ...args) => {
    const { value: output, targets } = trace(op, f, x, args);
    if (!(output instanceof Tensor)) throw new GradientError(`${op}: the function must return a Tensor, got ${describeValue(output)}`);
    if (output.size !== 1) {
      throw new ShapeError(`${op}: the function must return a tensor with one element (a loss), got shape ${fmtShape(output.shape)}`);
    }
    const grads = duringBackward(() => backward([output], [onesLike(output)], targets));
    return [settle(output), rebuild(x, grads.map(settle))];
  };
}
