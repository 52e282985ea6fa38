// Test helper: a small image classification task and a model that trains on it in well under a second.
import { Dense, Flatten, Sequential, adam, oneHot, randomNormal, tensor } from 'semiflow';
import type { Tensor } from 'semiflow';

export interface Bars {
  /** [n, 8, 8, 1] in [0, 1]. */
  x: Tensor;
  /** [n, 3] one-hot. */
  y: Tensor;
  labels: number[];
}

/** 8x8 images of a bar (class 0 horizontal, 1 vertical, 2 diagonal) under heavy noise, so a few stay ambiguous. */
export function bars(n: number, seed: number, noise = 0.45): Bars {
  const jitter = randomNormal([n, 64], { seed, stddev: noise }).storage;
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const pixels = new Float32Array(n * 64);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        const on = [r === 3 || r === 4, c === 3 || c === 4, r === c || r === c + 1][labels[i]];
        pixels[i * 64 + r * 8 + c] = Math.min(1, Math.max(0, (on ? 0.75 : 0.15) + jitter[i * 64 + r * 8 + c]));
      }
    }
  }
  return { x: tensor(pixels, [n, 8, 8, 1]), y: oneHot(labels, 3), labels };
}

/** Flatten, Dense 12 relu, Dense 3 softmax; Adam 3e-3 with categorical crossentropy and accuracy. */
export function barClassifier(seed = 1): Sequential {
  const model = new Sequential({ seed });
  model.add(new Flatten({ inputShape: [8, 8, 1] }));
  model.add(new Dense(12, { activation: 'relu' }));
  model.add(new Dense(3, { activation: 'softmax' }));
  model.compile({ optimizer: adam({ learningRate: 3e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
