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
import type { Compiled, CompiledOutput } from './compile.ts';
import { maskedLoss, weightedLoss } from './sample-weights.ts';
import type { MetricState } from './metrics.ts';
import { ProgressBar, checkVerbosity } from './progress.ts';
import type { Verbosity } from './progress.ts';
import { rowsPerPass } from './row-wise.ts';
import { refuseDataset } from './dataset-elements.ts';
import type { Model, TensorOrList } from './model.ts';
import { atSite } from '../core/debug-numerics.ts';
import { add, mul } from '../core/ops/index.ts';
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

/**
 * The loss summed over the batches so far, each batch weighted by its size, and each metric's state (made anew per
 * epoch). With several outputs the logs also hold each output's loss and metrics, prefixed with its name
 * (`out_loss`, `out_accuracy`).
 */
export class RunningLogs {
  private seen = 0;
  private lossSum = 0;
  private readonly outputLossSums: number[];
  private readonly states: MetricState[][];

  constructor(private readonly compiled: Compiled) {
    this.outputLossSums = compiled.outputs.map(() => 0);
    this.states = compiled.outputs.map((o) => o.metrics.map((m) => m.state()));
  }

  /** `outputLosses` holds each output's loss when there are several. */
  add(loss: number, outputLosses: readonly number[], ys: readonly Tensor[], outs: readonly Tensor[], logits: boolean): void {
    const rows = ys[0].shape[0];
    this.seen += rows;
    this.lossSum += loss * rows;
    outputLosses.forEach((l, i) => { this.outputLossSums[i] += l * rows; });
    this.compiled.outputs.forEach((output, o) => this.states[o].forEach((s) => s.update(ys[o], outs[o], logits && output.fusedLayer !== null)));
  }

  /** The rows added so far. */
  get samples(): number {
    return this.seen;
  }

  get logs(): Record<string, number> {
    const logs: Record<string, number> = { loss: this.lossSum / this.seen };
    const outputs = this.compiled.outputs;
    const prefix = (o: number): string => (outputs.length > 1 ? `${outputs[o].name}_` : '');
    if (outputs.length > 1) outputs.forEach((output, o) => { logs[`${output.name}_loss`] = this.outputLossSums[o] / this.seen; });
    outputs.forEach((output, o) => output.metrics.forEach((m, i) => { logs[`${prefix(o)}${m.name}`] = this.states[o][i].result(); }));
    return logs;
  }
}

/**
 * The loss training minimises: Σ weight · loss over the outputs, each with its (possibly fused) training loss, each
 * sample's loss weighted when `weights` (one per sample) are given, and each step's by an output's mask. One
 * output of weight 1 is its loss alone, so a Sequential's steps are what they were before models had several outputs.
 */
export function totalLoss(
  compiled: Compiled, ys: readonly Tensor[], outs: readonly Tensor[], each?: Tensor[], weights?: Tensor, masks: readonly (Tensor | undefined)[] = [],
): Tensor {
  const lossOf = (o: CompiledOutput, i: number): Tensor => {
    const mask = masks[i];
    if (mask !== undefined) return maskedLoss(o.trainingLoss, ys[i], outs[i], mask, weights, o.loss.name);
    return weights === undefined ? o.trainingLoss.compute(ys[i], outs[i]) : weightedLoss(o.trainingLoss, ys[i], outs[i], weights, o.loss.name);
  };
  const losses = compiled.outputs.map((o, i) => atSite(`loss ${o.trainingLoss.name}`, () => lossOf(o, i)));
  each?.push(...losses);
  const [only] = compiled.outputs;
  if (losses.length === 1 && only.weight === 1) return losses[0];
  return losses.map((l, i) => mul(l, compiled.outputs[i].weight)).reduce((a, b) => add(a, b));
}

/** One target per output, each with as many rows as the inputs. */
export function checkTargets(model: Model, xs: readonly Tensor[], y: unknown, where: string, names = ['x', 'y']): Tensor[] {
  const count = model.outputNames.length;
  const list = Array.isArray(y) ? y : [y];
  if (list.length !== count) {
    throw new ValueError(`${model.name}.${where}: ${names[1]} must be ${count === 1 ? 'one Tensor' : `a list of ${count} tensors, one per output (${model.outputNames.join(', ')})`}, got ${Array.isArray(y) ? `a list of ${y.length}` : y instanceof Tensor ? 'one Tensor' : describeValue(y)}`);
  }
  const rows = xs[0].shape[0];
  return list.map((t: unknown, i) => {
    const name = count === 1 ? names[1] : `${names[1]}[${i}]`;
    if (!(t instanceof Tensor)) throw new ValueError(`${model.name}.${where}: ${name} must be a Tensor, got ${describeValue(t)}`);
    if (t.rank === 0 || t.shape[0] !== rows) {
      throw new ShapeError(`${model.name}.${where}: ${names[0]} has ${rows} samples but ${name} ${t.rank === 0 ? 'is a scalar' : `has ${t.shape[0]}`} (shapes ${fmtShape(xs[0].shape)} and ${fmtShape(t.shape)})`);
    }
    checkFiniteData(t, `${model.name}.${where}`, name);
    return t;
  });
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
  return { batchSize, bar: progressBarFor(options.verbose, Math.ceil(rows / batchSize), where) };
}

