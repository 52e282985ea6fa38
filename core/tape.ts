import type { DebugInfo } from './debug-numerics.ts';
import type { Prim, PrimParams } from './primitives.ts';
import type { Tensor } from './tensor.ts';

/**
 * How a tracked tensor came to be. A tensor carries one only while some grad is tracing it.
 * - 'op': the output of a primitive applied to `inputs`; `debug` says where it was called while debugNumerics is on.
 * - 'leaf': an input that grad is differentiating; `source` links it to an outer grad's tensor.
 */
export type TapeEntry =
  | { kind: 'op'; prim: Prim; params: PrimParams[Prim]; inputs: readonly Tensor[]; debug?: DebugInfo }
  | { kind: 'leaf'; source: Tensor | null };

let traceDepth = 0;
let pauseDepth = 0;
let backwardDepth = 0;
let lastId = 0;

/** Ids only grow, so creation order is a topological order of the graph. */
export function nextId(): number {
  return ++lastId;
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
