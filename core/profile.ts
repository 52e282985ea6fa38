import type { TypedArray } from './dtype.ts';
import { ConfigError, describeValue, fmtShape } from './errors.ts';
import type { Kernel, KernelOutput } from './kernels/kernel.ts';
import type { Prim, PrimParams } from './primitives.ts';
import { formatProfile } from './profile-format.ts';
import type { Shape } from './shape.ts';
import { sizeOf } from './shape.ts';
import { inBackwardPass } from './tape.ts';

/** Backward rows are the kernels run by the tape's backward walk (the vjp rules); the rest is forward. */
export type ProfilePhase = 'forward' | 'backward';

/** One primitive (or one primitive at one set of operand shapes), summed over its calls. */
export interface ProfileRow {
  prim: Prim;
  phase: ProfilePhase;
  /** Operand shapes and parameters, e.g. "[128,784]·[784,128]" or "[128,26,26,32] axes 3,4"; '' when grouped by primitive. */
  detail: string;
  calls: number;
  /** Time inside the kernel, measured with performance.now() around the call. */
  ms: number;
  /** Floating-point operations counted as flopsOf says; null for pure data movement. */
  flops: number | null;
  /** Bytes of the output arrays; 0 when a kernel returns its input's bytes (reshape). */
  bytes: number;
}

export interface ProfileReport {
  /** Wall time of the profiled span. */
  wallMs: number;
  /** Sum of the rows' kernel time. */
  kernelMs: number;
  /** wallMs - kernelMs - overheadMs: dispatch and shape checks, the tape, the optimizer, data handling. */
  otherMs: number;
  /** The profiler's own bookkeeping after each kernel call; kept out of otherMs. */
  overheadMs: number;
  /** One row per (primitive, phase, operand shapes), slowest first. */
  rows: ProfileRow[];
}

export interface Profiled<T> {
  result: T;
  report: ProfileReport;
}

type FlopCount<P extends Prim> = (shapes: readonly Shape[], params: PrimParams[P], out: Shape) => number | null;

const perOutput = (_shapes: readonly Shape[], _params: unknown, out: Shape): number => sizeOf(out);
const perInput = (shapes: readonly Shape[]): number => sizeOf(shapes[0]);
const none = (): null => null;

/**
 * FLOPs counted per call: matmul 2·batch·m·n·k (one multiply and one add per term), affine that plus 1 per
 * output for the bias and 1 for relu (convAffine likewise, k = kh·kw·C); elementwise primitives
 * (exp and log included), comparisons, relu, reluGrad and maxGrad 1 per output element; sum, max, fold and
 * scatterAdd 1 per input element (one add or compare each); topkIndices n·log2(n) compares per row of n;
 * movement and copies (gather included) none. A primitive without an entry does not compile.
 */
const FLOPS: { [P in Prim]: FlopCount<P> } = {
  neg: perOutput, exp: perOutput, log: perOutput, sqrt: perOutput, reciprocal: perOutput, expm1: perOutput, log1p: perOutput,
  erf: perOutput, erfc: perOutput, sin: perOutput, cos: perOutput, sigmoid: perOutput, tanh: perOutput,
  floor: perOutput, round: perOutput,
  add: perOutput, mul: perOutput, less: perOutput, equal: perOutput, where: perOutput,
  relu: perOutput, reluGrad: perOutput, maxGrad: perOutput, maxPoolGrad: perOutput,
  sigmoidGrad: (_, __, out) => 3 * sizeOf(out), tanhGrad: (_, __, out) => 3 * sizeOf(out), // a difference and two products
  maxPool: (_, { kernel }, out) => kernel[0] * kernel[1] * sizeOf(out), // one compare per tap
  sumPool: (_, { kernel }, out) => kernel[0] * kernel[1] * sizeOf(out), // one add per tap
  sum: perInput, max: perInput, fold: perInput,
  matmul: (shapes, { transposeA }, out) => {
    const a = shapes[0];
    return 2 * sizeOf(out) * (transposeA ? a[a.length - 2] : a[a.length - 1]);
  },
  affine: (shapes, { activation }, out) => (2 * shapes[0][1] + (activation === 'relu' ? 2 : 1)) * sizeOf(out),
  convAffine: (shapes, { activation }, out) => (2 * sizeOf(shapes[1].slice(0, 3)) + (activation === 'relu' ? 2 : 1)) * sizeOf(out),
  convFilterGrad: ([, g], _, out) => 2 * sizeOf(g.slice(0, 3)) * sizeOf(out),
  // The product's 2·P·T·F and the bias sum's P·F (out holds T + 1 rows of F).
  convAffineGrad: ([, g], _, out) => 2 * sizeOf(g.slice(0, 3)) * sizeOf(out) - sizeOf(g),
  // The product's 2·P·T·F, then the fold's one add per patch value.
  convTranspose: ([x, kernel]) => (2 * x[3] + 1) * sizeOf(x.slice(0, 3)) * sizeOf(kernel.slice(0, 3)),
  reshape: none, permute: none, expand: none, pad: none, slice: none, concat: none, unfold: none, stopGradient: none, cast: none,
  gather: none,
  scatterAdd: perInput,
  // Per class: forward a subtract, an exp, an add and a multiply-add; backward those and the softmax's divide.
  softmaxCrossEntropy: (shapes) => 5 * sizeOf(shapes[0]),
  softmaxCrossEntropyGrad: (shapes) => 6 * sizeOf(shapes[0]),
  topkIndices: (shapes) => {
    const n = shapes[0][shapes[0].length - 1];
    return n <= 1 ? 0 : sizeOf(shapes[0]) * Math.log2(n);
  },
};

