import { ValueError, describeValue } from '../core/errors.ts';
import { checkOptionKeys, positiveInt } from '../core/options.ts';
import type { Tensor } from '../core/tensor.ts';
import type { Metric } from './metrics-state.ts';
import { checkSameSize, readsProbabilities } from './metrics-state.ts';

/** Keras's epsilon, which puts AUC's outer thresholds just outside [0, 1]. */
const EPSILON = 1e-7;

/**
 * Confusion counts at ascending thresholds over every element (Keras's multi_label false): an element is a
 * predicted positive at threshold t when yPred > t, and a true positive when yTrue ≠ 0. Each element is binned
 * once by how many thresholds lie below its prediction, so a batch costs one binary search per element.
 */
class Confusion {
  /** bins[k]: elements with exactly k thresholds strictly below their prediction. */
  private readonly positiveBins: Float64Array;
  private readonly negativeBins: Float64Array;

  constructor(private readonly name: string, readonly thresholds: readonly number[]) {
    this.positiveBins = new Float64Array(thresholds.length + 1);
    this.negativeBins = new Float64Array(thresholds.length + 1);
  }

  add(yTrue: Tensor, yPred: Tensor): void {
    checkSameSize(this.name, yTrue, yPred);
    for (let i = 0; i < yPred.size; i++) {
      const p = yPred.storage[i];
      let lo = 0;
      let hi = this.thresholds.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.thresholds[mid] < p) lo = mid + 1; else hi = mid;
      }
      (yTrue.storage[i] !== 0 ? this.positiveBins : this.negativeBins)[lo]++;
    }
  }

  /** True and false positives at each threshold i: the elements with more than i thresholds below them. */
  counts(): { tp: number[]; fp: number[]; positives: number; negatives: number } {
    const above = (bins: Float64Array): number[] => {
      const sums = new Array<number>(this.thresholds.length);
      let sum = 0;
      for (let i = sums.length - 1; i >= 0; i--) sums[i] = sum += bins[i + 1];
      return sums;
    };
    return { tp: above(this.positiveBins), fp: above(this.negativeBins), positives: sumOf(this.positiveBins), negatives: sumOf(this.negativeBins) };
  }
}

const sumOf = (bins: Float64Array): number => bins.reduce((a, b) => a + b, 0);

/** a / b, and 0 when b is 0, as Keras's divide_no_nan. */
const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export interface ThresholdOptions {
  /** A prediction above it counts as positive (Keras's default 0.5). */
  threshold?: number;
  /** The key in the logs. */
  name?: string;
}

function atThreshold(options: ThresholdOptions, defaultName: string, value: (tp: number, fp: number, positives: number) => number): Metric {
  checkOptionKeys(options, ['threshold', 'name'], defaultName);
  const name = options.name ?? defaultName;
  const threshold = options.threshold ?? 0.5;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw new ValueError(`${name}: threshold must be a number in [0, 1], got ${describeValue(threshold)}`);
  }
  return readsProbabilities({
    name,
    state() {
      const confusion = new Confusion(name, [threshold]);
      return {
        update: (yTrue, yPred) => confusion.add(yTrue, yPred),
        result() {
          const { tp, fp, positives } = confusion.counts();
          return value(tp[0], fp[0], positives);
        },
      };
    },
  });
}

/** tp / (tp + fp) over the epoch: of the elements predicted positive (above the threshold), the share truly positive; 0 with none. */
export const precision = (options: ThresholdOptions = {}): Metric => atThreshold(options, 'precision', (tp, fp) => ratio(tp, tp + fp));
/** tp / (tp + fn) over the epoch: of the truly positive elements, the share predicted positive; 0 with none. */
export const recall = (options: ThresholdOptions = {}): Metric => atThreshold(options, 'recall', (tp, _fp, positives) => ratio(tp, positives));

export interface AucOptions {
  /** Keras's default 200: thresholds −ε, 1/(n−1), …, (n−2)/(n−1), 1 + ε. */
  numThresholds?: number;
  /** The key in the logs. */
  name?: string;
}

/**
 * Area under the ROC curve, as Keras's AUC with its defaults (curve 'ROC', summation 'interpolation'): the true
 * and false positive rates at each threshold, summed by the trapezoid rule Σ (fprᵢ − fprᵢ₊₁)·(tprᵢ + tprᵢ₊₁)/2.
 * Computed from the confusion counts of the whole epoch, so it is the AUC of all its predictions together.
 */
export function auc(options: AucOptions = {}): Metric {
  checkOptionKeys(options, ['numThresholds', 'name'], 'auc');
  const name = options.name ?? 'auc';
  const n = positiveInt(options.numThresholds ?? 200, 'numThresholds', name);
  if (n < 2) throw new ValueError(`${name}: numThresholds must be at least 2, got ${n}`);
  const thresholds = [-EPSILON, ...Array.from({ length: n - 2 }, (_, i) => (i + 1) / (n - 1)), 1 + EPSILON];
  return readsProbabilities({
    name,
    state() {
      const confusion = new Confusion(name, thresholds);
      return {
        update: (yTrue, yPred) => confusion.add(yTrue, yPred),
        result() {
          const { tp, fp, positives, negatives } = confusion.counts();
          const tpr = tp.map((t) => ratio(t, positives));
          const fpr = fp.map((f) => ratio(f, negatives));
          let area = 0;
          for (let i = 0; i + 1 < n; i++) area += (fpr[i] - fpr[i + 1]) * (tpr[i] + tpr[i + 1]) / 2;
          return area;
        },
      };
    },
  });
}
