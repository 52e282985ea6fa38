// The models of the MNIST examples, built here so that the examples and the tests (test/onnx-examples.test.ts)
// share them. The residual CNN is in resnet-model.ts.
import { Conv2D, Dense, Flatten, MaxPooling2D, Sequential } from 'semiflow';
import type { Layer } from 'semiflow';

/** examples/mnist-mlp.ts: Flatten, Dense 128 relu, Dense 10 softmax. */
export function buildMlp(seed: number): Sequential {
  const model = new Sequential({ seed });
  model.add(new Flatten({ inputShape: [28, 28, 1] }));
  model.add(new Dense(128, { activation: 'relu' }));
  model.add(new Dense(10, { activation: 'softmax' }));
  return model;
}

/**
 * examples/mnist-cnn.ts and the bench's CNN: Conv2D 32 3×3 relu, MaxPool 2, Conv2D 64 3×3 relu, MaxPool 2, Flatten,
 * Dense 128 relu, Dense 10 softmax.
 */
export function buildCnn(seed: number, name?: string): Sequential {
  const model = new Sequential({ seed, ...(name === undefined ? {} : { name }) });
  model.add(new Conv2D(32, 3, { activation: 'relu', inputShape: [28, 28, 1] }));
  model.add(new MaxPooling2D(2));
  model.add(new Conv2D(64, 3, { activation: 'relu' }));
  model.add(new MaxPooling2D(2));
  model.add(new Flatten());
  model.add(new Dense(128, { activation: 'relu' }));
  model.add(new Dense(10, { activation: 'softmax' }));
  return model;
}

/** examples/mnist-rows.ts: a recurrent layer (given inputShape [28, 28]) reads an image row by row, then Dense 10 softmax. */
export function buildRowsModel(recurrent: Layer, seed: number, name?: string): Sequential {
  const model = new Sequential({ seed, ...(name === undefined ? {} : { name }) });
  model.add(recurrent);
  model.add(new Dense(10, { activation: 'softmax' }));
  return model;
}
