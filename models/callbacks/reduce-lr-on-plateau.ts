import { NON_NEGATIVE, checkNumber } from '../../optim/options.ts';
import type { Logs } from '../callbacks.ts';
import { getLearningRate, setLearningRate } from '../learning-rate.ts';
import { ModelCallback } from './model-callback.ts';
import type { MonitorMode } from './monitor.ts';
import { COUNT, Monitor, ZERO_OR_ONE, callbackOptions } from './monitor.ts';
import { platform } from '../../core/platform.ts';

export interface ReduceLROnPlateauOptions {
  monitor?: string;
  /** The rate is multiplied by this, in (0, 1) (default 0.1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  mode?: MonitorMode;
  /** A change smaller than this is no improvement (default 1e-4). */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** The rate never goes below this (default 0). */
  minLr?: number;
  verbose?: 0 | 1;
}

const KEYS = ['monitor', 'factor', 'patience', 'mode', 'minDelta', 'cooldown', 'minLr', 'verbose'];

/**
 * Keras's ReduceLROnPlateau: after `patience` epochs without improvement, rate = max(rate · factor, minLr), then
 * `cooldown` epochs of rest. The new rate is set with setLearningRate, so it replaces a schedule with a constant.
 */
export class ReduceLROnPlateau extends ModelCallback {
  readonly monitor: Monitor;
  readonly factor: number;
  readonly patience: number;
  readonly cooldown: number;
  readonly minLr: number;
  readonly verbose: 0 | 1;
  private best: number | null = null;
  private wait = 0;
  private cooldownLeft = 0;

  constructor(options?: ReduceLROnPlateauOptions) {
    super();
    const who = 'ReduceLROnPlateau';
    const o = callbackOptions(options, KEYS, who);
    this.factor = checkNumber(who, 'factor', o.factor ?? 0.1, { text: 'a number in (0, 1)', test: (x) => x > 0 && x < 1 });
    this.monitor = new Monitor(who, o.monitor ?? 'val_loss', o.mode ?? 'auto', checkNumber(who, 'minDelta', o.minDelta ?? 1e-4, NON_NEGATIVE));
    this.patience = checkNumber(who, 'patience', o.patience ?? 10, COUNT);
    this.cooldown = checkNumber(who, 'cooldown', o.cooldown ?? 0, COUNT);
    this.minLr = checkNumber(who, 'minLr', o.minLr ?? 0, NON_NEGATIVE);
    this.verbose = checkNumber(who, 'verbose', o.verbose ?? 0, ZERO_OR_ONE) as 0 | 1;
  }

  onTrainBegin(): void {
    this.best = null;
    this.wait = 0;
    this.cooldownLeft = 0;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const value = this.monitor.value(logs, this.model);
    if (value === undefined) return;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft -= 1;
      this.wait = 0;
    }
    if (this.monitor.improves(value, this.best)) {
      this.best = value;
      this.wait = 0;
      return;
    }
    if (this.cooldownLeft > 0) return;
    this.wait += 1;
    if (this.wait < this.patience) return;
    const rate = getLearningRate(this.model);
    if (rate > this.minLr) {
      const reduced = Math.max(rate * this.factor, this.minLr);
      setLearningRate(this.model, reduced);
      if (this.verbose > 0) platform.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${reduced}.`);
      this.cooldownLeft = this.cooldown;
      this.wait = 0;
    }
  }
}
