import { userCode } from './buffer-scope.ts';
import { forwardInfo, isDebuggingNumerics } from './debug-numerics.ts';
import { GradientError, ValueError, describeValue, fmtShape } from './errors.ts';
import type { CustomNode } from './tape.ts';
import { isRecording, newestId, parentsOf } from './tape.ts';
import { Tensor } from './tensor.ts';
import type { Tree } from './tree.ts';
import { leaves, matchLeaves, rebuild } from './tree.ts';

/** What a vjp returns: one cotangent per argument, shaped like it (same tree, shapes and dtypes), or null for none. */
export type Cotangents<A extends readonly Tree[]> = { [K in keyof A]: A[K] | null };

/** What the function given to customGrad returns: its value, and the rule that pulls a cotangent of it back. */
export interface CustomForward<A extends readonly Tree[], V extends Tree> {
  value: V;
  /** Linear in the cotangent, which has the value's structure. Written with ops, it is differentiable in turn. */
  vjp: (cotangent: V) => Cotangents<A>;
}

/**
 * Gives a function its own gradient: an escape hatch for users (a straight-through estimator, gradient clipping
 * or reversal, a stabler formula for a composite). Nothing in semiflow itself uses it: derivatives of the library
 * come from the primitives' table in core/vjp.ts.
 *
 *   const clipGrad = customGrad('clipGrad', (x: Tensor) => ({ value: x, vjp: (g) => [g.clip(-1, 1)] }));
 *
 * fn takes tensors (or trees of them) and returns the value (a tensor or a tree) and its vjp. Inside a grad the
 * call is one node on the tape: the backward pass calls the vjp instead of differentiating the ops of the forward.
 * Those ops are still recorded, so tensors that the vjp reuses from the forward (residuals) stay differentiable,
 * and grad(grad(f)) is right wherever the vjp's own derivative is. The forward may read only tensors a grad
 * traces through its arguments (or behind stopGradient); `name` starts every error about the call.
 */
export function customGrad<A extends Tree[], V extends Tree>(name: string, fn: (...args: A) => CustomForward<A, V>): (...args: A) => V {
  if (typeof name !== 'string' || name === '') throw new ValueError(`customGrad: name must be a non-empty string, got ${describeValue(name)}`);
  if (typeof fn !== 'function') throw new ValueError(`${name}: customGrad needs a function that returns { value, vjp }, got ${describeValue(fn)}`);
  return (...args) => {
    const inputs = args.flatMap((a, i) => leaves(a, `${name}: input ${i}`));
    const start = newestId();
    const result: unknown = fn(...args);
    if (result === null || typeof result !== 'object' || typeof (result as { vjp?: unknown }).vjp !== 'function') {
      throw new ValueError(`${name}: the function must return { value, vjp } with vjp a function, got ${describeValue(result)}`);
    }
    const { value, vjp } = result as CustomForward<A, V>;
    const outputs = leaves(value, `${name}: value`);
    if (!isRecording()) return value;
    const foreign = foreignTraced(outputs, inputs, start);
    if (foreign !== undefined) {
      throw new GradientError(`${name}: the forward reads a tensor (${fmtShape(foreign.shape)} ${foreign.dtype}) that a grad is tracing but that is not one of its inputs, so its gradient would be lost; pass it as an input, or wrap it in stopGradient`);
    }
    if (!inputs.some((t) => t.entry !== undefined)) return value;
    const wrapped: Tensor[] = [];
    // The vjp is user code that the backward pass runs: the buffer pool must never recycle what it is handed or
    // makes (buffer-scope.ts). fn itself runs inside a layer's call, an activation or a loss, already user code.
    const pullBack = (gs: readonly Tensor[]) => checkCotangents(name, args, userCode(gs, () => vjp(rebuild(value, gs))));
    const node: CustomNode = { inputs, outputs: wrapped, pullBack, debug: isDebuggingNumerics() ? forwardInfo(name) : undefined };
    for (const o of outputs) wrapped.push(new Tensor(o.storage, o.shape, { kind: 'custom', node }));
    return rebuild(value, wrapped);
  };
}

/** The vjp's result as one cotangent per input leaf, after checking it against the arguments. */
function checkCotangents(name: string, args: readonly Tree[], result: unknown): (Tensor | null)[] {
  if (!Array.isArray(result) || result.length !== args.length) {
    const got = Array.isArray(result) ? `an array of ${result.length}` : describeValue(result);
    throw new GradientError(`${name}: the vjp must return an array with one cotangent (or null) per input, ${args.length} in all, got ${got}`);
  }
  return result.flatMap((c: unknown, i) => (c === null
    ? leaves(args[i]).map(() => null)
    : matchLeaves(c, args[i], `${name}: the vjp's cotangent for input ${i}`, `input ${i}`, { dtypes: true, error: GradientError })));
}

/** Prims whose output carries no gradient back to their inputs. */
const BLOCKING = new Set(['stopGradient', 'less', 'equal']);

/**
 * A traced tensor made before the call (id <= start) that the outputs reach without passing through an input:
 * the forward read it from a closure, and the node, whose parents are the inputs only, would drop its gradient.
 */
function foreignTraced(outputs: readonly Tensor[], inputs: readonly Tensor[], start: number): Tensor | undefined {
  const own = new Set(inputs.map((t) => t.id));
  const seen = new Set<number>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const t = stack.pop() as Tensor;
    if (t.entry === undefined || own.has(t.id) || seen.has(t.id)) continue;
    if (t.id <= start) return t;
    seen.add(t.id);
    if (t.entry.kind !== 'op' || !BLOCKING.has(t.entry.prim)) stack.push(...parentsOf(t.entry));
  }
  return undefined;
}
