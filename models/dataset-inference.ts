import { allocate } from '../core/buffer-pool.ts';
import { releaseBufferPool, withBufferScope } from '../core/buffer-scope.ts';
import { ValueError, prefixError } from '../core/errors.ts';
import { checkOptionKeys, positiveInt } from '../core/options.ts';
import { noGrad } from '../core/tape.ts';
import { Tensor } from '../core/tensor.ts';
import { Dataset } from '../data/dataset.ts';
import type { Compiled } from './compile.ts';
import type { DatasetLike } from './dataset-elements.ts';
import { BatchShapes, isDataset, iterationOf, partNames, predictInputs, trainParts } from './dataset-elements.ts';
import { emptyHint } from './dataset-source.ts';
import type { PredictOptions } from './inference.ts';
import { RunningLogs, checkTargets, evaluateBatch, predictBatches, progressBarFor } from './inference.ts';
import type { Model, TensorOrList } from './model.ts';
import type { ProgressBar, Verbosity } from './progress.ts';

export interface DatasetInferenceOptions {
  /** Batches to take from the dataset (default: all of it). */
  steps?: number;
  /** As for tensors: 'auto' (default), 0, 1 or 2. */
  verbose?: Verbosity | 'auto';
}

/** Which pass to read: fit's validation passes its epoch and seed, so a shuffled validation set follows them. */
export interface PassOf { epoch: number; seed?: number }

/**
 * Runs `each` on the dataset's batches (at most `steps`), with a progress bar, under noGrad and with the pool
 * released at the end; an open pass is closed. Returns the number of batches, refusing a dataset that gave none.
 */
async function forEachBatch(dataset: DatasetLike<unknown>, options: DatasetInferenceOptions, who: string, pass: PassOf,
  each: (element: unknown, b: number, bar: ProgressBar | undefined) => void): Promise<{ count: number; bar: ProgressBar | undefined }> {
  checkOptionKeys(options, ['steps', 'verbose'], who);
  const steps = options.steps === undefined ? undefined : positiveInt(options.steps, 'steps', who);
  const size = dataset instanceof Dataset && dataset.size !== undefined && Number.isFinite(dataset.size) ? dataset.size : undefined;
  const bar = progressBarFor(options.verbose, steps === undefined ? size : Math.min(steps, size ?? steps), who);
  const iterator = iterationOf(dataset, pass.epoch, pass.seed);
  let count = 0;
  let finished = false;
  try {
    while (steps === undefined || count < steps) {
      const result = await iterator.next();
      if (result.done === true) {
        finished = true;
        break;
      }
      noGrad(() => each(result.value, count, bar));
      count++;
    }
  } catch (error) {
    throw prefixError(error, who);
  } finally {
    if (!finished) await iterator.return?.();
    releaseBufferPool();
  }
  if (count === 0) throw new ValueError(`${who}: the dataset gave no batch${emptyHint(dataset)}`);
  return { count, bar };
}

/**
 * The loss and metrics over a dataset's batches, each weighted by its size, as evaluate over tensors. The sample
 * weights of [x, y, sampleWeight] batches are not used: evaluation is not weighted, as with tensors.
 */
export async function evaluateDataset(model: Model, compiled: Compiled, dataset: DatasetLike<unknown>, options: DatasetInferenceOptions,
  where: string, pass: PassOf = { epoch: 0 }, onBatch?: (done: number) => void): Promise<Record<string, number>> {
  const who = `${model.name}.${where}`;
  const running = new RunningLogs(compiled);
  const shapes = new BatchShapes();
  const { bar } = await forEachBatch(dataset, options, who, pass, (element, b, progress) => {
    const label = `dataset batch ${b}`;
    const { x, y } = trainParts(element, who, label);
    const xs = model.checkInputs(x, where, `${label} xs`);
    const ys = checkTargets(model, xs, y, where, [`${label} xs`, `${label} ys`]);
    shapes.check([...xs, ...ys], who, label, partNames(model, xs.length));
    evaluateBatch(model, compiled, running, xs, ys);
    if (progress?.live === true) progress.update(b + 1, running.logs);
    onBatch?.(b + 1);
  });
  const logs = running.logs;
  bar?.finish(logs);
  return logs;
}

/** The outputs for every batch of a dataset, gathered into one tensor per output (rows in the dataset's order). */
export async function predictDataset(model: Model, dataset: DatasetLike<unknown>, options: DatasetInferenceOptions, method = 'predict'): Promise<Tensor[]> {
  const who = `${model.name}.${method}`;
  const shapes = new BatchShapes();
  const parts: (Float32Array | Float64Array)[][] = model.outputNames.map(() => []);
  let rows = 0;
  const { bar } = await forEachBatch(dataset, options, who, { epoch: 0 }, (element, b, progress) => {
    const label = `dataset batch ${b}`;
    const xs = model.checkInputs(predictInputs(element, who, label), method, `${label} xs`);
    shapes.check(xs, who, label, partNames(model, xs.length));
    // Only copies outlive the batch, so its arrays go back to the pool for the next one.
    withBufferScope(() => model.forwardAll(xs).forEach((out, o) => parts[o].push(out.storage.slice())), () => []);
    rows += xs[0].shape[0];
    progress?.update(b + 1);
  });
  bar?.finish();
  const sampleShapes = model.outputShapes as readonly (readonly number[])[];
  return parts.map((chunks, o) => {
    const out = allocate(model.dtype, chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return new Tensor(out, [rows, ...sampleShapes[o]]);
  });
}

/** predict's two forms: tensors now, or a dataset's outputs later (a promise). */
export function predictAny(model: Model, x: unknown, options: PredictOptions | DatasetInferenceOptions): Tensor[] | Promise<Tensor[]> {
  return isDataset(x) ? predictDataset(model, x, options as DatasetInferenceOptions) : predictBatches(model, x as TensorOrList, options as PredictOptions);
}
