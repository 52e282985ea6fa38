import type { DebugInfo } from './debug-numerics.ts';
import type { Prim, PrimParams } from './primitives.ts';
import type { Tensor } from './tensor.ts';

/**
 * How a tracked tensor came to be. A tensor carries one only while some grad is tracing it.
 * - 'op': the output of a primitive applied to `inputs`; `debug` says where it was called while debugNumerics is on.
 * - 'leaf': an input that grad is differentiating; `source` links it to an outer grad's tensor.
 * - 'custom': one output of a customGrad call; all its outputs share the node.
 */
export type TapeEntry =
  | { kind: 'op'; prim: Prim; params: PrimParams[Prim]; inputs: readonly Tensor[]; debug?: DebugInfo }
  | { kind: 'leaf'; source: Tensor | null }
  | { kind: 'custom'; node: CustomNode };

/** A customGrad call as the tape sees it: inputs, outputs, and the user's rule between them. */
export interface CustomNode {
  /** The leaves of every argument, in order. */
  readonly inputs: readonly Tensor[];
  /** The leaves of the value. They are created after the forward ran, so every tensor computed from them is newer. */
  readonly outputs: readonly Tensor[];
  /** One cotangent per output leaf in, one per input leaf out (null: no gradient); checked against the inputs. */
  readonly pullBack: (cotangents: readonly Tensor[]) => readonly (Tensor | null)[];
  /** Where the call was made, while debugNumerics is on. */
  readonly debug?: DebugInfo;
}

/** The tensors an entry was computed from: where the backward walk goes next. */
export function parentsOf(entry: TapeEntry): readonly Tensor[] {
  if (entry.kind === 'op') return entry.inputs;
  if (entry.kind === 'custom') return entry.node.inputs;
  return entry.source === null ? [] : [entry.source];
}

let traceDepth = 0;
let pauseDepth = 0;
let backwardDepth = 0;
let lastId = 0;

/** Ids only grow, so creation order is a topological order of the graph. */
export function nextId(): number {
  return ++lastId;
}

/** The id of the newest tensor: every tensor made from now on has a larger one. */
export function newestId(): number {
  return lastId;
}

/** Recording happens inside a grad trace, outside noGrad. */
export function isRecording(): boolean {
  return traceDepth > 0 && pauseDepth === 0;
}

/** Runs fn one grad level deeper; a grad taken inside noGrad still records its own function. */
export function traced<T>(fn: () => T): T {
  const paused = pauseDepth;
  traceDepth++;
  pauseDepth = 0;
  try {
    return fn();
  } finally {
    traceDepth--;
    pauseDepth = paused;
  }
}

/** Runs fn with recording off: nothing computed inside gets a gradient. */
export function noGrad<T>(fn: () => T): T {
  pauseDepth++;
  try {
    return fn();
  } finally {
    pauseDepth--;
  }
}

/** Whether the backward walk is running: the profiler tags its kernels 'backward', debugNumerics its errors. */
export function inBackwardPass(): boolean {
  return backwardDepth > 0;
}

/** Runs the backward walk; inBackwardPass() is true inside. */
export function duringBackward<T>(fn: () => T): T {
  backwardDepth++;
  try {
    return fn();
  } finally {
    backwardDepth--;
  }
}
