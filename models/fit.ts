import { ConfigError, ValueError, describeValue, fmtShape, prefixError } from '../core/errors.ts';
import { Rng, checkSeed, derivedSeed, rngFrom } from '../core/random.ts';
import type { Tensor } from '../core/tensor.ts';
import { sliceRows, takeRows } from '../data/batches.ts';
import { BatchStream } from './batch-stream.ts';
import { SHUFFLE_STREAM, startProgress, stateOf, trainStep } from './train-step.ts';
import { checkOptionKeys, positiveInt } from '../core/options.ts';
import { learningRateOf } from '../optim/index.ts';
import type { Callback, Logs } from './callbacks.ts';
import { CallbackList } from './callbacks.ts';
import { TerminateOnNaN } from './callbacks/terminate-on-nan.ts';
import type { Compiled } from './compile.ts';
import { releaseBufferPool } from '../core/buffer-scope.ts';
import { History } from './history.ts';
import { RunningLogs, checkTargets, evaluateBatches } from './inference.ts';
import type { Verbosity } from './progress.ts';
import { FitProgress, checkVerbosity } from './progress.ts';
import type { Model, OptimizerProgress, TensorOrList } from './model.ts';
import { platform } from '../core/platform.ts';
import { trainingReportCallback } from './report/report-seam.ts';
import type { ClassWeight } from './sample-weights.ts';
import { trainingWeights } from './sample-weights.ts';
import { checkLossTargets } from './loss-targets.ts';

export interface FitOptions {
  epochs?: number;
  /** The 0-based epoch to start at, as Keras's initial_epoch: fit runs epochs initialEpoch … epochs − 1, so a run resumed from a checkpoint shuffles as an uninterrupted one. */
  initialEpoch?: number;
  /** Keras's default is 32. */
  batchSize?: number;
  /** Reshuffle the training samples every epoch (default true). */
  shuffle?: boolean;
  /** Seeds shuffling and dropout; defaults to the model's seed, else a draw from the global generator (setSeed). */
  seed?: number;
  /** Hold out this fraction of the samples, taken from the end before shuffling (as Keras does). */
  validationSplit?: number;
  /** [x, y], each a tensor or (for a model with several inputs or outputs) a list of them. */
  validationData?: readonly [TensorOrList, TensorOrList];
  /** 0 silent, 1 a live progress bar on a TTY, 2 one line per epoch. */
  verbose?: Verbosity;
  callbacks?: Callback | readonly Callback[];
  /** The weight of each training sample's loss, a [N] tensor: the loss of a batch is Σ w·loss / N (Keras). Validation is not weighted. */
  sampleWeight?: Tensor;
  /** A weight per class (a record or list by class index), for one-hot or sparse targets: each sample gets its class's weight. */
  classWeight?: ClassWeight;
  /** Validate every n-th epoch (an integer), or after the listed 1-based epochs (a list), as Keras's validation_freq. Default 1. */
  validationFreq?: number | readonly number[];
  /** Samples per validation batch; defaults to batchSize. */
  validationBatchSize?: number;
  /** Batches per epoch; the next epoch goes on through the shuffled data where this one stopped (Keras). Default: one pass. */
  stepsPerEpoch?: number;
  /** Path of an HTML training report rewritten after every epoch: a TrainingReport on the validation data, after the other callbacks. */
  report?: string;
}

const FIT_OPTIONS = ['epochs', 'initialEpoch', 'batchSize', 'shuffle', 'seed', 'validationSplit', 'validationData', 'verbose', 'callbacks', 'report', 'sampleWeight', 'classWeight', 'validationFreq', 'validationBatchSize', 'stepsPerEpoch'] as const;


