import { ConfigError, describeValue } from '../core/errors.ts';
import { checkOptionKeys, positiveInt } from '../core/options.ts';
import type { Logs } from './callbacks.ts';
import { platform } from '../core/platform.ts';

/** 0 prints nothing, 1 a live bar on a TTY (one final line elsewhere), 2 one final line. */
export type Verbosity = 0 | 1 | 2;

/** Where progress goes: platform.stdout by default (process.stdout in Node). `columns`, when known, keeps a live line from wrapping. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBarOptions {
  verbose?: Verbosity;
  stream?: ProgressStream;
  /** Starts the final line when it is not live, e.g. 'Epoch 1/5'. */
  title?: string;
  /** A clock in milliseconds (performance.now by default); tests pass their own. */
  now?: () => number;
}

const BAR_WIDTH = 20;
/** The live line is redrawn at most this often (the issue asks for at least every 250 ms). */
const REDRAW_MS = 100;
const CLEAR_TO_END = '\x1b[K';

/** 0.1234 as Keras prints it: four decimals, or scientific when tiny. */
function formatValue(value: number): string {
  return Math.abs(value) >= 1e-3 || value === 0 || !Number.isFinite(value) ? value.toFixed(4) : value.toExponential(3);
}

export function formatLogs(logs: Logs): string {
  return Object.entries(logs).map(([k, v]) => `${k}: ${formatValue(v)}`).join(' - ');
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Time per step in the unit Keras picks: s, ms or us. */
function formatPerStep(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)}s/step` : ms >= 1 ? `${Math.round(ms)}ms/step` : `${Math.round(ms * 1000)}us/step`;
}

export function checkVerbosity(value: unknown, who: string): Verbosity {
  if (value !== 0 && value !== 1 && value !== 2) throw new ConfigError(`${who}: verbose must be 0, 1 or 2, got ${describeValue(value)}`);
  return value;
}

/**
 * Keras-style progress over a number of steps. Live (verbose 1 on a TTY): one line redrawn in place with steps
 * done/total, the bar, elapsed time and ETA, time per step and the running logs; finish() replaces it with the
 * final values. Otherwise finish() writes one plain line, with no carriage return or escape code. With `steps`
 * undefined (a dataset of unknown length) the line shows the count so far (`123/?`), the elapsed time and the
 * time per step, and no bar or ETA.
 */
export class ProgressBar {
  readonly live: boolean;
  private readonly verbose: Verbosity;
  private readonly stream: ProgressStream;
  private readonly title: string | undefined;
  private readonly now: () => number;
  private readonly started: number;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private done = 0;

  constructor(readonly steps: number | undefined, options: ProgressBarOptions = {}) {
    checkOptionKeys(options, ['verbose', 'stream', 'title', 'now'], 'ProgressBar');
    if (steps !== undefined) positiveInt(steps, 'steps', 'ProgressBar');
    this.verbose = checkVerbosity(options.verbose ?? 1, 'ProgressBar');
    this.stream = options.stream ?? platform.stdout;
    this.title = options.title;
    this.now = options.now ?? (() => performance.now());
    this.live = this.verbose === 1 && this.stream.isTTY === true;
    this.started = this.now();
  }

  /**
   * Records that `step` steps are done; a live bar redraws unless it did less than REDRAW_MS ago. `phase` replaces
   * the ETA once the steps are done and something else runs, such as fit's validation ('validating 3/79').
   */
  update(step: number, logs: Logs = {}, phase?: string): void {
    this.done = step;
    if (!this.live) return;
    const now = this.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const elapsed = now - this.started;
    const perStep = elapsed / Math.max(step, 1);
    const eta = phase ?? (this.steps === undefined ? undefined : `ETA ${formatDuration(perStep * (this.steps - step))}`);
    const line = `${this.counter(step)}${this.bar(step)} ${formatDuration(elapsed)} elapsed${eta === undefined ? '' : `, ${eta}`} - ${formatPerStep(perStep)}${tail(logs)}`;
    const width = this.stream.columns;
    this.stream.write(`\r${width !== undefined && width > 1 ? line.slice(0, width - 1) : line}${CLEAR_TO_END}`);
  }

  /** The steps there are, or with an unknown total those done so far. */
  get total(): number {
    return this.steps ?? this.done;
  }

  /** The final line: total time, time per step and the final logs (validation included). */
  finish(logs: Logs = {}): void {
    if (this.verbose === 0) return;
    const elapsed = this.now() - this.started;
    const total = this.total;
    const timing = `${formatDuration(elapsed)} ${formatPerStep(elapsed / Math.max(total, 1))}${tail(logs)}`;
    if (this.live) {
      const counter = this.steps === undefined ? `${total}/${total}` : this.counter(total);
      this.stream.write(`\r${counter}${this.bar(total)} ${timing}${CLEAR_TO_END}\n`);
    } else {
      this.stream.write(`${this.title === undefined ? '' : `${this.title} - `}${total}/${total} - ${timing}\n`);
    }
  }

  private counter(step: number): string {
    return this.steps === undefined ? `${step}/?` : `${String(step).padStart(String(this.steps).length)}/${this.steps}`;
  }

  /** The bar, with a space before it; none for an unknown total. */
  private bar(step: number): string {
    if (this.steps === undefined) return '';
    const done = Math.min(BAR_WIDTH, Math.round((BAR_WIDTH * step) / this.steps));
    return ` ${'━'.repeat(done)}${'─'.repeat(BAR_WIDTH - done)}`;
  }
}

function tail(logs: Logs): string {
  const text = formatLogs(logs);
  return text === '' ? '' : ` - ${text}`;
}

/**
 * fit's progress: an "Epoch i/n" header and a live bar per epoch, or one line per epoch. The learning rate is in
 * every log, but it is printed only once it has changed during this fit (a schedule or a callback), as noise otherwise.
 */
export class FitProgress {
  private bar: ProgressBar | undefined;
  private firstRate: number | undefined;
  private rateVaries = false;

  constructor(private readonly verbose: Verbosity, private readonly stream: ProgressStream, private readonly epochs: number) {}

  /** `steps` is undefined while a dataset's length is unknown (its first epoch). */
  epochBegin(epoch: number, steps: number | undefined): void {
    const title = `Epoch ${epoch + 1}/${this.epochs}`;
    this.bar = new ProgressBar(steps === undefined ? undefined : Math.max(steps, 1), { verbose: this.verbose, stream: this.stream, title });
    if (this.bar.live) this.stream.write(`${title}\n`);
  }

  batchEnd(step: number, logs: Logs): void {
    this.track(logs);
    if (this.bar !== undefined && (this.bar.steps === undefined || step < this.bar.steps)) this.bar.update(step, this.shown(logs));
  }

  /** Keeps the live line moving while the epoch's validation runs: `done` of `total` validation batches (unknown for some datasets). */
  validating(logs: Logs, done: number, total: number | undefined): void {
    if (this.bar?.live === true) this.bar.update(this.bar.total, this.shown(logs), `validating ${done}/${total ?? '?'}`);
  }

  epochEnd(logs: Logs): void {
    this.track(logs);
    this.bar?.finish(this.shown(logs));
  }

  private track(logs: Logs): void {
    const rate = logs.learning_rate;
    if (rate === undefined) return;
    this.firstRate ??= rate;
    this.rateVaries ||= rate !== this.firstRate;
  }

  private shown(logs: Logs): Logs {
    if (this.rateVaries || logs.learning_rate === undefined) return logs;
    return Object.fromEntries(Object.entries(logs).filter(([key]) => key !== 'learning_rate'));
  }
}
