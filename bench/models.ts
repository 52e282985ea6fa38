// The benchmark models, the MLP and CNN defined as ../shared/baselines/bench_tfjs.js and bench_torch.py define
// them, the LSTM as bench/baselines/ does: glorot-uniform kernels and zero biases (the layers' defaults; the
// LSTM's recurrent kernel orthogonal and its forget bias 1, Keras's defaults), softmax cross-entropy (the fused
// form that compile picks for a softmax output), Adam with lr 1e-3 and epsilon 1e-7, batch 128.
import { Dense, LSTM, Sequential, adam } from 'semiflow';
import { buildCnn } from '../examples/mnist-models.ts';

export const BENCH_MODELS = ['mlp', 'cnn', 'lstm'] as const;
export type BenchModelName = (typeof BENCH_MODELS)[number];

export const BATCH_SIZE = 128;

/**
 * MLP 784-128 relu-10; CNN conv32 3x3 relu, pool 2, conv64 3x3 relu, pool 2, dense 128 relu, dense 10; or
 * LSTM 128 over the 28 rows of 28 pixels (its last output), dense 10.
 */
export function buildBenchModel(name: BenchModelName, seed = 1): Sequential {
  const model = name === 'cnn' ? buildCnn(seed, name) : new Sequential({ seed, name });
  if (name !== 'cnn') {
    model.add(name === 'mlp' ? new Dense(128, { activation: 'relu', inputShape: [784] }) : new LSTM(128, { inputShape: [28, 28] }));
    model.add(new Dense(10, { activation: 'softmax' }));
  }
  model.compile({ optimizer: adam({ learningRate: 1e-3, epsilon: 1e-7 }), loss: 'categoricalCrossentropy' });
  return model;
}
