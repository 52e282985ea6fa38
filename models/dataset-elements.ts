import { ConfigError, ShapeError, ValueError, describeValue, fmtShape } from '../core/errors.ts';
import { Tensor } from '../core/tensor.ts';
import { Dataset } from '../data/dataset.ts';
import type { Model, TensorOrList } from './model.ts';

/** One batch of a dataset as fit and evaluate take it: `{ xs, ys }` (tfjs) or `[x, y]`, `[x, y, sampleWeight]` (Keras). */
export type TrainBatch =
  | { readonly xs: TensorOrList; readonly ys: TensorOrList }
  | readonly [TensorOrList, TensorOrList]
  | readonly [TensorOrList, TensorOrList, Tensor]
  | readonly (Tensor | readonly Tensor[])[];

/** One batch of a dataset as predict takes it: the inputs alone, or a TrainBatch whose targets it ignores. */
export type PredictBatch = TensorOrList | TrainBatch | { readonly xs: TensorOrList };

/** What fit, evaluate and predict take as a dataset: a Dataset, or any async iterable of batches. */
export type DatasetLike<T> = Dataset<T> | AsyncIterable<T>;

/** A dataset rather than tensors: a Dataset, or any object that is async iterable. */
export function isDataset(value: unknown): value is DatasetLike<unknown> {
  return value instanceof Dataset || (value !== null && typeof value === 'object' && Symbol.asyncIterator in value);
}

/** A fresh iteration of a dataset: a Dataset keyed by the epoch and seed (its shuffles follow them), else the iterable's own. */
export function iterationOf(dataset: DatasetLike<unknown>, epoch: number, seed: number | undefined): AsyncIterator<unknown> {
  return dataset instanceof Dataset ? dataset.iterate(seed === undefined ? { epoch } : { epoch, seed }) : dataset[Symbol.asyncIterator]();
}

/** Refuses a dataset where tensors are required, naming the call that takes one. */
export function refuseDataset(value: unknown, who: string, argument: string, instead: string): void {
  if (isDataset(value)) throw new ValueError(`${who}: ${argument} is a dataset, but this takes tensors; ${instead}`);
}

const FORMS = '{ xs, ys } or [x, y] or [x, y, sampleWeight]';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Tensor);
}

/** The parts of a training batch; a wrong structure names the forms there are. */
export function trainParts(element: unknown, who: string, label: string): { x: unknown; y: unknown; weights: unknown } {
  if (Array.isArray(element)) {
    if (element.length === 2 || element.length === 3) return { x: element[0], y: element[1], weights: element[2] };
    throw new ValueError(`${who}: ${label} must be ${FORMS}, got a list of ${element.length}`);
  }
  if (isRecord(element)) {
    const extra = Object.keys(element).filter((k) => k !== 'xs' && k !== 'ys');
    if (!('xs' in element) || !('ys' in element) || extra.length > 0) {
      throw new ValueError(`${who}: ${label} must be ${FORMS}, got an object with keys {${Object.keys(element).join(', ')}}`);
    }
    return { x: element.xs, y: element.ys, weights: undefined };
  }
  throw new ValueError(`${who}: ${label} must be ${FORMS}, got ${describeValue(element)}`);
}

/** The inputs of a batch for predict: `{ xs }`, `[x, ...]`, or the tensors themselves. */
export function predictInputs(element: unknown, who: string, label: string): unknown {
  if (element instanceof Tensor) return element;
  if (Array.isArray(element)) {
    if (element.length >= 1 && element.length <= 3) return element[0];
    throw new ValueError(`${who}: ${label} must be x, { xs } or [x, y], got a list of ${element.length}`);
  }
  if (isRecord(element) && 'xs' in element) return element.xs;
  throw new ValueError(`${who}: ${label} must be x, { xs } or [x, y], got ${describeValue(element)}`);
}

/**
 * Every batch must have the first batch's sample shapes (all but axis 0), input by input and target by target,
 * so a stray batch is named rather than met as a loss error deep in training.
 */
export class BatchShapes {
  private first: (readonly number[])[] | undefined;

  /** Returns true for the first batch, whose shapes the later ones must have. */
  check(tensors: readonly Tensor[], who: string, label: string, names: readonly string[]): boolean {
    const samples = tensors.map((t) => t.shape.slice(1));
    if (this.first === undefined) {
      this.first = samples;
      return true;
    }
    samples.forEach((shape, i) => {
      const expected = (this.first as (readonly number[])[])[i];
      if (shape.length !== expected.length || shape.some((d, k) => d !== expected[k])) {
        throw new ShapeError(`${who}: ${label} ${names[i]} has samples of shape ${fmtShape(shape)}, but the first batch had ${fmtShape(expected)}`);
      }
    });
    return false;
  }
}

/** The names of a model's inputs and outputs in messages: xs and ys, or xs[i] and ys[i] with several. */
export function partNames(model: Model, inputs: number): string[] {
  const many = (name: string, n: number): string[] => (n === 1 ? [name] : Array.from({ length: n }, (_, i) => `${name}[${i}]`));
  return [...many('xs', inputs), ...many('ys', model.outputNames.length)];
}

/** Options that mean in-memory tensors, refused with a dataset: the dataset batches and shuffles itself. */
export function refuseArrayOptions(options: object, keys: readonly string[], who: string): void {
  const given = keys.filter((k) => (options as Record<string, unknown>)[k] !== undefined);
  if (given.length > 0) {
    throw new ConfigError(`${who}: ${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} to tensors, not to a dataset: a dataset's elements are already batches (dataset.batch(n)), shuffled by dataset.shuffle(n), with sample weights as [x, y, sampleWeight]`);
  }
}

/**
 * fit(x, y, options) or fit(dataset, options): the targets and the options. With a dataset a second argument of
 * tensors is returned as the targets, for the caller to refuse by name.
 */
export function datasetArguments(x: unknown, second: unknown, third: unknown): [unknown, unknown] {
  if (!isDataset(x)) return [second, third ?? {}];
  const targets = second instanceof Tensor || Array.isArray(second);
  return targets ? [second, third ?? {}] : [undefined, second ?? {}];
}
