import { tensor } from '../core/creation.ts';
import { ConfigError, ShapeError, ValueError, describeValue, fmtShape } from '../core/errors.ts';
import { div, mul, reshape, sum } from '../core/ops/index.ts';
import { Tensor } from '../core/tensor.ts';
import type { Loss } from '../layers/losses.ts';
import { cast } from '../core/ops/gradient.ts';
import type { Compiled } from './compile.ts';
import type { Model } from './model.ts';

/** Class index → weight: a record keyed by the class index, or a list indexed by it. */
export type ClassWeight = Readonly<Record<number, number>> | readonly number[];

function checkWeightValue(w: unknown, who: string, what: string): number {
  if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new ValueError(`${who}: ${what} must be a finite number >= 0, got ${describeValue(w)}`);
  return w;
}

/** The class of each sample: the index in sparse targets ([N] or [N, 1]), the argmax of one-hot ones ([N, K]). */
function classesOf(y: Tensor, who: string): number[] {
  const rows = y.shape[0];
  const width = y.rank === 1 ? 1 : y.size / rows;
  if (y.rank > 2) throw new ShapeError(`${who}: classWeight takes targets of shape [N], [N, 1] or [N, K], got ${fmtShape(y.shape)}`);
  const classes: number[] = [];
  for (let i = 0; i < rows; i++) {
    if (width === 1) {
      classes.push(y.storage[i]);
      continue;
    }
    let best = 0;
    for (let k = 1; k < width; k++) if (y.storage[i * width + k] > y.storage[i * width + best]) best = k;
    classes.push(best);
  }
  return classes;
}

/**
 * The weight of each training sample as a [N] tensor, from sampleWeight or from classWeight (the weight of each
 * sample's class), or undefined when neither is given. Keras takes one or the other.
 */
export function sampleWeightsOf(sampleWeight: unknown, classWeight: unknown, ys: readonly Tensor[], who: string): Tensor | undefined {
  const rows = ys[0].shape[0];
  if (sampleWeight !== undefined && classWeight !== undefined) throw new ConfigError(`${who}: give sampleWeight or classWeight, not both`);
  if (sampleWeight !== undefined) {
    if (!(sampleWeight instanceof Tensor)) throw new ValueError(`${who}: sampleWeight must be a Tensor of shape [${rows}], got ${describeValue(sampleWeight)}`);
    if (sampleWeight.rank !== 1 || sampleWeight.shape[0] !== rows) {
      throw new ShapeError(`${who}: sampleWeight must have shape [${rows}] (one weight per sample), got ${fmtShape(sampleWeight.shape)}`);
    }
    sampleWeight.storage.forEach((w, i) => checkWeightValue(w, who, `sampleWeight[${i}]`));
    return sampleWeight;
  }
  if (classWeight === undefined) return undefined;
  if (classWeight === null || typeof classWeight !== 'object') {
    throw new ConfigError(`${who}: classWeight must be a record or a list of weights by class index, got ${describeValue(classWeight)}`);
  }
  if (ys.length !== 1) throw new ConfigError(`${who}: classWeight takes a model with one output, got ${ys.length} outputs; give sampleWeight instead`);
  const table = classWeight as Record<string, unknown>;
  const weights = classesOf(ys[0], who).map((c) => {
    if (!Object.hasOwn(table, String(c))) throw new ValueError(`${who}: classWeight has no weight for class ${c}, which the targets hold`);
    return checkWeightValue(table[String(c)], who, `classWeight[${c}]`);
  });
  return tensor(weights, [rows], ys[0].dtype === 'float64' ? 'float64' : 'float32');
}

/** The loss of a batch, each sample's weighted: Σ w·loss / (elements of the unreduced loss), Keras's sum-over-batch-size. */
export function weightedLoss(loss: Loss, yTrue: Tensor, yPred: Tensor, weights: Tensor, who: string): Tensor {
  const each = unreducedOf(loss, who)(yTrue, yPred);
  const w = reshape(weights, [weights.shape[0], ...each.shape.slice(1).map(() => 1)]);
  return div(sum(mul(each, w)), each.size);
}

/**
 * The loss of an output that carries a mask [batch, time] (Keras 3's rule): each step's loss weighted by the mask
 * (and its sample's weight), averaged as if only the real steps were there, Σ w·m·loss / elements · total / valid
 * with total the mask's size and valid its sum, so padding neither counts nor dilutes the mean.
 */
export function maskedLoss(loss: Loss, yTrue: Tensor, yPred: Tensor, mask: Tensor, weights: Tensor | undefined, who: string): Tensor {
  if (loss.unreduced === undefined) {
    throw new ConfigError(`${who}: the output carries a mask ${fmtShape(mask.shape)}, which weights each step's loss, and the loss ${loss.name} gives only the mean; give it unreduced(yTrue, yPred)`);
  }
  const each = unreducedOf(loss, who)(yTrue, yPred);
  if (each.rank < 2 || each.shape[1] !== mask.shape[1]) {
    throw new ShapeError(`${who}: the output carries a mask ${fmtShape(mask.shape)}, but the loss per sample has shape ${fmtShape(each.shape)}, with no time axis to weight; give unreduced(yTrue, yPred) that keeps [batch, time, ...]`);
  }
  const ones = each.shape.slice(2).map(() => 1);
  const m = reshape(mask, [...mask.shape, ...ones]);
  const w = weights === undefined ? m : mul(m, reshape(weights, [weights.shape[0], 1, ...ones]));
  // A batch of padding alone would divide by 0: its valid count is taken as 1, so its loss is 0.
  const valid = Math.max(1, sum(mask).item());
  return div(sum(mul(each, w)), (each.size * valid) / mask.size);
}

/** The loss's per-sample form, which weighting needs; a user loss without one is refused. */
export function unreducedOf(loss: Loss, who: string): NonNullable<Loss['unreduced']> {
  const { unreduced } = loss;
  if (unreduced === undefined) {
    throw new ConfigError(`${who}: sampleWeight and classWeight need each sample's loss, and the loss ${loss.name} gives only the mean; give it unreduced(yTrue, yPred)`);
  }
  return unreduced;
}

/** The sample weights of a training run in the model's dtype (see sampleWeightsOf), once every loss can weigh its samples. */
export function trainingWeights(model: Model, compiled: Compiled, sampleWeight: unknown, classWeight: unknown, ys: readonly Tensor[], who: string): Tensor | undefined {
  const weights = sampleWeightsOf(sampleWeight, classWeight, ys, who);
  if (weights === undefined) return undefined;
  compiled.outputs.forEach((o) => [o.loss, o.trainingLoss].forEach((l) => unreducedOf(l, who)));
  return cast(weights, model.dtype);
}