/** evaluate's and predict's bar: 'auto' (the default) is live on a TTY for more than one batch (or an unknown number), else none. */
export function progressBarFor(verbose: unknown, steps: number | undefined, where: string): ProgressBar | undefined {
  const stream = platform.stdout;
  const level = (verbose ?? 'auto') === 'auto' ? (stream.isTTY === true && (steps === undefined || steps > 1) ? 1 : 0) : checkVerbosity(verbose, where);
  return level === 0 || steps === 0 ? undefined : new ProgressBar(steps, { verbose: level, stream });
}

/** The outputs for every row of x, computed batchSize rows at a time and gathered into one tensor per output. */
export function predictBatches(model: Model, x: TensorOrList, options: PredictOptions, method = 'predict'): Tensor[] {
  const where = `${model.name}.${method}`;
  try {
    refuseDataset(x, where, 'x', 'predict(dataset) takes one');
    const xs = model.checkInputs(x, method);
    const rows = xs[0].shape[0];
    const { batchSize, bar } = settingsOf(options, rows, where);
    const sampleShapes = model.outputShapes as readonly (readonly number[])[];
    const rowSizes = sampleShapes.map(sizeOf);
    const outs = rowSizes.map((size) => allocate(model.dtype, rows * size));
    // A CNN batch of 1,000 MNIST images in one pass peaked at 1.5 GB of RSS, in passes of 107 rows at 0.54 GB, and ran faster.
    const passRows = rowsPerPass(model, batchSize);
    try {
      noGrad(() => {
        for (let start = 0, step = 1; start < rows; start += batchSize, step++) {
          const end = Math.min(start + batchSize, rows);
          // Only the copied values outlive a pass, so its arrays go back to the pool for the next one.
          for (let from = start; from < end; from += passRows) {
            const to = Math.min(from + passRows, end);
            withBufferScope(() => model.forwardAll(xs.map((t) => sliceRows(t, from, to)))
              .forEach((out, o) => outs[o].set(out.storage, from * rowSizes[o])), () => []);
          }
          if (end < rows) bar?.update(step);
        }
      });
    } finally {
      releaseBufferPool(); // a batch of 1,000 CNN inputs pools hundreds of MB
    }
    bar?.finish();
    return outs.map((out, o) => new Tensor(out, [rows, ...sampleShapes[o]]));
  } catch (error) {
    throw prefixError(error, where);
  }
}

/** Adds one batch's loss and metrics to `running`, in a buffer scope (its arrays go back to the pool); call under noGrad. */
export function evaluateBatch(model: Model, compiled: Compiled, running: RunningLogs, xs: readonly Tensor[], ys: readonly Tensor[]): void {
  const logits = compiled.outputs.some((o) => o.fusedLayer !== null);
  withBufferScope(() => {
    const masks: (Tensor | undefined)[] = [];
    const outs = model.forwardAll(xs, { logits, outputMasks: masks });
    const each: Tensor[] = [];
    const loss = totalLoss(compiled, ys, outs, each, undefined, masks).item();
    running.add(loss, compiled.outputs.length > 1 ? each.map((l) => l.item()) : [], ys, outs, logits);
  }, () => []);
}

/**
 * The loss and metrics over all rows, each batch weighted by its size. Uses the training (possibly fused) loss.
 * `onBatch(done, total)` follows the batches (fit shows its validation with it).
 */
export function evaluateBatches(
  model: Model, compiled: Compiled, x: TensorOrList, y: TensorOrList, options: EvaluateOptions, where: string,
  onBatch?: (done: number, total: number) => void,
): Record<string, number> {
  const who = `${model.name}.${where}`;
  try {
    [x, y].forEach((t, i) => refuseDataset(t, who, i === 0 ? 'x' : 'y', 'evaluate(dataset) and fit(dataset, { validationData: dataset }) take one, with batches { xs, ys } or [x, y]'));
    const xs = model.checkInputs(x, where);
    const ys = checkTargets(model, xs, y, where);
    const rows = xs[0].shape[0];
    if (rows === 0) throw new ValueError(`${who}: x has no samples (shape ${fmtShape(xs[0].shape)}); the loss of nothing is undefined`);
    const { batchSize, bar } = settingsOf(options, rows, who);
    const running = new RunningLogs(compiled);
    try {
      noGrad(() => {
        for (let start = 0, step = 1; start < rows; start += batchSize, step++) {
          const end = Math.min(start + batchSize, rows);
          evaluateBatch(model, compiled, running, xs.map((t) => sliceRows(t, start, end)), ys.map((t) => sliceRows(t, start, end)));
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
