import { ConfigError, ValueError, describeValue } from '../../core/errors.ts';
import { checkNumber } from '../../optim/options.ts';
import { getLearningRate, setLearningRate } from '../learning-rate.ts';
import { ModelCallback } from './model-callback.ts';
import { ZERO_OR_ONE, callbackOptions } from './monitor.ts';
import { platform } from '../../core/platform.ts';

/** Gets the 0-based epoch and the current rate, returns the rate for this epoch. */
export type EpochSchedule = (epoch: number, learningRate: number) => number;

/**
 * Keras's LearningRateScheduler: at the start of each epoch, rate = schedule(epoch, current rate). The rate is set
 * with setLearningRate, so it replaces the optimizer's rate or schedule for the whole epoch.
 */
export class LearningRateScheduler extends ModelCallback {
  readonly verbose: 0 | 1;

  constructor(readonly schedule: EpochSchedule, options?: { verbose?: 0 | 1 }) {
    super();
    const who = 'LearningRateScheduler';
    if (typeof schedule !== 'function') throw new ConfigError(`${who}: expected a function (epoch, learningRate) => learningRate, got ${describeValue(schedule)}`);
    const o = callbackOptions(options, ['verbose'], who);
    this.verbose = checkNumber(who, 'verbose', o.verbose ?? 0, ZERO_OR_ONE) as 0 | 1;
  }

  onEpochBegin(epoch: number): void {
    const rate: unknown = this.schedule(epoch, getLearningRate(this.model));
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
      throw new ValueError(`LearningRateScheduler: the schedule returned ${typeof rate === 'number' ? rate : describeValue(rate)} at epoch ${epoch} (expected a finite number >= 0)`);
    }
    setLearningRate(this.model, rate);
    if (this.verbose > 0) platform.log(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${rate}.`);
  }
}
