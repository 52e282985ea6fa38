import type { TypedArray } from './dtype.ts';
import { firstNonFinite } from './dtype.ts';
import { unravelIndex } from './shape.ts';
import type { NumericsDetails } from './errors.ts';
import { NumericsError, fmtShape } from './errors.ts';
import type { Prim } from './primitives.ts';
import { inBackwardPass } from './tape.ts';
import type { Tensor } from './tensor.ts';
import { platform } from './platform.ts';

/**
 * NaN hunting, like PyTorch's anomaly mode: with it on, every primitive's output is scanned for NaN and ±Infinity,
 * in the forward pass and in the backward pass, and the first bad one throws a NumericsError that names the
 * primitive, where it was called from (the layer, loss or optimizer) and the range of each input.
 * Off by default: the check reads every output once. SEMIFLOW_DEBUG_NUMERICS=1 turns it on for a whole script.
 */
let enabled = platform.env('SEMIFLOW_DEBUG_NUMERICS') === '1';

/** Where ops are being called from: 'layer dense_1', nested as 'layer block_1 > layer dense_2'. */
let site: string | undefined;

/** In the backward pass: the forward call whose gradient is being computed. */
let backwardOf: DebugInfo | undefined;

/** What a tape entry remembers of its forward call while debugging, so a backward failure can point back to it. */
export interface DebugInfo {
  /** The primitive, or the name of a customGrad function. */
  prim: string;
  site: string | undefined;
  /** Captured at the forward call; its stack is formatted only if an error needs it, which is most of its cost. */
  origin: Error;
}

/** Turns the checks on or off; returns the previous setting, so a caller can restore it. */
export function debugNumerics(on = true): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

export function isDebuggingNumerics(): boolean {
  return enabled;
}

/** Runs fn with `label` as the place ops are called from; nests. Layers, losses and the optimizer update use it. */
export function atSite<T>(label: string, fn: () => T): T {
  const outer = site;
  site = outer === undefined ? label : `${outer} > ${label}`;
  try {
    return fn();
  } finally {
    site = outer;
  }
}

/** What a tape entry records of its forward call when debugging is on. */
export function forwardInfo(prim: string): DebugInfo {
  return { prim, site, origin: new Error() };
}

/** Runs one vjp rule's thunks with the forward call they differentiate as context. */
export function duringBackwardOf<T>(info: DebugInfo | undefined, fn: () => T): T {
  const outer = backwardOf;
  backwardOf = info;
  try {
    return fn();
  } finally {
    backwardOf = outer;
  }
}

/** Movement primitives only copy values (pad adds its given constant), so they cannot be the first to make a NaN or Inf. */
const COPIES: ReadonlySet<Prim> = new Set<Prim>(['reshape', 'permute', 'expand', 'pad', 'slice', 'concat', 'unfold', 'maxPool', 'stopGradient', 'where', 'gather']);

/** Throws if a primitive's float output holds a NaN or ±Infinity. */
export function checkNumerics(prim: Prim, inputs: readonly Tensor[], output: TypedArray, shape: readonly number[]): void {
  if (COPIES.has(prim)) return;
  checkFinite(prim, inputs.map((t, i) => [`input ${i}`, t] as const), output, shape, inBackwardPass() ? 'backward' : 'forward');
}

/**
 * Throws if `output` holds a NaN or ±Infinity, naming `what` made it, where, and the range of each named input.
 * Optimizers call it on every new parameter and slot, since their fused update loops are not primitives.
 */
export function checkFinite(
  what: string, inputs: readonly (readonly [string, Tensor])[], output: TypedArray, shape: readonly number[], phase: NumericsDetails['phase'],
): void {
  const first = firstNonFinite(output);
  if (first < 0) return;
  const bad = output[first];
  let count = 0;
  for (const v of output) if (!Number.isFinite(v)) count++;
  const calledFrom = (at: string | undefined): string => (at === undefined ? '' : ` (called from ${at})`);
  const where = backwardOf !== undefined
    ? `in the backward pass, computing the gradient of ${backwardOf.prim}${calledFrom(backwardOf.site)}`
    : `in the ${phase === 'update' ? 'optimizer update' : `${phase} pass`}${calledFrom(site)}`;
  const lines = [
    `${what}: produced ${bad} ${where}: ${count} of ${output.length} values are not finite, the first at ${fmtShape(unravelIndex(first, shape))} of ${fmtShape(shape)}`,
    ...inputs.map(([name, t]) => `  ${name}: ${t.dtype} ${fmtShape(t.shape)} ${describeRange(t.storage)}`),
  ];
  if (inputs.some(([, t]) => firstNonFinite(t.storage) >= 0)) {
    lines.push('  An input already held non-finite values that no checked op produced: they came from data, weights or a tensor built by hand.');
  }
  if (backwardOf !== undefined) lines.push(`  The forward ${backwardOf.prim} was called\n${forwardStack(backwardOf.origin)}`);
  throw new NumericsError(lines.join('\n'), { prim: what, site: backwardOf === undefined ? site : backwardOf.site, phase });
}

/** The origin's stack without its message line and the frames of forwardInfo and dispatch's apply. */
function forwardStack(origin: Error): string {
  return (origin.stack ?? '').split('\n').slice(3).join('\n');
}



/** "range [min, max]", plus how many NaN and ±Infinity it holds. */
function describeRange(values: TypedArray): string {
  let min = Infinity;
  let max = -Infinity;
  let nan = 0;
  let inf = 0;
  for (const v of values) {
    if (Number.isNaN(v)) nan++;
    else if (!Number.isFinite(v)) inf++;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const short = (v: number): number => Number(v.toPrecision(5));
  const range = min <= max ? `range [${short(min)}, ${short(max)}]` : 'no finite values';
  const extra = [nan > 0 ? `${nan} NaN` : '', inf > 0 ? `${inf} ±Infinity` : ''].filter(Boolean).join(', ');
  return extra === '' ? range : `${range}, ${extra}`;
}
