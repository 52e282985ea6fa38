import type { Tensor } from '../../core/tensor.ts';
import { NON_NEGATIVE, checkBoolean, checkNumber } from '../../optim/options.ts';
import type { Logs } from '../callbacks.ts';
import { ModelCallback } from './model-callback.ts';
import type { MonitorMode } from './monitor.ts';
import { COUNT, Monitor, ZERO_OR_ONE, callbackOptions } from './monitor.ts';
import { platform } from '../../core/platform.ts';

export interface EarlyStoppingOptions {
  /** The epoch-log key to watch (default 'val_loss'). */
  monitor?: string;
  /** A change smaller than this is no improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** 'auto' maximises names containing acc, auc, precision or recall (any case) and minimises the rest. */
  mode?: MonitorMode;
  /** Stop unless the value beats this within patience epochs. */
  baseline?: number;
  /** At the end of training, go back to the weights of the best epoch (default false). */
  restoreBestWeights?: boolean;
  /** Epochs to train before watching at all, as a warm-up (default 0). */
  startFromEpoch?: number;
  /** 1 prints when training stops and when the best weights come back. */
  verbose?: 0 | 1;
}

const KEYS = ['monitor', 'minDelta', 'patience', 'mode', 'baseline', 'restoreBestWeights', 'startFromEpoch', 'verbose'];

/**
 * Stops training when the monitored value has not improved for `patience` epochs, as Keras's EarlyStopping.
 * With restoreBestWeights the weights of the best epoch come back at the end of training, whether or not patience
 * ran out (Keras 3). Weights are immutable tensors, so remembering the best epoch's is keeping references: no copy.
 */
export class EarlyStopping extends ModelCallback {
  readonly monitor: Monitor;
  readonly patience: number;
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  readonly verbose: 0 | 1;
  /** The best monitored value seen so far, and its epoch (0-based, within the last fit). */
  best: number | null = null;
  bestEpoch: number | null = null;
  /** The epoch after which training stopped, or null if it ran to the end. */
  stoppedEpoch: number | null = null;
  private wait = 0;
  private bestWeights: Tensor[] | undefined;

  constructor(options?: EarlyStoppingOptions) {
    super();
    const who = 'EarlyStopping';
    const o = callbackOptions(options, KEYS, who);
    this.monitor = new Monitor(who, o.monitor ?? 'val_loss', o.mode ?? 'auto', checkNumber(who, 'minDelta', o.minDelta ?? 0, NON_NEGATIVE));
    this.patience = checkNumber(who, 'patience', o.patience ?? 0, COUNT);
    this.baseline = o.baseline === undefined ? null : checkNumber(who, 'baseline', o.baseline, { text: 'a finite number', test: Number.isFinite });
    this.restoreBestWeights = checkBoolean(who, 'restoreBestWeights', o.restoreBestWeights ?? false);
    this.startFromEpoch = checkNumber(who, 'startFromEpoch', o.startFromEpoch ?? 0, COUNT);
    this.verbose = checkNumber(who, 'verbose', o.verbose ?? 0, ZERO_OR_ONE) as 0 | 1;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.best = null;
    this.bestEpoch = null;
    this.stoppedEpoch = null;
    this.bestWeights = undefined;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const value = this.monitor.value(logs, this.model);
    if (value === undefined || epoch < this.startFromEpoch) return;
    // Until an epoch improves, the first watched epoch's weights are the best there are.
    if (this.restoreBestWeights && this.bestWeights === undefined) this.bestWeights = this.model.getWeights();
    this.wait += 1;
    if (this.monitor.improves(value, this.best)) {
      this.best = value;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = this.model.getWeights();
      // Patience restarts only when the value beats the baseline too.
      if (this.baseline === null || this.monitor.improves(value, this.baseline)) this.wait = 0;
    }
    // Stop once `patience` epochs in a row have not counted (Keras also never stops after the first epoch).
    if (this.wait > 0 && this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (this.stoppedEpoch !== null && this.verbose > 0) platform.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.bestWeights === undefined) return;
    if (this.verbose > 0 && this.bestEpoch !== null) platform.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
    this.model.setWeights(this.bestWeights);
  }
}
