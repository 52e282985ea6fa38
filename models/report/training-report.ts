import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConfigError, prefixError } from '../../core/errors.ts';
import type { Callback, Logs } from '../callbacks.ts';
import type { Sequential } from '../sequential.ts';
import { writeFileAtomic } from '../write-atomic.ts';
import { BatchLosses } from './batch-loss.ts';
import { chartCards } from './chart-cards.ts';
import { escapeHtml } from './escape.ts';
import type { Card } from './html.ts';
import { renderPage } from './html.ts';
import { imageShapeOf, pixelRange } from './images.ts';
import type { ReportSettings, TrainingReportOptions } from './report-options.ts';
import { parseReportOptions } from './report-options.ts';
import type { Point } from './svg-chart.ts';
import type { ValidationInput } from './validation-cards.ts';
import { validationCards } from './validation-cards.ts';

const WHO = 'TrainingReport';

/**
 * A callback that keeps one self-contained HTML page up to date during training: loss and metric curves per
 * epoch (and the loss per batch, smoothed), the learning rate per step, the model summary, and for classifiers a confusion matrix and the
 * misclassified samples of the validation data. The page is rewritten at every epoch end and reloads itself
 * while training, so it can stay open in a browser.
 */
export class TrainingReport implements Callback {
  readonly path: string;
  /** Rank 0 alone writes the report in a distributed fit. */
  readonly chiefOnly = true;
  private readonly settings: ReportSettings;
  private readonly validation: ValidationInput | undefined;
  private model: Sequential | undefined;
  private history = new Map<string, number[]>();
  /** (step position in epochs, learning rate) per batch. */
  private rates: Point[] = [];
  private epochRates: number[] = [];
  /** (step position in epochs, the batch's own loss) per batch, and the current epoch's losses. */
  private losses: Point[] = [];
  private epochLosses: number[] = [];
  private batchLosses = new BatchLosses();
  private epochsDone = 0;
  /** The confusion matrix and misclassified cards, computed once per epoch end. */
  private validationSection: Card[] = [];
  private started = performance.now();
  private lastLogs: Logs = {};

  constructor(options: TrainingReportOptions) {
    this.settings = parseReportOptions(options, WHO);
    this.path = this.settings.path;
    const data = this.settings.validation;
    this.validation = data === undefined ? undefined : {
      x: data[0], y: data[1],
      image: imageShapeOf(data[0].shape.slice(1), this.settings.imageShape, WHO),
      pixels: pixelRange(data[0].storage),
      maxMisclassified: this.settings.maxMisclassified,
      classNames: this.settings.classNames,
    };
  }

  setModel(model: Sequential): void {
    this.model = model;
  }

  async onTrainBegin(): Promise<void> {
    this.history = new Map();
    this.rates = [];
    this.epochRates = [];
    this.losses = [];
    this.epochLosses = [];
    this.lastLogs = {};
    this.epochsDone = 0;
    this.validationSection = [];
    this.started = performance.now();
    await this.write(false);
  }

  onBatchBegin(batch: number, logs: Logs): void {
    this.batchLosses.begin(batch, logs.size);
  }

  onBatchEnd(_batch: number, logs: Logs): void {
    if (typeof logs.learning_rate === 'number') this.epochRates.push(logs.learning_rate);
    const loss = this.batchLosses.end(logs.loss);
    if (loss !== undefined) this.epochLosses.push(loss);
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    for (const [key, value] of Object.entries(logs)) {
      const values = this.history.get(key) ?? new Array<number>(this.epochsDone).fill(Number.NaN);
      values.push(value);
      this.history.set(key, values);
    }
    // The step positions are known once the epoch's batch count is.
    const steps = this.epochRates.length;
    this.epochRates.forEach((lr, b) => this.rates.push([epoch + (b + 1) / steps, lr]));
    this.epochRates = [];
    this.epochLosses.forEach((loss, b, all) => this.losses.push([epoch + (b + 1) / all.length, loss]));
    this.epochLosses = [];
    this.lastLogs = logs;
    this.epochsDone++;
    try {
      this.validationSection = validationCards(this.model, this.validation, WHO);
    } catch (error) {
      throw prefixError(error, WHO);
    }
    await this.write(false);
  }

  async onTrainEnd(): Promise<void> {
    await this.write(true);
  }

  /** The page as it stands; `finished` drops the auto-refresh and marks the run done. */
  private render(finished: boolean): string {
    const model = this.model;
    const cards: Card[] = chartCards(this.history, this.rates, this.losses, this.settings.epochs);
    cards.push({
      id: 'summary', title: 'Model',
      body: model === undefined ? '<p class="note">The report has no model (fit passes it with setModel).</p>' : `<pre class="summary">${escapeHtml(model.summary(null))}</pre>`,
    });
    cards.push(...this.validationSection);
    return renderPage({
      title: this.settings.title ?? (model === undefined ? 'Training report' : `Training report: ${model.name}`),
      finished,
      epochsDone: this.epochsDone,
      epochs: this.settings.epochs,
      elapsedMs: performance.now() - this.started,
      updatedAt: new Date(),
      refreshSeconds: this.settings.refreshSeconds,
      lastLogs: this.lastLogs,
      cards,
    });
  }

  /** Atomically, so a browser reloading the page reads the old page or the new one, never half of one. */
  private async write(finished: boolean): Promise<void> {
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFileAtomic(this.path, this.render(finished));
    } catch (error) {
      throw new ConfigError(`${WHO}: cannot write the report to ${this.path}: ${(error as Error).message}`);
    }
  }
}
