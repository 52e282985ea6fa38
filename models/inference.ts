import { firstNonFinite } from '../core/dtype.ts';
import { allocate } from '../core/buffer-pool.ts';
import { ShapeError, ValueError, describeValue, fmtShape, prefixError } from '../core/errors.ts';
import { sizeOf, unravelIndex } from '../core/shape.ts';
import { noGrad } from '../core/tape.ts';
import { releaseBufferPool, withBufferScope } from '../core/buffer-scope.ts';
import { Tensor } from '../core/tensor.ts';
import { sliceRows } from '../data/batches.ts';
import { checkOptionKeys, positiveInt } from '../core/options.ts';
import type { Logs } from './callbacks.ts';
import type { Compiled } from './compile.ts';
import type { MetricState } from './metrics.ts';
import { ProgressBar, checkVerbosity } from './progress.ts';
import type { Verbosity } from './progress.ts';
import { rowsPerPass } from './row-wise.ts';
import type { Sequential } from './sequential.ts';
import { platform } from '../core/platform.ts';

export interface PredictOptions {
  /**
   * Samples per batch (a step of the progress bar); Keras's default is 32. A model of built-in layers whose
   * activations for a batch pass 16 MB computes it in smaller forward passes, with the same results.
   */
  batchSize?: number;
  /**
   * 0 silent, 1 a live progress bar on a TTY (one final line elsewhere), 2 one final line. 'auto' (the default)
   * shows the live bar on a TTY when there is more than one batch, and nothing otherwise, so that piped output
   * stays clean.
   */
  verbose?: Verbosity | 'auto';
}

export type EvaluateOptions = PredictOptions;

const DEFAULT_BATCH = 32;

/** The loss summed over the batches so far, each batch weighted by its size, and each metric's state (made anew per epoch). */
export class RunningLogs {
  private seen = 0;
  private lossSum = 0;
  private readonly states: MetricState[];

  constructor(private readonly compiled: Compiled) {
    this.states = compiled.metrics.map((m) => m.state());
  }

  add(loss: number, yb: Tensor, out: Tensor, logits: boolean): void {
    const rows = yb.shape[0];
    this.seen += rows;
    this.lossSum += loss * rows;
    this.states.forEach((s) => s.update(yb, out, logits));
  }

  get logs(): Record<string, number> {
    const logs: Record<string, number> = { loss: this.lossSum / this.seen };
    this.compiled.metrics.forEach((m, i) => { logs[m.name] = this.states[i].result(); });
    return logs;
  }
}

/** x and y must be tensors with one row per sample, the same number of rows. */
export function checkTargets(model: Sequential, x: Tensor, y: unknown, where: string, names = ['x', 'y']): Tensor {
  if (!(y instanceof Tensor)) throw new ValueError(`${model.name}.${where}: ${names[1]} must be a Tensor, got ${describeValue(y)}`);
  if (y.rank === 0 || y.shape[0] !== x.shape[0]) {
    throw new ShapeError(`${model.name}.${where}: ${names[0]} has ${x.shape[0]} samples but ${names[1]} ${y.rank === 0 ? 'is a scalar' : `has ${y.shape[0]}`} (shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)})`);
  }
  checkFiniteData(y, `${model.name}.${where}`, names[1]);
  return y;
}

/**
 * Data must be finite: NaN or ±Infinity turns every weight into NaN after one step, and relu maps NaN to 0, so a
 * prediction would not even show it. One pass (60,000 MNIST images in ~30 ms).
 */
export function checkFiniteData(t: Tensor, who: string, argument: string): void {
  const flat = firstNonFinite(t.storage);
  if (flat < 0) return;
  throw new ValueError(`${who}: ${argument} must be finite, got ${t.storage[flat]} at ${fmtShape(unravelIndex(flat, t.shape))}`);
}

