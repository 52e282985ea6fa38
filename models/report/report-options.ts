import { ConfigError, ShapeError, ValueError, describeValue, fmtShape } from '../../core/errors.ts';
import { checkOptionKeys, positiveInt } from '../../core/options.ts';
import { Tensor } from '../../core/tensor.ts';

export interface TrainingReportOptions {
  /** The HTML file to (re)write at every epoch end, e.g. 'out/report.html'. */
  path: string;
  /** [x, y] for the confusion matrix and the misclassified grid; without it those sections are left out with a note. */
  validationData?: readonly [Tensor, Tensor];
  title?: string;
  /** How many misclassified samples the grid shows at most (default 32; 0 shows none but still counts them). */
  maxMisclassified?: number;
  /** [h, w] or [h, w, 1|3]: how a flat sample reads as an image, e.g. [28, 28] for 784 MNIST pixels. */
  imageShape?: readonly number[];
  /** A name per class for the matrix and the grid, instead of 0, 1, 2, … */
  classNames?: readonly string[];
  /** Total epochs, for the "epoch k / n" header and the x range of the charts. */
  epochs?: number;
  /** Reload the page every this many seconds while training (default 5; 0 never). */
  refreshSeconds?: number;
}

export interface ReportSettings {
  readonly path: string;
  readonly validation: readonly [Tensor, Tensor] | undefined;
  readonly title: string | undefined;
  readonly maxMisclassified: number;
  readonly imageShape: readonly number[] | undefined;
  readonly classNames: readonly string[] | undefined;
  readonly epochs: number | undefined;
  readonly refreshSeconds: number;
}

const KEYS = ['path', 'validationData', 'title', 'maxMisclassified', 'imageShape', 'classNames', 'epochs', 'refreshSeconds'] as const;

function nonNegativeInt(value: unknown, name: string, who: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ValueError(`${who}: ${name} must be a non-negative integer, got ${describeValue(value)}`);
  }
  return value;
}

function validationPair(data: unknown, who: string): readonly [Tensor, Tensor] {
  if (!Array.isArray(data) || data.length !== 2 || !(data[0] instanceof Tensor) || !(data[1] instanceof Tensor)) {
    throw new ConfigError(`${who}: validationData must be [x, y] with two Tensors, got ${describeValue(data)}`);
  }
  const [x, y] = data as [Tensor, Tensor];
  if (x.rank === 0 || y.rank === 0 || x.shape[0] !== y.shape[0] || x.shape[0] === 0) {
    throw new ShapeError(`${who}: validationData x and y must have the same number of samples (at least 1), got shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
  }
  return [x, y];
}

function imageShapeOption(value: unknown, who: string): readonly number[] {
  const ok = Array.isArray(value) && (value.length === 2 || value.length === 3)
    && value.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0) && (value.length === 2 || value[2] === 1 || value[2] === 3);
  if (!ok) throw new ConfigError(`${who}: imageShape must be [height, width] or [height, width, 1|3] with positive integers, got ${Array.isArray(value) ? JSON.stringify(value) : describeValue(value)}`);
  return value as number[];
}

export function parseReportOptions(options: TrainingReportOptions, who: string): ReportSettings {
  if (options === undefined) throw new ConfigError(`${who}: expected options with a path, e.g. {path: 'out/report.html'}`);
  checkOptionKeys(options, KEYS, who);
  const { path, title, classNames } = options;
  if (typeof path !== 'string' || path.length === 0) throw new ConfigError(`${who}: path must be a non-empty string, got ${describeValue(path)}`);
  if (title !== undefined && typeof title !== 'string') throw new ConfigError(`${who}: title must be a string, got ${describeValue(title)}`);
  if (classNames !== undefined && (!Array.isArray(classNames) || !classNames.every((n) => typeof n === 'string'))) {
    throw new ConfigError(`${who}: classNames must be an array of strings, got ${describeValue(classNames)}`);
  }
  return {
    path,
    title,
    classNames,
    validation: options.validationData === undefined ? undefined : validationPair(options.validationData, who),
    maxMisclassified: nonNegativeInt(options.maxMisclassified ?? 32, 'maxMisclassified', who),
    imageShape: options.imageShape === undefined ? undefined : imageShapeOption(options.imageShape, who),
    epochs: options.epochs === undefined ? undefined : positiveInt(options.epochs, 'epochs', who),
    refreshSeconds: nonNegativeInt(options.refreshSeconds ?? 5, 'refreshSeconds', who),
  };
}
