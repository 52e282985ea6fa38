import { ConfigError, describeValue } from '../core/errors.ts';
import type { Model } from './model.ts';

/** Metric values by name: loss, accuracy, val_loss, val_accuracy, … */
export type Logs = Readonly<Record<string, number>>;

type Hook<A extends unknown[]> = ((...args: A) => void | Promise<void>) | undefined;

/**
 * Every hook is optional and may be async; fit awaits it before going on. fit calls setModel, when present, on
 * every callback before onTrainBegin. Batch and epoch logs hold the running loss and metrics and `learning_rate`,
 * the rate of the last step; epoch logs add the `val_` values.
 */
export interface Callback {
  setModel?(model: Model): void;
  /** In a distributed fit, runs on rank 0 only: callbacks that write files (ModelCheckpoint, CSVLogger, the report). */
  readonly chiefOnly?: boolean;
  onTrainBegin?: Hook<[logs: Logs]>;
  onTrainEnd?: Hook<[logs: Logs]>;
  onEpochBegin?: Hook<[epoch: number, logs: Logs]>;
  onEpochEnd?: Hook<[epoch: number, logs: Logs]>;
  onBatchBegin?: Hook<[batch: number, logs: Logs]>;
  onBatchEnd?: Hook<[batch: number, logs: Logs]>;
}

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd'] as const;
type HookName = (typeof HOOKS)[number];

/** Runs one hook on every callback in order. */
export class CallbackList {
  private readonly callbacks: readonly Callback[];

  constructor(callbacks: unknown, where: string) {
    const list = callbacks === undefined ? [] : Array.isArray(callbacks) ? callbacks : [callbacks];
    for (const c of list) {
      if (c === null || typeof c !== 'object' || !HOOKS.some((h) => typeof (c as Callback)[h] === 'function')) {
        throw new ConfigError(`${where}: a callback must be an object with at least one of ${HOOKS.join(', ')}, got ${describeValue(c)}`);
      }
      const { setModel } = c as Callback;
      if (setModel !== undefined && typeof setModel !== 'function') {
        throw new ConfigError(`${where}: a callback's setModel must be a method, got ${describeValue(setModel)}`);
      }
    }
    this.callbacks = list as Callback[];
  }

  /** A new list with one more callback at the end. */
  with(callback: Callback, where: string): CallbackList {
    return new CallbackList([...this.callbacks, callback], where);
  }

  /** The callbacks a rank runs: all on rank 0 (the chief), those not marked chiefOnly elsewhere. */
  forRank(chief: boolean): CallbackList {
    return chief ? this : new CallbackList(this.callbacks.filter((c) => c.chiefOnly !== true), 'fit');
  }

  some(predicate: (callback: Callback) => boolean): boolean {
    return this.callbacks.some(predicate);
  }

  setModel(model: Model): void {
    for (const c of this.callbacks) c.setModel?.(model);
  }

  async run<H extends HookName>(hook: H, ...args: Parameters<NonNullable<Callback[H]>>): Promise<void> {
    for (const c of this.callbacks) {
      const fn = c[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
      if (fn !== undefined) await fn.apply(c, args);
    }
  }
}
