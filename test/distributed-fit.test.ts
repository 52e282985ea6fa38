import { describe, expect, it } from 'vitest';
import {
  BatchNormalization, Conv2D, Dense, Dropout, Flatten, MaxPooling2D, Sequential, adam, localGroup, oneHot, randomNormal, tensor,
} from 'semiflow';
import type { Communicator, FitOptions, History, Tensor } from 'semiflow';

/** n noisy samples of 3 classes in `features` dimensions. */
function blobs(n: number, features: number, seed: number): { x: Tensor; y: Tensor } {
  const noise = randomNormal([n, features], { seed });
  const labels = Array.from({ length: n }, (_, i) => (i * 7) % 3);
  const x = tensor(Array.from(noise.storage, (v, i) => v + (labels[Math.floor(i / features)] === i % 3 ? 1.5 : 0)), [n, features]);
  return { x, y: oneHot(labels, 3) };
}

function mlp(seed: number, extra?: 'batchNorm' | 'dropout'): Sequential {
  const model = new Sequential({ seed });
  model.add(new Dense(16, { activation: 'relu', inputShape: [6] }));
  if (extra === 'batchNorm') model.add(new BatchNormalization());
  if (extra === 'dropout') model.add(new Dropout(0.3));
  model.add(new Dense(3, { activation: 'softmax' }));
  model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function cnn(seed: number): Sequential {
  const model = new Sequential({ seed });
  model.add(new Conv2D(4, 3, { activation: 'relu', inputShape: [8, 8, 1] }));
  model.add(new MaxPooling2D(2));
  model.add(new Flatten());
  model.add(new Dense(3, { activation: 'softmax' }));
  model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const maxDiff = (a: Tensor[], b: Tensor[]): number =>
  Math.max(...a.map((t, i) => Math.max(...Array.from(t.storage, (v, j) => Math.abs(v - b[i].storage[j])))));

const hex = (ws: Tensor[]): string[] => ws.map((w) => Buffer.from(w.storage.buffer, w.storage.byteOffset, w.storage.byteLength).toString('hex'));

/** One fit per rank of a local group, each rank's model made with its own seed (rank 0's is the reference's). */
async function fitGroup(size: number, make: (seed: number) => Sequential, x: Tensor, y: Tensor, options: FitOptions, group: Communicator[] = localGroup(size)):
  Promise<{ models: Sequential[]; histories: History[] }> {
  const models = group.map((_, r) => make(10 + r));
  const histories = await Promise.all(models.map((m, r) => m.fit(x, y, { verbose: 0, ...options, distributed: group[r] })));
  return { models, histories };
}

describe('data-parallel fit over a local group', () => {
  it('2 ranks at global batch 32 train an MLP as 1 rank at 32 (Adam, shuffled, 4 epochs), and hold identical weights', async () => {
    const { x, y } = blobs(200, 6, 1);
    const reference = mlp(10);
    const solo = await reference.fit(x, y, { batchSize: 32, epochs: 4, seed: 5, verbose: 0 });
    const { models, histories } = await fitGroup(2, mlp, x, y, { batchSize: 32, epochs: 4, seed: 5 });
    expect(hex(models[0].getWeights())).toEqual(hex(models[1].getWeights()));
    expect(maxDiff(models[0].getWeights(), reference.getWeights())).toBeLessThan(1e-6);
    // The epoch logs are the global figures, the same on every rank.
    expect(histories[1].history).toEqual(histories[0].history);
    for (const key of ['loss', 'accuracy']) {
      histories[0].history[key].forEach((v, e) => expect(Math.abs(v - solo.history[key][e])).toBeLessThan(1e-6));
    }
  });

  it('3 ranks at a batch of 25 over 190 rows (shares of 8 and 9, a last batch of 15) match 1 rank too', async () => {
    const { x, y } = blobs(190, 6, 2);
    const reference = mlp(10);
    await reference.fit(x, y, { batchSize: 25, epochs: 3, seed: 6, verbose: 0 });
    const { models } = await fitGroup(3, mlp, x, y, { batchSize: 25, epochs: 3, seed: 6 });
    expect(hex(models[2].getWeights())).toEqual(hex(models[0].getWeights()));
    expect(maxDiff(models[1].getWeights(), reference.getWeights())).toBeLessThan(1e-6);
  });

  it('a small CNN on 2 ranks matches 1 rank, with rank 1 given another fit seed (rank 0\'s wins)', async () => {
    const n = 96;
    const x = randomNormal([n, 8, 8, 1], { seed: 3 });
    const y = oneHot(Array.from({ length: n }, (_, i) => (x.storage[i * 64 + 9] > 0 ? 1 : 0) + (x.storage[i * 64 + 50] > 0 ? 1 : 0)), 3);
    const reference = cnn(10);
    await reference.fit(x, y, { batchSize: 16, epochs: 3, seed: 7, verbose: 0 });
    const group = localGroup(2);
    const models = [cnn(10), cnn(11)];
    await Promise.all(models.map((m, r) => m.fit(x, y, { batchSize: 16, epochs: 3, seed: 7 + r, verbose: 0, distributed: group[r] })));
    expect(hex(models[1].getWeights())).toEqual(hex(models[0].getWeights()));
    expect(maxDiff(models[0].getWeights(), reference.getWeights())).toBeLessThan(1e-6);
  });
});