/** The FLOPs of one call of prim, as FLOPS counts them; null for pure data movement. */
export function flopsOf<P extends Prim>(prim: P, shapes: readonly Shape[], params: PrimParams[P], out: Shape): number | null {
  return (FLOPS[prim] as FlopCount<P>)(shapes, params, out);
}

/** A short description of one call's operands, the key of a row grouped by shape. */
function describeCall<P extends Prim>(prim: P, shapes: readonly Shape[], params: PrimParams[P]): string {
  if (prim === 'affine') return `${fmtShape(shapes[0])}·${fmtShape(shapes[1])}+${fmtShape(shapes[2])} ${(params as PrimParams['affine']).activation}`;
  if (prim === 'convFilterGrad') return `${fmtShape(shapes[0])} patchesᵀ·${fmtShape(shapes[1])}`;
  if (prim === 'convAffineGrad') return `${fmtShape(shapes[0])} patchesᵀ·${fmtShape(shapes[1])} and bias ${(params as PrimParams['convAffineGrad']).activation}`;
  if (prim === 'convTranspose') return `${fmtShape(shapes[0])}*${fmtShape(shapes[1])}ᵀ folded`;
  if (prim === 'convAffine') return `${fmtShape(shapes[0])}*${fmtShape(shapes[1])}+${fmtShape(shapes[2])} ${(params as PrimParams['convAffine']).activation}`;
  if (prim === 'matmul') {
    const { transposeA, transposeB } = params as PrimParams['matmul'];
    return `${fmtShape(shapes[0])}${transposeA ? 'ᵀ' : ''}·${fmtShape(shapes[1])}${transposeB ? 'ᵀ' : ''}`;
  }
  const operands = shapes.map(fmtShape).join(',');
  if (prim === 'sum' || prim === 'max' || prim === 'maxGrad') return `${operands} axes ${(params as PrimParams['sum']).axes.join(',')}`;
  if (prim === 'maxPool' || prim === 'maxPoolGrad' || prim === 'sumPool') return `${operands} window ${(params as PrimParams['maxPool']).kernel.join('x')} strides ${(params as PrimParams['maxPool']).strides.join('x')}`;
  if (prim === 'unfold' || prim === 'fold') return `${operands} window ${(params as PrimParams['unfold']).kernel.join('x')}`;
  if (prim === 'gather' || prim === 'scatterAdd') return `${operands} axis ${(params as PrimParams['gather']).axis}`;
  if (prim === 'permute') return `${operands} perm ${(params as PrimParams['permute']).perm.join(',')}`;
  return operands;
}

/** The rows and totals of one profiled span. */
class Recorder {
  private readonly started = performance.now();
  private readonly rows = new Map<string, ProfileRow>();
  private kernelMs = 0;
  private overheadMs = 0;

