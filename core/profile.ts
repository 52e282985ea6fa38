import type { TypedArray } from './dtype.ts';
import { ConfigError, describeValue, fmtShape } from './errors.ts';
import type { Kernel, KernelOutput } from './kernels/kernel.ts';
import { checkOptionKeys, oneOf, positiveInt } from './options.ts';
import type { Prim, PrimParams } from './primitives.ts';
import type { Shape } from './shape.ts';
import { sizeOf } from './shape.ts';

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

/**
 * FLOPs counted per call: matmul 2·batch·m·n·k (one multiply and one add per term); elementwise primitives
 * (exp and log included), comparisons, relu, reluGrad and maxGrad 1 per output element; sum, max, fold and
 * scatterAdd 1 per input element (one add or compare each); topkIndices n·log2(n) compares per row of n;
 * movement and copies (reshape permute expand pad slice concat unfold gather stopGradient cast) none.
 */
export function flopsOf<P extends Prim>(prim: P, shapes: readonly Shape[], params: PrimParams[P], out: Shape): number | null {
  switch (prim) {
    case 'matmul': {
      const { transposeA } = params as PrimParams['matmul'];
      const a = shapes[0];
      const k = transposeA ? a[a.length - 2] : a[a.length - 1];
      return 2 * sizeOf(out) * k;
    }
    case 'neg': case 'exp': case 'log': case 'sqrt': case 'reciprocal': case 'expm1': case 'log1p':
    case 'add': case 'mul': case 'less': case 'equal': case 'where': case 'relu': case 'reluGrad': case 'maxGrad':
      return sizeOf(out);
    case 'sum': case 'max': case 'fold': case 'scatterAdd':
      return sizeOf(shapes[0]);
    case 'topkIndices': {
      const n = shapes[0][shapes[0].length - 1];
      return n <= 1 ? 0 : sizeOf(shapes[0]) * Math.log2(n);
    }
    default:
      return null;
  }
}

/** A short description of one call's operands, the key of a row grouped by shape. */
function describeCall<P extends Prim>(prim: P, shapes: readonly Shape[], params: PrimParams[P]): string {
  if (prim === 'matmul') {
    const { transposeA, transposeB } = params as PrimParams['matmul'];
    return `${fmtShape(shapes[0])}${transposeA ? 'ᵀ' : ''}·${fmtShape(shapes[1])}${transposeB ? 'ᵀ' : ''}`;
  }
  const operands = shapes.map(fmtShape).join(',');
  if (prim === 'sum' || prim === 'max' || prim === 'maxGrad') return `${operands} axes ${(params as PrimParams['sum']).axes.join(',')}`;
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
let backwardDepth = 0;

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

/** Whether the tape's backward walk is running. */
export function inBackwardPass(): boolean {
  return backwardDepth > 0;
}

/** Runs the tape's backward walk so that the kernels it calls are tagged 'backward'. */
export function duringBackward<T>(fn: () => T): T {
  backwardDepth++;
  try {
    return fn();
  } finally {
    backwardDepth--;
  }
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

export interface FormatProfileOptions {
  /** 'prim' (default) sums each primitive's calls per phase; 'shape' keeps one row per operand shapes. */
  by?: 'prim' | 'shape';
  /** Show at most this many rows; the rest are summed into one line. */
  top?: number;
  title?: string;
}

/** Sums rows that share a primitive and phase. */
function byPrimitive(rows: readonly ProfileRow[]): ProfileRow[] {
  const merged = new Map<string, ProfileRow>();
  for (const r of rows) {
    const key = `${r.prim}|${r.phase}`;
    const seen = merged.get(key);
    if (seen === undefined) {
      merged.set(key, { ...r, detail: '' });
      continue;
    }
    seen.calls += r.calls;
    seen.ms += r.ms;
    seen.bytes += r.bytes;
    seen.flops = seen.flops === null || r.flops === null ? null : seen.flops + r.flops;
  }
  return [...merged.values()].sort((a, b) => b.ms - a.ms);
}

const fixed = (value: number, digits: number): string => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The report as a text table: one row per primitive (and phase), then the time outside kernels and the total. */
export function formatProfile(report: ProfileReport, options: FormatProfileOptions = {}): string {
  checkOptionKeys(options, ['by', 'top', 'title'], 'formatProfile');
  const by = oneOf(options.by ?? 'prim', ['prim', 'shape'] as const, 'by', 'formatProfile');
  const top = options.top === undefined ? Infinity : positiveInt(options.top, 'top', 'formatProfile');
  const rows = by === 'prim' ? byPrimitive(report.rows) : report.rows;
  const wall = report.wallMs;
  const percent = (ms: number): string => (wall > 0 ? `${fixed((100 * ms) / wall, 1)}%` : '-');
  const table: string[][] = [['primitive', 'phase', 'calls', 'total ms', '% wall', 'ms/call', 'GFLOP/s', 'MB out']];
  if (by === 'shape') table[0].splice(2, 0, 'operands');
  const shown = rows.slice(0, top);
  for (const r of shown) {
    const gflops = r.flops === null || r.ms === 0 ? '-' : fixed(r.flops / r.ms / 1e6, 2);
    const line = [r.prim, r.phase, String(r.calls), fixed(r.ms, 1), percent(r.ms), fixed(r.ms / r.calls, 3), gflops, fixed(r.bytes / 1e6, 1)];
    if (by === 'shape') line.splice(2, 0, r.detail);
    table.push(line);
  }
  const pad = by === 'shape' ? [''] : [];
  const blank = (label: string, ms: number, calls = ''): string[] => [label, '', ...pad, calls, fixed(ms, 1), percent(ms), '', '', ''];
  const rest = rows.slice(top);
  if (rest.length > 0) {
    table.push(blank(`(${rest.length} more rows)`, rest.reduce((s, r) => s + r.ms, 0), String(rest.reduce((s, r) => s + r.calls, 0))));
  }
  const phaseMs = (phase: ProfilePhase): number => report.rows.filter((r) => r.phase === phase).reduce((s, r) => s + r.ms, 0);
  table.push(blank('kernels, forward', phaseMs('forward')));
  table.push(blank('kernels, backward', phaseMs('backward')));
  table.push(blank('other (JS, tape, optimizer)', report.otherMs));
  table.push(blank('profiler bookkeeping', report.overheadMs));
  table.push(blank('wall', wall));
  const widths = table[0].map((_, c) => Math.max(...table.map((line) => line[c].length)));
  const numeric = new Set(by === 'shape' ? [3, 4, 5, 6, 7, 8] : [2, 3, 4, 5, 6, 7]);
  const render = (line: string[]): string => line.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const rule = '-'.repeat(widths.reduce((s, w) => s + w + 2, -2));
  const totalsAt = table.length - 5;
  const lines = table.map(render);
  lines.splice(totalsAt, 0, rule);
  lines.splice(1, 0, rule);
  const title = options.title === undefined ? [] : [options.title];
  const legend = 'GFLOP/s counts matmul as 2·m·n·k, elementwise ops 1 per output element, sum/max/fold 1 per input element; MB out: new output arrays.';
  return [...title, ...lines, legend].join('\n');
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
