import { ValueError, fmtShape, prefixError } from '../core/errors.ts';
import { checkOptionKeys } from '../core/options.ts';
import { rngFrom } from '../core/random.ts';
import { releaseBufferPool } from '../core/buffer-scope.ts';
import { Tensor } from '../core/tensor.ts';
import type { Compiled } from './compile.ts';
import { RunningLogs, checkTargets, evaluateBatches } from './inference.ts';
import { checkLossTargets } from './loss-targets.ts';
import type { Model, TensorOrList } from './model.ts';
import type { ClassWeight } from './sample-weights.ts';
import { trainingWeights } from './sample-weights.ts';
import type { StepBatch } from './train-step.ts';
import { trainStep } from './train-step.ts';
import { refuseDataset } from './dataset-elements.ts';

export interface TrainOnBatchOptions {
  /** The weight of each sample's loss, a [N] tensor, as in fit. */
  sampleWeight?: Tensor;
  /** A weight per class index, as in fit. */
  classWeight?: ClassWeight;
}

/** The rows of x (one tensor or a list), at least 1: a batch size that takes all of x in one batch. */
export function wholeBatch(x: unknown): number {
  const first: unknown = Array.isArray(x) ? x[0] : x;
  return first instanceof Tensor && first.rank > 0 ? Math.max(1, first.shape[0]) : 1;
}

/**
 * Keras's train_on_batch: one optimizer step on exactly this batch, going on from the optimizer state fit or an
 * earlier call left. Returns the loss and metrics of this batch, before the step (as fit's logs are).
 */
export function trainOnBatch(model: Model, compiled: Compiled, x: TensorOrList, y: TensorOrList, options: TrainOnBatchOptions): Record<string, number> {
  const who = `${model.name}.trainOnBatch`;
  let batch: StepBatch;
  try {
    checkOptionKeys(options, ['sampleWeight', 'classWeight'], who);
    [x, y].forEach((t, i) => refuseDataset(t, who, i === 0 ? 'x' : 'y', 'fit(dataset, options) takes one'));
    const xs = model.checkInputs(x, 'trainOnBatch');
    const ys = checkTargets(model, xs, y, 'trainOnBatch');
    if (xs[0].shape[0] === 0) throw new ValueError(`${who}: x has no samples (shape ${fmtShape(xs[0].shape)}); there is nothing to train on`);
    checkLossTargets(model, compiled, ys);
    batch = { xs, ys, weights: trainingWeights(model, compiled, options.sampleWeight, options.classWeight, ys, who) };
  } catch (error) {
    throw prefixError(error, who);
  }
  const running = new RunningLogs(compiled);
  try {
    trainStep(model, compiled)(model.seed ?? rngFrom(undefined).nextUint32(), running, () => batch);
  } finally {
    releaseBufferPool();
  }
  return running.logs;
}

/** Keras's test_on_batch: the loss and metrics of exactly this batch, without training. */
export function testOnBatch(model: Model, compiled: Compiled, x: TensorOrList, y: TensorOrList): Record<string, number> {
  return evaluateBatches(model, compiled, x, y, { batchSize: wholeBatch(x), verbose: 0 }, 'testOnBatch');
}