  add(key: string, row: Omit<ProfileRow, 'calls'>, overheadMs: number): void {
    this.kernelMs += row.ms;
    this.overheadMs += overheadMs;
    const seen = this.rows.get(key);
    if (seen === undefined) {
      this.rows.set(key, { ...row, calls: 1 });
      return;
    }
    seen.calls++;
    seen.ms += row.ms;
    seen.bytes += row.bytes;
    if (seen.flops !== null && row.flops !== null) seen.flops += row.flops;
  }

  report(): ProfileReport {
    const wallMs = performance.now() - this.started;
    const rows = [...this.rows.values()].map((r) => ({ ...r })).sort((a, b) => b.ms - a.ms);
    return { wallMs, kernelMs: this.kernelMs, overheadMs: this.overheadMs, otherMs: Math.max(0, wallMs - this.kernelMs - this.overheadMs), rows };
  }
}

/** A result that starts where an input starts in the same buffer is that input's bytes (reshape), not new ones. */
function sharesInput(inputs: readonly TypedArray[], result: TypedArray): boolean {
  return inputs.some((x) => x.buffer === result.buffer && x.byteOffset === result.byteOffset);
}

const recorders: Recorder[] = [];

/** True while some profile records: the dispatcher then runs kernels through profiledKernel. */
export function isProfiling(): boolean {
  return recorders.length > 0;
}

/** Runs a kernel for the dispatcher and records its time, FLOPs and output bytes in every active profile. */
export function profiledKernel<P extends Prim>(
  prim: P, kernel: Kernel<P>, inputs: readonly TypedArray[], shapes: readonly Shape[], params: PrimParams[P], out: KernelOutput,
): TypedArray {
  const start = performance.now();
  const result = kernel(inputs, shapes, params, out);
  const end = performance.now();
  const phase: ProfilePhase = inBackwardPass() ? 'backward' : 'forward';
  const detail = describeCall(prim, shapes, params);
  const row = { prim, phase, detail, ms: end - start, flops: flopsOf(prim, shapes, params, out.shape), bytes: sharesInput(inputs, result) ? 0 : result.byteLength };
  const key = `${prim}|${phase}|${detail}`;
  const overhead = performance.now() - end;
  for (const recorder of recorders) recorder.add(key, row, overhead);
  return result;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Runs fn and reports where its time went, per primitive: calls, kernel ms, FLOPs and bytes allocated,
 * plus the time outside kernels. An async fn is profiled until its promise settles; kernels that other
 * async work runs meanwhile are counted too. Profiles may nest: each sees every kernel of its span.
 */
export function profile<T>(fn: () => Promise<T>): Promise<Profiled<T>>;
export function profile<T>(fn: () => T): Profiled<T>;
export function profile<T>(fn: () => T | Promise<T>): Profiled<T> | Promise<Profiled<T>> {
  if (typeof fn !== 'function') throw new ConfigError(`profile: expected a function to run, got ${describeValue(fn)}`);
  const recorder = new Recorder();
  recorders.push(recorder);
  const stop = (): ProfileReport => {
    recorders.splice(recorders.indexOf(recorder), 1);
    return recorder.report();
  };
  let result: T | Promise<T>;
  try {
    result = fn();
  } catch (error) {
    stop();
    throw error;
  }
  if (!isThenable(result)) return { result, report: stop() };
  return Promise.resolve(result).then(
    (value) => ({ result: value, report: stop() }),
    (error: unknown) => {
      stop();
      throw error;
    },
  );
}

/** SEMIFLOW_PROFILE=1 (or =shapes) profiles the whole process and prints the table on stderr at exit. */
function profileProcess(setting: string): void {
  if (setting === '' || setting === '0') return;
  if (setting !== '1' && setting !== 'shapes') {
    throw new ConfigError(`SEMIFLOW_PROFILE must be 1 (a row per primitive), shapes (a row per operand shapes) or 0, got ${JSON.stringify(setting)}`);
  }
  const recorder = new Recorder();
  recorders.push(recorder);
  process.on('exit', () => {
    const by = setting === 'shapes' ? 'shape' : 'prim';
    process.stderr.write(`${formatProfile(recorder.report(), { by, title: `SEMIFLOW_PROFILE: the whole process (pid ${process.pid})` })}\n`);
  });
}

if (typeof process !== 'undefined') profileProcess(process.env.SEMIFLOW_PROFILE ?? '');
