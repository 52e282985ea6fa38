import { appendFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, describeValue } from '../../core/errors.ts';
import { checkBoolean } from '../../optim/options.ts';
import type { Callback, Logs } from '../callbacks.ts';
import { callbackOptions } from './monitor.ts';

export interface CSVLoggerOptions {
  separator?: string;
  /** Add rows to an existing file instead of starting a new one (default false). */
  append?: boolean;
}

/**
 * Keras's CSVLogger: one row per epoch, `epoch` then the log keys in sorted order, as fixed by the first epoch
 * (a key missing later reads NA). Rows are appended synchronously, so the file is complete at every epoch end.
 * With append, the header is written only if the file is new or empty.
 */
export class CSVLogger implements Callback {
  readonly separator: string;
  readonly append: boolean;
  /** Rank 0 alone writes the log in a distributed fit. */
  readonly chiefOnly = true;
  private keys: string[] | undefined;
  private header = true;

  constructor(readonly path: string, options?: CSVLoggerOptions) {
    const who = 'CSVLogger';
    if (typeof path !== 'string' || path === '') throw new ConfigError(`${who}: path must be a file name, got ${describeValue(path)}`);
    const o = callbackOptions(options, ['separator', 'append'], who);
    this.separator = o.separator ?? ',';
    if (typeof this.separator !== 'string' || this.separator === '' || this.separator.includes('\n')) {
      throw new ConfigError(`${who}: separator must be a non-empty string without newlines, got ${describeValue(this.separator)}`);
    }
    this.append = checkBoolean(who, 'append', o.append ?? false);
  }

  onTrainBegin(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    this.keys = undefined;
    this.header = !this.append || !existsSync(this.path) || statSync(this.path).size === 0;
    if (!this.append) writeFileSync(this.path, '');
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    this.keys ??= Object.keys(logs).sort();
    let text = '';
    if (this.header) {
      text += `${['epoch', ...this.keys].join(this.separator)}\n`;
      this.header = false;
    }
    text += `${[String(epoch), ...this.keys.map((k) => (logs[k] === undefined ? 'NA' : String(logs[k])))].join(this.separator)}\n`;
    appendFileSync(this.path, text);
  }
}
