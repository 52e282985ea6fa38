import type { Logs } from './callbacks.ts';

export type Verbosity = 0 | 1 | 2;

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const BAR_WIDTH = 20;
const REDRAW_MS = 100;

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

/**
 * Keras-style progress: on a TTY with verbose 1, a live line per epoch (steps, bar, elapsed or ETA, time per step,
 * running metrics) redrawn at most every 100 ms; otherwise one line per epoch. Verbose 0 prints nothing.
 */
export class Progress {
  private readonly live: boolean;
  private started = 0;
  private lastDraw = 0;

  constructor(private readonly verbose: Verbosity, private readonly stream: ProgressStream, private readonly epochs: number) {
    this.live = verbose === 1 && stream.isTTY === true;
  }

  epochBegin(epoch: number): void {
    this.started = performance.now();
    this.lastDraw = 0;
    if (this.verbose !== 0 && this.live) this.stream.write(`Epoch ${epoch + 1}/${this.epochs}\n`);
  }

  batchEnd(step: number, steps: number, logs: Logs): void {
    if (!this.live) return;
    const now = performance.now();
    if (step < steps && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const elapsed = now - this.started;
    const perStep = elapsed / step;
    const done = Math.round((BAR_WIDTH * step) / steps);
    const bar = '━'.repeat(done) + ' '.repeat(BAR_WIDTH - done);
    const time = step < steps ? `ETA ${formatDuration(perStep * (steps - step))}` : formatDuration(elapsed);
    const line = `${String(step).padStart(String(steps).length)}/${steps} ${bar} ${time} ${Math.round(perStep)}ms/step - ${formatLogs(logs)}`;
    this.stream.write(`\r${line}\x1b[K`);
  }

  epochEnd(epoch: number, steps: number, logs: Logs): void {
    if (this.verbose === 0) return;
    const elapsed = performance.now() - this.started;
    const summary = `${formatDuration(elapsed)} ${Math.round(elapsed / Math.max(steps, 1))}ms/step - ${formatLogs(logs)}`;
    if (this.live) this.stream.write(`\r${steps}/${steps} ${'━'.repeat(BAR_WIDTH)} ${summary}\x1b[K\n`);
    else this.stream.write(`Epoch ${epoch + 1}/${this.epochs} - ${summary}\n`);
  }
}