function parseOptions(options: FitOptions, who: string) {
  checkOptionKeys(options, FIT_OPTIONS, who);
  const { shuffle = true, validationSplit = 0, verbose = 1 } = options;
  if (typeof shuffle !== 'boolean') throw new ConfigError(`${who}: shuffle must be true or false, got ${describeValue(shuffle)}`);
  if (typeof validationSplit !== 'number' || !(validationSplit >= 0 && validationSplit < 1)) {
    throw new ValueError(`${who}: validationSplit must be a number in [0, 1), got ${describeValue(validationSplit)}`);
  }
  checkVerbosity(verbose, who);
  const { initialEpoch = 0 } = options;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0) throw new ValueError(`${who}: initialEpoch must be an integer >= 0, got ${describeValue(initialEpoch)}`);
  if (options.seed !== undefined) checkSeed(options.seed, who);
  if (options.report !== undefined && (typeof options.report !== 'string' || options.report === '')) {
    throw new ConfigError(`${who}: report must be the path of an HTML file, got ${describeValue(options.report)}`);
  }
  const epochs = positiveInt(options.epochs ?? 1, 'epochs', who);
  if (initialEpoch >= epochs) {
    throw new ValueError(`${who}: initialEpoch must be less than epochs, got initialEpoch ${initialEpoch} and epochs ${epochs}; fit runs epochs initialEpoch … epochs − 1, so it would train nothing`);
  }
  const batchSize = positiveInt(options.batchSize ?? 32, 'batchSize', who);
  return {
    epochs,
    initialEpoch,
    batchSize,
    stepsPerEpoch: options.stepsPerEpoch === undefined ? undefined : positiveInt(options.stepsPerEpoch, 'stepsPerEpoch', who),
    validationBatchSize: positiveInt(options.validationBatchSize ?? batchSize, 'validationBatchSize', who),
    validatesAfter: validationEpochs(options.validationFreq, who),
    shuffle, validationSplit, verbose,
    callbacks: new CallbackList(options.callbacks, who),
  };
}

/** Whether to validate after a 0-based epoch: every n-th, or the listed 1-based epochs (Keras's validation_freq). */
function validationEpochs(freq: unknown, who: string): (epoch: number) => boolean {
  if (freq === undefined) return () => true;
  if (Array.isArray(freq)) {
    if (freq.length === 0 || !freq.every((e) => Number.isInteger(e) && e >= 1)) {
      throw new ValueError(`${who}: validationFreq as a list must hold 1-based epoch numbers (integers >= 1), got ${describeValue(freq)}`);
    }
    return (epoch) => freq.includes(epoch + 1);
  }
  const every = positiveInt(freq, 'validationFreq', who);
  return (epoch) => (epoch + 1) % every === 0;
}

type Split = { x: Tensor[]; y: Tensor[]; weights: Tensor | undefined; validation: readonly [Tensor[], Tensor[]] | undefined };

/** The (x, y) lists to train and validate on; a split keeps its tail for validation. */
function splitData(model: Model, x: Tensor[], y: Tensor[], weights: Tensor | undefined, options: FitOptions, split: number, who: string): Split {
  if (options.validationData !== undefined) {
    if (split > 0) throw new ConfigError(`${who}: give validationSplit or validationData, not both`);
    const data = options.validationData;
    if (!Array.isArray(data) || data.length !== 2) throw new ConfigError(`${who}: validationData must be [x, y], got ${describeValue(data)}`);
    const valX = model.checkInputs(data[0], 'fit', 'validationData x');
    if (valX[0].shape[0] === 0) throw new ValueError(`${who}: validationData x has no samples (shape ${fmtShape(valX[0].shape)})`);
    return { x, y, weights, validation: [valX, checkTargets(model, valX, data[1], 'fit', ['validationData x', 'validationData y'])] };
  }
  const rows = x[0].shape[0];
  const trainRows = rows - Math.floor(rows * split);
  if (split > 0 && (trainRows === rows || trainRows === 0)) {
    throw new ValueError(`${who}: validationSplit ${split} of ${rows} samples leaves ${trainRows === 0 ? 'nothing to train on' : 'no validation samples'}`);
  }
  if (split === 0) return { x, y, weights, validation: undefined };
  const head = (ts: Tensor[]): Tensor[] => ts.map((t) => sliceRows(t, 0, trainRows));
  const tail = (ts: Tensor[]): Tensor[] => ts.map((t) => sliceRows(t, trainRows, rows));
  return { x: head(x), y: head(y), weights: weights && sliceRows(weights, 0, trainRows), validation: [tail(x), tail(y)] };
}

/** The training report draws one input and one output (its confusion matrix and images). */
function reportData(model: Model, validation: Split['validation'], who: string): readonly [Tensor, Tensor] | undefined {
  if (model.outputNames.length !== 1 || (validation !== undefined && validation[0].length !== 1)) {
    throw new ConfigError(`${who}: report takes a model with one input and one output; ${model.name} has ${model.outputNames.length} outputs`);
  }
  return validation === undefined ? undefined : [validation[0][0], validation[1][0]];
}

/**
 * A non-finite loss is said once per fit: training goes on (as in Keras), but not silently. Returns true (warned).
 * With TerminateOnNaN among the callbacks it stops there anyway, and says so itself.
 */
function warnNonFinite(who: string, loss: number, epoch: number, batch: number, callbacks: CallbackList): boolean {
  if (!callbacks.some((c) => c instanceof TerminateOnNaN)) {
    console.warn(`${who}: the loss is ${loss} at epoch ${epoch + 1}, batch ${batch + 1}; the weights are now likely NaN and training will not recover. `
      + 'Add the TerminateOnNaN callback to stop at the first non-finite loss with the last good weights, or turn on debugNumerics(true) to find the op that made it.');
  }
  return true;
}

