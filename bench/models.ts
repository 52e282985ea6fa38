// The benchmark models, the MLP and CNN defined as ../shared/baselines/bench_tfjs.js and bench_torch.py define
// them, the LSTM as bench/baselines/ does: glorot-uniform kernels and zero biases (the layers' defaults; the
// LSTM's recurrent kernel orthogonal and its forget bias 1, Keras's defaults), softmax cross-entropy (the fused
// form that compile picks for a softmax output), Adam with lr 1e-3 and epsilon 1e-7, batch 128.
import { Conv2D, Dense, Flatten, LSTM, MaxPooling2D, Sequential, adam } from 'semiflow';

export const BENCH_MODELS = ['mlp', 'cnn', 'lstm'] as const;
export type BenchModelName = (typeof BENCH_MODELS)[number];

export const BATCH_SIZE = 128;

/**
 * MLP 784-128 relu-10; CNN conv32 3x3 relu, pool 2, conv64 3x3 relu, pool 2, dense 128 relu, dense 10; or
 * LSTM 128 over the 28 rows of 28 pixels (its last output), dense 10.
 */
export function buildBenchModel(name: BenchModelName, seed = 1): Sequential {
  const model = new Sequential({ seed, name });
  if (name === 'mlp') {
    model.add(new Dense(128, { activation: 'relu', inputShape: [784] }));
  } else if (name === 'lstm') {
    model.add(new LSTM(128, { inputShape: [28, 28] }));
  } else {
    model.add(new Conv2D(32, 3, { activation: 'relu', inputShape: [28, 28, 1] }));
    model.add(new MaxPooling2D(2));
    model.add(new Conv2D(64, 3, { activation: 'relu' }));
    model.add(new MaxPooling2D(2));
    model.add(new Flatten());
    model.add(new Dense(128, { activation: 'relu' }));
  }
  model.add(new Dense(10, { activation: 'softmax' }));
  model.compile({ optimizer: adam({ learningRate: 1e-3, epsilon: 1e-7 }), loss: 'categoricalCrossentropy' });
  return model;
}
