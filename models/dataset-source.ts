import { ConfigError, ValueError, prefixError } from '../core/errors.ts';
import { Dataset } from '../data/dataset.ts';
import type { BatchSource, SourceBatch } from './batch-stream.ts';
import type { Compiled } from './compile.ts';
import type { DatasetLike } from './dataset-elements.ts';
import { BatchShapes, iterationOf, partNames, trainParts } from './dataset-elements.ts';
import { checkTargets } from './inference.ts';
import { checkLossTargets } from './loss-targets.ts';
import type { Model } from './model.ts';
import type { StepBatch } from './train-step.ts';
import { trainingWeights } from './sample-weights.ts';

/** Why a dataset gave nothing: an async generator object can be iterated only once. */
export function emptyHint(dataset: DatasetLike<unknown>): string {
  return dataset instanceof Dataset ? '' : ' (an async generator object can be iterated only once: fromGenerator(() => gen()) calls the function anew for each epoch)';
}

/**
 * A training batch from a dataset element, checked: structure, inputs and targets against the model, sample shapes
 * against the first batch, whose targets are also checked against the losses (later ones have the same shapes).
 */
function stepBatchOf(model: Model, compiled: Compiled, element: unknown, label: string, shapes: BatchShapes, classWeight: unknown): StepBatch {
  const who = `${model.name}.fit`;
  const { x, y, weights } = trainParts(element, who, label);
  const xs = model.checkInputs(x, 'fit', `${label} xs`);
  const ys = checkTargets(model, xs, y, 'fit', [`${label} xs`, `${label} ys`]);
  if (xs[0].shape[0] === 0) throw new ValueError(`${who}: ${label} has no samples`);
  if (shapes.check([...xs, ...ys], who, label, partNames(model, xs.length))) checkLossTargets(model, compiled, ys);
  return { xs, ys, weights: trainingWeights(model, compiled, weights, classWeight, ys, `${who}: ${label}`) };
}

export interface DatasetSourceOptions {
  stepsPerEpoch: number | undefined;
  seed: number;
  classWeight: unknown;
}

/**
 * fit's batches from a dataset. Without stepsPerEpoch an epoch is one pass (tf.data, tfjs). With it, the pass goes
 * on into the next epoch (Keras); a pass that runs out before stepsPerEpoch ends its epoch, once with a warning, and
 * the next epoch starts a new pass. The number of batches shows once known: from the dataset's size, from
 * stepsPerEpoch, or from the first pass.
 */
export class DatasetSource implements BatchSource {
  private iterator: AsyncIterator<unknown> | undefined;
  private inPass = 0;
  private learned: number | undefined;
  private warned = false;
  private readonly shapes = new BatchShapes();
  private readonly who: string;

  constructor(private readonly model: Model, private readonly compiled: Compiled, private readonly dataset: DatasetLike<unknown>,
    private readonly options: DatasetSourceOptions) {
    this.who = `${model.name}.fit`;
    if (dataset instanceof Dataset && dataset.size === Number.POSITIVE_INFINITY && options.stepsPerEpoch === undefined) {
      throw new ConfigError(`${this.who}: the dataset is endless (repeat()), so an epoch needs stepsPerEpoch`);
    }
  }

  get limit(): number | undefined {
    return this.options.stepsPerEpoch;
  }

  get known(): number | undefined {
    const size = this.dataset instanceof Dataset ? this.dataset.size : undefined;
    return this.options.stepsPerEpoch ?? (size !== undefined && Number.isFinite(size) ? size : this.learned);
  }

  async next(epoch: number, b: number): Promise<SourceBatch | undefined> {
    if (this.iterator === undefined) {
      this.iterator = iterationOf(this.dataset, epoch, this.options.seed);
      this.inPass = 0;
    }
    let result = await this.iterator.next();
    if (result.done === true && b === 0 && this.inPass > 0) {
      // The last epoch took the pass to its end exactly: this epoch starts the next pass.
      this.learned = this.inPass;
      this.iterator = iterationOf(this.dataset, epoch, this.options.seed);
      this.inPass = 0;
      result = await this.iterator.next();
    }
    if (result.done === true) {
      this.iterator = undefined;
      if (this.inPass === 0) throw new ValueError(`${this.who}: the dataset gave no batch in epoch ${epoch + 1}; there is nothing to train on${emptyHint(this.dataset)}`);
      this.learned = this.inPass;
      if (this.options.stepsPerEpoch !== undefined && !this.warned) {
        this.warned = true;
        console.warn(`${this.who}: the dataset ran out after ${b} of the ${this.options.stepsPerEpoch} batches (stepsPerEpoch) of epoch ${epoch + 1}; the epoch ends there and the next one starts a new pass. Give it stepsPerEpoch × epochs batches (dataset.repeat()) to avoid this.`);
      }
      return undefined;
    }
    const label = `dataset batch ${this.inPass++}`;
    try {
      const batch = stepBatchOf(this.model, this.compiled, result.value, label, this.shapes, this.options.classWeight);
      return { size: batch.xs[0].shape[0], take: () => batch };
    } catch (error) {
      await this.close();
      throw prefixError(error, this.who);
    }
  }

  async endEpoch(): Promise<void> {
    if (this.options.stepsPerEpoch === undefined) await this.close();
  }

  /** Ends a pass that is still open, so a file it reads is closed. */
  async close(): Promise<void> {
    const open = this.iterator;
    this.iterator = undefined;
    await open?.return?.();
  }
}
