import { ConfigError, ValueError, describeValue, fmtShape } from '../core/errors.ts';
import { rngFrom } from '../core/random.ts';
import type { Tensor } from '../core/tensor.ts';
import { sliceRows } from '../data/batches.ts';
import { Dataset } from '../data/dataset.ts';
import type { BatchSource, Shard } from './batch-stream.ts';
import { ArraySource, shareOf } from './batch-stream.ts';
import type { Compiled } from './compile.ts';
import type { DatasetLike } from './dataset-elements.ts';
import { isDataset } from './dataset-elements.ts';
import { evaluateDataset } from './dataset-inference.ts';
import { DatasetSource } from './dataset-source.ts';
import type { FitOptions, FitSettings } from './fit-options.ts';
import type { FitParallel } from './fit-parallel.ts';
import { RunningLogs, checkTargets, evaluateBatches } from './inference.ts';
import { checkLossTargets } from './loss-targets.ts';
import type { Model } from './model.ts';
import { trainingWeights } from './sample-weights.ts';

type Pair = readonly [Tensor[], Tensor[]];

/** The loss and metrics on the validation data after an epoch; onBatch(done, total) follows its batches. */
export type Validate = (epoch: number, onBatch: (done: number, total: number | undefined) => void) => Promise<Record<string, number>>;

/** What fit trains and validates on, and the seed of its shuffles and dropout. */
export interface FitData {
  source: BatchSource;
  validate: Validate | undefined;
  /** The validation tensors, for the training report (none from a dataset). */
  validationTensors: Pair | undefined;
  /** The training rows of tensors (none for a dataset). */
  rows: number | undefined;
}

/** fit's seed: the option's, else the model's, else a draw from the global generator. */
export function fitSeed(model: Model, options: FitOptions): number {
  return options.seed ?? model.seed ?? rngFrom(undefined).nextUint32();
}

/**
 * Validation on tensors: alone, all rows; in a group, this rank's share of them, then the mean over the ranks.
 * A rank whose share is empty evaluates nothing and adds nothing.
 */
function validateTensors(model: Model, compiled: Compiled, [x, y]: Pair, batchSize: number, parallel: Pick<FitParallel, 'reduceLogs'>, shard: Shard | undefined): Validate {
  const [start, end] = shard === undefined ? [0, x[0].shape[0]] : shareOf(x[0].shape[0], shard);
  const part = (ts: Tensor[]): Tensor[] => (shard === undefined ? ts : ts.map((t) => sliceRows(t, start, end)));
  const [xs, ys] = [part(x), part(y)];
  const empty = new RunningLogs(compiled).logs;
  return async (_epoch, onBatch) => {
    const logs = end > start ? evaluateBatches(model, compiled, xs, ys, { batchSize, verbose: 0 }, 'fit', onBatch) : empty;
    return parallel.reduceLogs(logs, end - start);
  };
}

/** validationData as tensors [x, y], checked. */
function validationTensors(model: Model, data: unknown, who: string): Pair {
  if (!Array.isArray(data) || data.length !== 2) throw new ConfigError(`${who}: validationData must be [x, y] or a dataset, got ${describeValue(data)}`);
  const valX = model.checkInputs(data[0], 'fit', 'validationData x');
  if (valX[0].shape[0] === 0) throw new ValueError(`${who}: validationData x has no samples (shape ${fmtShape(valX[0].shape)})`);
  return [valX, checkTargets(model, valX, data[1], 'fit', ['validationData x', 'validationData y'])];
}

/** The training tensors, less a validationSplit's tail, which is returned for validation (Keras takes it before shuffling). */
function splitTensors(model: Model, compiled: Compiled, x: unknown, y: unknown, options: FitOptions, split: number, who: string) {
  const xs = model.checkInputs(x, 'fit');
  const ys = checkTargets(model, xs, y, 'fit');
  if (xs[0].shape[0] === 0) throw new ValueError(`${who}: x has no samples (shape ${fmtShape(xs[0].shape)}); there is nothing to train on`);
  const weights = trainingWeights(model, compiled, options.sampleWeight, options.classWeight, ys, who);
  checkLossTargets(model, compiled, ys);
  const rows = xs[0].shape[0];
  const trainRows = rows - Math.floor(rows * split);
  if (split > 0 && options.validationData !== undefined) throw new ConfigError(`${who}: give validationSplit or validationData, not both`);
  if (split > 0 && (trainRows === rows || trainRows === 0)) {
    throw new ValueError(`${who}: validationSplit ${split} of ${rows} samples leaves ${trainRows === 0 ? 'nothing to train on' : 'no validation samples'}`);
  }
  if (split === 0) return { train: { x: xs, y: ys, weights }, held: undefined };
  const head = (ts: Tensor[]): Tensor[] => ts.map((t) => sliceRows(t, 0, trainRows));
  const tail = (ts: Tensor[]): Tensor[] => ts.map((t) => sliceRows(t, trainRows, rows));
  return { train: { x: head(xs), y: head(ys), weights: weights && sliceRows(weights, 0, trainRows) }, held: [tail(xs), tail(ys)] as Pair };
}

/**
 * fit's data, checked before the first step: tensors (x, y) become an ArraySource, a dataset (x, with y undefined)
 * a DatasetSource; validation comes from validationData (tensors or a dataset) or validationSplit.
 */
export function fitData(model: Model, compiled: Compiled, x: unknown, y: unknown, options: FitOptions, settings: FitSettings, who: string,
  parallel: Pick<FitParallel, 'seed' | 'shard' | 'reduceLogs'>): FitData {
  const dataset = isDataset(x);
  if (dataset && y !== undefined) throw new ValueError(`${who}: given a dataset, the targets come in its batches ({ xs, ys } or [x, y]); call fit(dataset, options), got a second argument ${describeValue(y)}`);
  if (!dataset && isDataset(y)) throw new ValueError(`${who}: y is a dataset; give the dataset alone, fit(dataset, options), with batches { xs, ys } or [x, y]`);
  const split = dataset ? undefined : splitTensors(model, compiled, x, y, options, settings.validationSplit, who);
  const given = options.validationData;
  const heldOut = isDataset(given) ? undefined : given === undefined ? split?.held : validationTensors(model, given, who);
  if (heldOut !== undefined) checkLossTargets(model, compiled, heldOut[1]);
  const { seed, shard } = parallel;
  const source = split === undefined
    ? new DatasetSource(model, compiled, x as DatasetLike<unknown>, { stepsPerEpoch: settings.stepsPerEpoch, seed, classWeight: options.classWeight })
    : new ArraySource(split.train, settings.batchSize, settings.shuffle, seed, settings.stepsPerEpoch, shard);
  let validate: Validate | undefined;
  if (isDataset(given)) {
    const size = given instanceof Dataset ? given.size : undefined;
    const known = size !== undefined && Number.isFinite(size) ? size : undefined;
    const total = settings.validationSteps ?? known;
    validate = (epoch, onBatch) => evaluateDataset(model, compiled, given, { steps: settings.validationSteps, verbose: 0 }, 'fit', { epoch, seed },
      (done) => onBatch(done, total === undefined ? undefined : Math.min(total, known ?? total)));
  } else if (heldOut !== undefined) {
    validate = validateTensors(model, compiled, heldOut, settings.validationBatchSize, parallel, shard);
  }
  return { source, validate, validationTensors: heldOut, rows: split?.train.x[0].shape[0] };
}
