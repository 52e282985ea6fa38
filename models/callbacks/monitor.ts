import { ConfigError, describeValue } from '../../core/errors.ts';
import { checkOptionKeys, oneOf } from '../../core/options.ts';
import type { Domain } from '../../optim/options.ts';
import type { Model } from '../model.ts';
import type { Logs } from '../callbacks.ts';

export type MonitorMode = 'auto' | 'min' | 'max';

/** Log keys of metrics that grow as the model improves: accuracies, top-k, AUC, precision, recall (any case). */
const GROWING = /acc|auc|precision|recall/i;

/**
 * A watched value in the epoch logs and the direction that counts as better. Mode 'auto' maximises the names of
 * metrics that grow (accuracy, val_auc, val_precision, …) and minimises the rest (losses, mae, mse).
 */
export class Monitor {
  readonly mode: 'min' | 'max';

  constructor(readonly who: string, readonly key: string, mode: MonitorMode, readonly minDelta: number) {
    if (typeof key !== 'string' || key === '') throw new ConfigError(`${who}: monitor must be a key of the logs such as 'val_loss', got ${describeValue(key)}`);
    const chosen = oneOf(mode, ['auto', 'min', 'max'], 'mode', who);
    this.mode = chosen === 'auto' ? (GROWING.test(key) ? 'max' : 'min') : chosen;
  }

  /**
   * The monitored value. A key missing from the logs is a ConfigError listing the keys there are: a typo would
   * otherwise switch the callback off without a word (Keras only warns). Undefined for a val_ key after an epoch
   * that fit did not validate (validationFreq): the callback skips that epoch.
   */
  value(logs: Logs, model: Model): number | undefined {
    const value = logs[this.key];
    if (value === undefined && this.key.startsWith('val_') && !model.validatedEpoch) return undefined;
    if (value === undefined) {
      const hint = this.key.startsWith('val_') ? ' (val_ keys need validationData or validationSplit in fit)' : '';
      throw new ConfigError(`${this.who}: monitor '${this.key}' is not in the epoch logs${hint}; available keys are ${Object.keys(logs).join(', ')}`);
    }
    return value;
  }

  /** Better than `reference` by more than minDelta; NaN never is, and anything beats no reference. */
  improves(value: number, reference: number | null): boolean {
    if (Number.isNaN(value)) return false;
    if (reference === null) return true;
    return this.mode === 'min' ? value < reference - this.minDelta : value > reference + this.minDelta;
  }
}

/** checkOptionKeys for a callback's options, which may be left out. */
export function callbackOptions<T extends object>(options: T | undefined, valid: readonly string[], who: string): Partial<T> {
  checkOptionKeys(options, valid, who);
  return options ?? {};
}

/** Counts such as patience and cooldown. */
export const COUNT: Domain = { text: 'an integer >= 0', test: (x) => Number.isInteger(x) && x >= 0 };

/** A callback's verbose option: 1 prints what it does. */
export const ZERO_OR_ONE: Domain = { text: '0 or 1', test: (x) => x === 0 || x === 1 };
