import { describe, expect, it } from 'vitest';
import { Dense, Embedding, GRU, LSTM, Sequential, reshape, tensor } from 'semiflow';
import type { Functional, Tensor } from 'semiflow';
import { loadMnist } from 'semiflow/node';
import { buildCnn, buildMlp, buildRowsModel } from '../examples/mnist-models.ts';
import { buildResnet } from '../examples/resnet-model.ts';
import { expectOrtAndBack, mnistImages, scrambleWeights } from './onnx-oracle.ts';

// Issue 18, point 4: each example model exported, run in ONNX Runtime on real MNIST images (synthetic ids for the
// text model) and compared with predict to 1e-5, then imported back and compared again.

const rows = (images: Tensor): Tensor => reshape(images, [images.shape[0], 28, 28]);

/** The model's layers by class, to see that the import rebuilt the same network. */
const classes = (net: Sequential | Functional): string[] => net.layers.map((l) => l.constructor.name).filter((c) => c !== 'InputLayer');

describe('the example models through ONNX Runtime and back', () => {
  it('mnist-mlp', async () => {
    const net = buildMlp(1);
    scrambleWeights(net, 31);
    const back = await expectOrtAndBack(net, mnistImages(32));
    expect(classes(back)).toEqual(classes(net));
  });

  it('mnist-cnn', async () => {
    const net = buildCnn(2);
    scrambleWeights(net, 33);
    const back = await expectOrtAndBack(net, mnistImages(16));
    expect(classes(back)).toEqual(classes(net));
  });

  it('the residual CNN of mnist-resnet, trained a few steps so that its BatchNormalization statistics moved', async () => {
    const net = buildResnet(3);
    const { train } = loadMnist({ trainSize: 256, testSize: 1 });
    const before = net.getWeights().map((w) => Array.from(w.data));
    net.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await net.fit(train.images, train.oneHot, { epochs: 1, batchSize: 64, verbose: 0 });
    const moved = net.layers.flatMap((l) => l.weights).map((w, i) => ({ name: w.name, changed: Array.from(w.value.data).some((v, j) => v !== before[i][j]) }));
    expect(moved.filter((w) => /moving_(mean|variance)/.test(w.name)).every((w) => w.changed)).toBe(true);
    const back = await expectOrtAndBack(net, mnistImages(16));
    expect(classes(back).filter((c) => c === 'BatchNormalization')).toHaveLength(classes(net).filter((c) => c === 'BatchNormalization').length);
  });

  it("mnist-lstm's LSTM(128) on MNIST rows", async () => {
    const net = buildRowsModel(new LSTM(128, { inputShape: [28, 28] }), 4);
    scrambleWeights(net, 35);
    const back = await expectOrtAndBack(net, rows(mnistImages(8)));
    expect(classes(back)).toEqual(['LSTM', 'Dense']);
  });

  it('the same rows model with a GRU', async () => {
    const net = buildRowsModel(new GRU(64, { inputShape: [28, 28] }), 5);
    scrambleWeights(net, 37);
    const back = await expectOrtAndBack(net, rows(mnistImages(8)));
    expect(classes(back)).toEqual(['GRU', 'Dense']);
  });

  it('an Embedding + LSTM text-like model on synthetic ids', async () => {
    const net = new Sequential({ seed: 6 });
    net.add(new Embedding(50, 16, { inputShape: [12] }));
    net.add(new LSTM(24));
    net.add(new Dense(3, { activation: 'softmax' }));
    scrambleWeights(net, 39);
    const ids = tensor(Array.from({ length: 10 * 12 }, (_, i) => (i * 17 + 5) % 50), [10, 12]);
    const back = await expectOrtAndBack(net, ids);
    expect(classes(back)).toEqual(['Embedding', 'LSTM', 'Dense']);
  });
});