/**
 * Keras's fit: per epoch, shuffle with a seeded generator, then per batch take the loss's gradient from the tape
 * and let the optimizer replace the parameters. Each step's training state is an immutable tree made from the
 * model and written back to it (stateOf, storeState), so a callback always sees the current model, and what it
 * changes (weights, the learning rate) is what the next step starts from.
 */
export async function fitModel(model: Model, compiled: Compiled, x: TensorOrList, y: TensorOrList, options: FitOptions): Promise<History> {
  const who = `${model.name}.fit`;
  let settings: ReturnType<typeof parseOptions>;
  let data: ReturnType<typeof splitData>;
  let callbacks: CallbackList;
  try {
    settings = parseOptions(options, who);
    const xs = model.checkInputs(x, 'fit');
    const ys = checkTargets(model, xs, y, 'fit');
    if (xs[0].shape[0] === 0) throw new ValueError(`${who}: x has no samples (shape ${fmtShape(xs[0].shape)}); there is nothing to train on`);
    const weights = trainingWeights(model, compiled, options.sampleWeight, options.classWeight, ys, who);
    data = splitData(model, xs, ys, weights, options, settings.validationSplit, who);
    checkLossTargets(model, compiled, data.y);
    if (data.validation !== undefined) checkLossTargets(model, compiled, data.validation[1]);
    callbacks = options.report === undefined ? settings.callbacks
      : settings.callbacks.with(trainingReportCallback({ path: options.report, validationData: reportData(model, data.validation, who), epochs: settings.epochs }), who);
  } catch (error) {
    throw prefixError(error, who);
  }
  const { epochs, batchSize, shuffle } = settings;
  const optimizer = compiled.optimizer;
  const seed = options.seed ?? model.seed ?? rngFrom(undefined).nextUint32();
  const progress = new FitProgress(settings.verbose, platform.stdout, epochs);
  const history = new History();

  const step = trainStep(model, compiled);
  let rate = learningRateOf(stateOf(model, startProgress(model, optimizer), seed), optimizer);

  const stream = new BatchStream(data.x[0].shape[0], batchSize, shuffle, (pass) => new Rng(derivedSeed(seed, SHUFFLE_STREAM, pass)));
  const steps = settings.stepsPerEpoch ?? stream.perPass;
  let warned = false;
  try {
    model.stopTraining = false;
    callbacks.setModel(model);
    await callbacks.run('onTrainBegin', {});
    let lastLogs: Logs = {};
    for (let epoch = settings.initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
      await callbacks.run('onEpochBegin', epoch, {});
      progress.epochBegin(epoch, steps);
      const running = new RunningLogs(compiled);
      for (let b = 0; b < steps && !model.stopTraining; b++) {
        const batch = stream.batch(epoch, steps, b);
        await callbacks.run('onBatchBegin', b, { size: batch.length });
        rate = learningRateOf(stateOf(model, model.optimizerProgress as OptimizerProgress, seed), optimizer);
        const lossValue = step(seed, running, () => ({
          xs: data.x.map((t) => takeRows(t, batch)),
          ys: data.y.map((t) => takeRows(t, batch)),
          weights: data.weights && takeRows(data.weights, batch),
        }));
        if (!Number.isFinite(lossValue) && !warned) warned = warnNonFinite(who, lossValue, epoch, b, callbacks);
        const logs = { ...running.logs, learning_rate: rate };
        progress.batchEnd(b + 1, logs);
        await callbacks.run('onBatchEnd', b, logs);
      }
      const logs: Record<string, number> = running.logs;
      model.validatedEpoch = settings.validatesAfter(epoch);
      if (data.validation !== undefined && model.validatedEpoch) {
        const trained = { ...logs, learning_rate: rate };
        const val = evaluateBatches(model, compiled, data.validation[0], data.validation[1], { batchSize: settings.validationBatchSize, verbose: 0 }, 'fit',
          (done, total) => progress.validating(trained, done, total));
        for (const [key, value] of Object.entries(val)) logs[`val_${key}`] = value;
      }
      logs.learning_rate = rate;
      history.record(epoch, logs);
      progress.epochEnd(logs);
      await callbacks.run('onEpochEnd', epoch, logs);
      lastLogs = logs;
    }
    await callbacks.run('onTrainEnd', lastLogs);
    return history;
  } finally {
    model.validatedEpoch = true;
    // The pool holds a step's worth of arrays (hundreds of MB for a CNN): give them back to the GC.
    releaseBufferPool();
  }
}
