/** TensorBoard's default smoothing weight. */
export const SMOOTHING = 0.6;

/**
 * Each batch's own loss, from the running epoch mean that fit's batch logs carry (as Keras's do): the sum after
 * batch b is meanᵦ·seenᵦ, so batch b's loss is (meanᵦ·seenᵦ − meanᵦ₋₁·seenᵦ₋₁) / sizeᵦ. Batch 0 starts an epoch.
 */
export class BatchLosses {
  private seen = 0;
  private sum = 0;
  private size: number | undefined;

  begin(batch: number, size: unknown): void {
    if (batch === 0) [this.seen, this.sum] = [0, 0];
    this.size = typeof size === 'number' && size > 0 ? size : undefined;
  }

  /** The batch's loss, or undefined when the logs lack the batch size or the loss. */
  end(mean: unknown): number | undefined {
    if (this.size === undefined || typeof mean !== 'number') return undefined;
    this.seen += this.size;
    const sum = mean * this.seen;
    const loss = (sum - this.sum) / this.size;
    this.sum = sum;
    return loss;
  }
}

/**
 * TensorBoard's smoothing: an exponential moving average s = w·s + (1 − w)·v, divided by 1 − wⁿ after n values
 * so that the first points are not pulled towards 0. A non-finite value is shown as it is and left out of the average.
 */
export function smoothed(values: readonly number[], weight = SMOOTHING): number[] {
  let average = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    average = weight * average + (1 - weight) * v;
    n++;
    return average / (1 - weight ** n);
  });
}
