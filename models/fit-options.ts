import { ConfigError, ValueError, describeValue } from '../core/errors.ts';
import { checkSeed } from '../core/random.ts';
import type { Tensor } from '../core/tensor.ts';
import { checkOptionKeys, positiveInt } from '../core/options.ts';
import type { Communicator } from '../distributed/communicator.ts';
import { checkCommunicator } from '../distributed/check.ts';
import type { Callback } from './callbacks.ts';
import { CallbackList } from './callbacks.ts';
import type { DatasetLike, TrainBatch } from './dataset-elements.ts';
import { isDataset, refuseArrayOptions } from './dataset-elements.ts';
import type { TensorOrList } from './model.ts';
import type { Verbosity } from './progress.ts';
import { checkVerbosity } from './progress.ts';
import type { ClassWeight } from './sample-weights.ts';

export interface FitOptions {
  epochs?: number;
  /** The 0-based epoch to start at, as Keras's initial_epoch: fit runs epochs initialEpoch … epochs − 1, so a run resumed from a checkpoint shuffles as an uninterrupted one. */
  initialEpoch?: number;
  /** Keras's default is 32. Tensors only: a dataset's elements are batches already. */
  batchSize?: number;
  /** Reshuffle the training samples every epoch (default true). Tensors only: shuffle a dataset with dataset.shuffle(n). */
  shuffle?: boolean;
  /** Seeds shuffling and dropout; defaults to the model's seed, else a draw from the global generator (setSeed). */
  seed?: number;
  /** Hold out this fraction of the samples, taken from the end before shuffling (as Keras does). */
  validationSplit?: number;
  /** [x, y], each a tensor or (for a model with several inputs or outputs) a list of them; or a dataset of batches. */
  validationData?: readonly [TensorOrList, TensorOrList] | DatasetLike<TrainBatch>;
  /** With a validation dataset: the batches to validate on (default: all of it). */
  validationSteps?: number;
  /** 0 silent, 1 a live progress bar on a TTY, 2 one line per epoch. */
  verbose?: Verbosity;
  callbacks?: Callback | readonly Callback[];
  /** The weight of each training sample's loss, a [N] tensor: the loss of a batch is Σ w·loss / N (Keras). Validation is not weighted. */
  sampleWeight?: Tensor;
  /** A weight per class (a record or list by class index), for one-hot or sparse targets: each sample gets its class's weight. */
  classWeight?: ClassWeight;
  /** Validate every n-th epoch (an integer), or after the listed 1-based epochs (a list), as Keras's validation_freq. Default 1. */
  validationFreq?: number | readonly number[];
  /** Samples per validation batch of tensors; defaults to batchSize. */
  validationBatchSize?: number;
  /**
   * Batches per epoch; the next epoch goes on through the shuffled data, or the dataset, where this one stopped
   * (Keras). Default: one pass. A dataset that runs out first ends the epoch there (with a warning once).
   */
  stepsPerEpoch?: number;
  /** Path of an HTML training report rewritten after every epoch: a TrainingReport on the validation data, after the other callbacks. */
  report?: string;
  /**
   * Train data-parallel with the other ranks of this communicator: batchSize is the global batch, of which each rank
   * trains on its contiguous share; rank 0's weights and optimizer state start every rank; the gradients are summed
   * over the ranks before one identical step everywhere. Rank 0 shows progress and writes files.
   */
  distributed?: Communicator;
}

const FIT_OPTIONS = ['epochs', 'initialEpoch', 'batchSize', 'shuffle', 'seed', 'validationSplit', 'validationData', 'verbose', 'callbacks', 'report', 'sampleWeight', 'classWeight', 'validationFreq', 'validationBatchSize', 'validationSteps', 'stepsPerEpoch', 'distributed'] as const;

/** fit's options, checked; `dataset`: the training data is a dataset, which refuses the options of tensors. */
export function parseOptions(options: FitOptions, who: string, dataset: boolean) {
  checkOptionKeys(options, FIT_OPTIONS, who);
  if (dataset) refuseArrayOptions(options, ['batchSize', 'shuffle', 'validationSplit', 'sampleWeight'], who);
  if (isDataset(options.validationData)) refuseArrayOptions(options, ['validationBatchSize'], who);
  else if (options.validationSteps !== undefined) throw new ConfigError(`${who}: validationSteps takes a validation dataset; validationData is not one`);
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
  const distributed = options.distributed === undefined ? undefined : checkDistributed(options, batchSize, dataset, who);
  return {
    epochs,
    initialEpoch,
    batchSize,
    stepsPerEpoch: options.stepsPerEpoch === undefined ? undefined : positiveInt(options.stepsPerEpoch, 'stepsPerEpoch', who),
    validationBatchSize: positiveInt(options.validationBatchSize ?? batchSize, 'validationBatchSize', who),
    validationSteps: options.validationSteps === undefined ? undefined : positiveInt(options.validationSteps, 'validationSteps', who),
    validatesAfter: validationEpochs(options.validationFreq, who),
    shuffle, validationSplit, verbose, distributed,
    callbacks: new CallbackList(options.callbacks, who),
  };
}

/** The communicator of a data-parallel fit, which takes tensors and a global batch of at least one row per rank. */
function checkDistributed(options: FitOptions, batchSize: number, dataset: boolean, who: string): Communicator {
  const comm = checkCommunicator(options.distributed, who);
  const why = 'each rank trains on its share of every global batch of tensors (x, y), which a dataset cannot be cut into';
  if (dataset) throw new ConfigError(`${who}: distributed fit takes tensors, not a dataset: ${why}`);
  if (isDataset(options.validationData)) throw new ConfigError(`${who}: distributed fit validates on tensors (validationData [x, y] or validationSplit), not a dataset`);
  if (batchSize < comm.size) {
    throw new ConfigError(`${who}: batchSize is the global batch, shared by the ${comm.size} ranks of distributed; it must be at least ${comm.size}, got ${batchSize}`);
  }
  return comm;
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

export type FitSettings = ReturnType<typeof parseOptions>;
