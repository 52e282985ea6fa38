import { ConfigError, ValueError, describeValue } from '../../core/errors.ts';
import { checkBoolean } from '../../optim/options.ts';
import type { Logs } from '../callbacks.ts';
import { ModelCallback } from './model-callback.ts';
import type { MonitorMode } from './monitor.ts';
import { Monitor, callbackOptions } from './monitor.ts';

export interface ModelCheckpointOptions {
  /** The directory to save into. `{epoch}` (1-based, or `{epoch:03d}` zero-padded) and `{key}` / `{key:.4f}` for a log value give one directory per epoch. */
  path: string;
  /** The log value saveBestOnly compares; default 'val_loss'. */
  monitor?: string;
  /** 'min', 'max', or 'auto': max for accuracies, min otherwise. */
  mode?: MonitorMode;
  /** Save only when `monitor` improves on the best value so far. */
  saveBestOnly?: boolean;
  /** Also save the optimizer's state, so that training can resume from the checkpoint. */
  includeOptimizer?: boolean;
}

const KEYS = ['path', 'monitor', 'mode', 'saveBestOnly', 'includeOptimizer'];

/** Keras's ModelCheckpoint: model.save(path) at the end of each epoch, or only of those that improve `monitor`. */
export class ModelCheckpoint extends ModelCallback {
  readonly path: string;
  readonly monitor: Monitor;
  readonly saveBestOnly: boolean;
  readonly includeOptimizer: boolean;
  /** Rank 0 alone writes checkpoints in a distributed fit. */
  readonly chiefOnly = true;
  /** The best monitored value so far; it carries over from one fit() to the next, as in Keras. */
  best: number | null = null;

  constructor(options: ModelCheckpointOptions) {
    super();
    const who = 'ModelCheckpoint';
    const o = callbackOptions(options, KEYS, who);
    if (typeof o.path !== 'string' || o.path === '') throw new ConfigError(`${who}: path must be a directory path, got ${describeValue(o.path)}`);
    this.path = o.path;
    this.monitor = new Monitor(who, o.monitor ?? 'val_loss', o.mode ?? 'auto', 0);
    this.saveBestOnly = checkBoolean(who, 'saveBestOnly', o.saveBestOnly ?? false);
    this.includeOptimizer = checkBoolean(who, 'includeOptimizer', o.includeOptimizer ?? false);
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.saveBestOnly) {
      const value = this.monitor.value(logs, this.model);
      if (value === undefined || !this.monitor.improves(value, this.best)) return;
      this.best = value;
    }
    await this.model.save(this.filePath(epoch, logs), { includeOptimizer: this.includeOptimizer });
  }

  /** `path` with {epoch} (1-based, as Keras numbers files) and {logKey} filled in, with optional :0Nd / :.Nf formats. */
  filePath(epoch: number, logs: Logs): string {
    return this.path.replace(/\{(\w+)(?::(0?\d*)d|:\.(\d+)f)?\}/g, (match, key: string, width: string | undefined, digits: string | undefined) => {
      const value = key === 'epoch' ? epoch + 1 : logs[key];
      if (value === undefined) throw new ValueError(`ModelCheckpoint: path ${this.path} uses ${match}, which is not in the logs (${Object.keys(logs).join(', ')})`);
      if (digits !== undefined) return value.toFixed(Number(digits));
      if (width !== undefined) return String(Math.round(value)).padStart(Number(width || '0'), '0');
      return String(value);
    });
  }
}