function settingsOf(options: PredictOptions, rows: number, where: string): { batchSize: number; bar: ProgressBar | undefined } {
  checkOptionKeys(options, ['batchSize', 'verbose'], where);
  const batchSize = positiveInt(options.batchSize ?? DEFAULT_BATCH, 'batchSize', where);
  const verbose = options.verbose ?? 'auto';
  const steps = Math.ceil(rows / batchSize);
  const stream = platform.stdout;
  const level = verbose === 'auto' ? (stream.isTTY === true && steps > 1 ? 1 : 0) : checkVerbosity(verbose, where);
  return { batchSize, bar: level === 0 || steps === 0 ? undefined : new ProgressBar(steps, { verbose: level, stream }) };
}

/** The outputs for every row of x, computed batchSize rows at a time and gathered into one tensor. */
export function predictBatches(model: Sequential, x: Tensor, options: PredictOptions): Tensor {
  const where = `${model.name}.predict`;
  try {
    model.checkInput(x, 'predict');
    const rows = x.shape[0];
    const { batchSize, bar } = settingsOf(options, rows, where);
    const sampleShape = model.outputShape as readonly number[];
    const rowSize = sizeOf(sampleShape);
    const out = allocate(model.dtype, rows * rowSize);
    // A CNN batch of 1,000 MNIST images in one pass peaked at 1.5 GB of RSS, in passes of 107 rows at 0.54 GB, and ran faster.
    const passRows = rowsPerPass(model, batchSize);
    try {
      noGrad(() => {
        for (let start = 0, step = 1; start < rows; start += batchSize, step++) {
          const end = Math.min(start + batchSize, rows);
          // Only the copied values outlive a pass, so its arrays go back to the pool for the next one.
          for (let from = start; from < end; from += passRows) {
            const to = Math.min(from + passRows, end);
            withBufferScope(() => out.set(model.forward(sliceRows(x, from, to)).storage, from * rowSize), () => []);
          }
          if (end < rows) bar?.update(step);
        }
      });
    } finally {
      releaseBufferPool(); // a batch of 1,000 CNN inputs pools hundreds of MB
    }
    bar?.finish();
    return new Tensor(out, [rows, ...sampleShape]);
  } catch (error) {
    throw prefixError(error, where);
  }
}

/**
 * The loss and metrics over all rows, each batch weighted by its size. Uses the training (possibly fused) loss.
 * `onBatch(done, total)` follows the batches (fit shows its validation with it).
 */
export function evaluateBatches(
  model: Sequential, compiled: Compiled, x: Tensor, y: Tensor, options: EvaluateOptions, where: string,
  onBatch?: (done: number, total: number) => void,
): Record<string, number> {
  const who = `${model.name}.${where}`;
  try {
    model.checkInput(x, where);
    checkTargets(model, x, y, where);
    const rows = x.shape[0];
    if (rows === 0) throw new ValueError(`${who}: x has no samples (shape ${fmtShape(x.shape)}); the loss of nothing is undefined`);
    const { batchSize, bar } = settingsOf(options, rows, who);
    const logits = compiled.fusedLayer !== null;
    const running = new RunningLogs(compiled);
    try {
      noGrad(() => {
        for (let start = 0, step = 1; start < rows; start += batchSize, step++) {
          const end = Math.min(start + batchSize, rows);
          withBufferScope(() => {
            const yb = sliceRows(y, start, end);
            const out = model.forward(sliceRows(x, start, end), { logits });
            running.add(compiled.trainingLoss.compute(yb, out).item(), yb, out, logits);
          }, () => []);
          if (bar?.live === true && end < rows) bar.update(step, running.logs);
          onBatch?.(step, Math.ceil(rows / batchSize));
        }
      });
    } finally {
      releaseBufferPool(); // a batch of 1,000 CNN inputs pools hundreds of MB
    }
    const logs = running.logs;
    bar?.finish(logs);
    return logs satisfies Logs;
  } catch (error) {
    throw prefixError(error, who);
  }
}
