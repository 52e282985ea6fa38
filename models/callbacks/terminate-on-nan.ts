import type { Tensor } from '../../core/tensor.ts';
import type { Logs } from '../callbacks.ts';
import type { OptimizerProgress } from '../sequential.ts';
import { ModelCallback } from './model-callback.ts';
import { platform } from '../../core/platform.ts';

interface Snapshot {
  readonly weights: Tensor[];
  readonly progress: OptimizerProgress | undefined;
}

/**
 * Stops training at the first batch whose loss is NaN or infinite, and goes back to the last good state: the
 * weights (and optimizer progress) of the last batch whose loss was finite, from before the step that led to the bad
 * loss. If the very first batch of the fit is bad, the state from before it. Snapshots are references to immutable
 * tensors, so keeping them costs nothing.
 */
export class TerminateOnNaN extends ModelCallback {
  /** Where training was stopped (0-based epoch and batch), or null. */
  stoppedAt: { epoch: number; batch: number } | null = null;
  private epoch = 0;
  private pending: Snapshot | undefined;
  private good: Snapshot | undefined;

  onTrainBegin(): void {
    this.stoppedAt = null;
    this.pending = undefined;
    this.good = undefined;
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  onBatchBegin(): void {
    this.pending = { weights: this.model.getWeights(), progress: this.model.optimizerProgress };
  }

  onBatchEnd(batch: number, logs: Logs): void {
    // The epoch's running mean is finite exactly when every batch loss so far is.
    if (Number.isFinite(logs.loss)) {
      this.good = this.pending;
      return;
    }
    const back = this.good ?? this.pending;
    if (back !== undefined) {
      this.model.setWeights(back.weights);
      this.model.optimizerProgress = back.progress;
    }
    this.model.stopTraining = true;
    this.stoppedAt = { epoch: this.epoch, batch };
    platform.log(`Batch ${batch}: invalid loss ${logs.loss}, terminating training`);
  }
}
