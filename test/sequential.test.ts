import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError, Conv2D, Dense, Dropout, Flatten, MaxPooling2D, Sequential, ShapeError, ValueError, adam, categoricalCrossentropy, oneHot, randomNormal, randomUniform, softmax, tensor, valueAndGrad
} from 'semiflow';
import { checkGrad } from 'semiflow/testing';
import { loadMnist } from 'semiflow/node';
import type { Callback, ModelParams, Tensor } from 'semiflow';

/** Two Gaussian blobs per class in 4-D, labels one-hot: a task a small model learns in a few epochs. */
function blobs(n: number, seed: number): { x: Tensor; y: Tensor; labels: number[] } {
  const noise = randomNormal([n, 4], { seed, stddev: 0.5 });
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const centers = [[2, 0, 0, -1], [-2, 1, 0, 1], [0, -2, 2, 0]];
  const x = tensor(Array.from(noise.storage, (v, i) => v + centers[labels[Math.floor(i / 4)]][i % 4]), [n, 4]);
  return { x, y: oneHot(labels, 3), labels };
}

function classifier(seed = 1): Sequential {
  const model = new Sequential({ seed });
  model.add(new Dense(16, { activation: 'tanh', inputShape: [4] }));
  model.add(new Dense(3, { activation: 'softmax' }));
  return model;
}

const silent = { verbose: 0 } as const;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Sequential: training', () => {
  it('a tiny model\'s loss falls and its accuracy rises on synthetic data', async () => {
    const { x, y } = blobs(300, 1);
    const model = classifier();
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const before = model.evaluate(x, y);
    const history = await model.fit(x, y, { epochs: 15, batchSize: 32, ...silent });
    const after = model.evaluate(x, y);
    expect(history.epoch).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(history.history.loss[14]).toBeLessThan(history.history.loss[0] / 3);
    expect(after.loss).toBeLessThan(before.loss / 4);
    expect(after.accuracy).toBeGreaterThan(0.95);
  });

  it('learns MNIST from a 2,000-image slice', async () => {
    const { train, test } = loadMnist({ trainSize: 2000, testSize: 1000 });
    const model = new Sequential({ seed: 3 });
    model.add(new Flatten({ inputShape: [28, 28, 1] }));
    model.add(new Dense(64, { activation: 'relu' }));
    model.add(new Dense(10, { activation: 'softmax' }));
    model.compile({ optimizer: adam({ learningRate: 3e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const history = await model.fit(train.images, train.oneHot, { epochs: 4, batchSize: 32, validationData: [test.images, test.oneHot], ...silent });
    expect(history.history.val_accuracy[3]).toBeGreaterThan(0.85);
    expect(history.history.loss[3]).toBeLessThan(history.history.loss[0]);
    // Sparse integer labels train the same model family through the sparse loss.
    const sparse = new Sequential({ seed: 3 });
    sparse.add(new Flatten({ inputShape: [28, 28, 1] }));
    sparse.add(new Dense(10, { activation: 'softmax' }));
    sparse.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await sparse.fit(train.images, train.labels, { epochs: 2, batchSize: 32, ...silent });
    expect(sparse.evaluate(test.images, test.labels).accuracy).toBeGreaterThan(0.75);
  });

  it('trains a small CNN a few steps on MNIST', async () => {
    const { train } = loadMnist({ trainSize: 256, testSize: 1 });
    const model = new Sequential({ seed: 4 });
    model.add(new Conv2D(4, 3, { activation: 'relu', inputShape: [28, 28, 1] }));
    model.add(new MaxPooling2D(2));
    model.add(new Flatten());
    model.add(new Dense(10, { activation: 'softmax' }));
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const history = await model.fit(train.images, train.oneHot, { epochs: 3, batchSize: 64, ...silent });
    expect(history.history.loss[2]).toBeLessThan(history.history.loss[0]);
  });

  it('one seed reproduces a run bit for bit: initialisation, shuffling and dropout', async () => {
    const { x, y } = blobs(120, 2);
    const run = async (): Promise<Float32Array[]> => {
      const model = new Sequential({ seed: 11 });
      model.add(new Dense(8, { activation: 'relu', inputShape: [4] }));
      model.add(new Dropout(0.3));
      model.add(new Dense(3, { activation: 'softmax' }));
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      await model.fit(x, y, { epochs: 2, batchSize: 16, ...silent });
      return model.getWeights().map((w) => w.storage as Float32Array);
    };
    const [a, b] = [await run(), await run()];
    a.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(b[i].buffer))).toBe(true));
    const other = new Sequential({ seed: 12 });
    other.add(new Dense(8, { inputShape: [4] }));
    expect(Array.from(other.getWeights()[0].storage)).not.toEqual(Array.from(a[0]).slice(0, 32));
  });

  it('a second fit goes on from where the first stopped, optimizer state included', async () => {
    const { x, y } = blobs(64, 3);
    const twice = classifier(5);
    twice.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await twice.fit(x, y, { epochs: 1, batchSize: 64, shuffle: false, ...silent });
    await twice.fit(x, y, { epochs: 1, batchSize: 64, shuffle: false, ...silent });
    const once = classifier(5);
    once.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await once.fit(x, y, { epochs: 2, batchSize: 64, shuffle: false, ...silent });
    expect(twice.getWeights().map((w) => Array.from(w.storage))).toEqual(once.getWeights().map((w) => Array.from(w.storage)));
  });

  it('validationSplit holds out the last samples and reports val_ metrics', async () => {
    const { x, y } = blobs(100, 4);
    const model = classifier();
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const history = await model.fit(x, y, { epochs: 2, batchSize: 16, validationSplit: 0.2, ...silent });
    expect(Object.keys(history.history).sort()).toEqual(['accuracy', 'learning_rate', 'loss', 'val_accuracy', 'val_loss']);
    expect(history.history.learning_rate).toEqual([0.001, 0.001]);
    const tail = model.evaluate(x.slice([80, 0], [20, 4]), y.slice([80, 0], [20, 3]));
    expect(history.history.val_loss[1]).toBeCloseTo(tail.loss, 5);
    expect(history.history.val_accuracy[1]).toBeCloseTo(tail.accuracy, 10);
  });
});

describe('Sequential: the fused softmax loss', () => {
  it('switches to the fused form, says so in summary, and predict still returns probabilities', () => {
    const model = classifier();
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    expect(model.compiled?.trainingLoss.name).toBe('softmaxCategoricalCrossentropy');
    expect(model.compiled?.fusedLayer).toBe(model.layers[2].name);
    expect(model.summary(null)).toMatch(/fused with the softmax of dense_\d+: training uses softmaxCategoricalCrossentropy on its logits/);
    const p = model.predict(randomNormal([5, 4], { seed: 1 }));
    for (let r = 0; r < 5; r++) expect(Array.from(p.storage.subarray(r * 3, r * 3 + 3)).reduce((a, b) => a + b)).toBeCloseTo(1, 6);
  });

  it('does not fuse without a softmax, or with a loss that has no fused form', () => {
    const linear = new Sequential({ seed: 1 });
    linear.add(new Dense(3, { inputShape: [4] }));
    linear.compile({ loss: 'categoricalCrossentropy' });
    expect(linear.compiled?.fusedLayer).toBeNull();
    const mse = classifier();
    mse.compile({ loss: 'mse' });
    expect(mse.compiled?.trainingLoss.name).toBe('meanSquaredError');
  });

  it('gives the same loss and gradient as softmax then crossentropy, the gradient being (softmax(z) − y)/N at the logits', () => {
    const model = new Sequential({ seed: 6, dtype: 'float64' });
    model.add(new Dense(5, { activation: 'softmax', inputShape: [4] }));
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const x = randomNormal([6, 4], { seed: 7, dtype: 'float64' });
    const y = oneHot([0, 1, 2, 3, 4, 0], 5).cast('float64');
    const fused = (p: ModelParams) => (model.compiled?.trainingLoss.compute(y, model.forward(x, { params: p, logits: true })) as Tensor);
    const plain = (p: ModelParams) => categoricalCrossentropy().compute(y, model.forward(x, { params: p }));
    const [lf, gf] = valueAndGrad(fused)(model.trainableParams());
    const [lp, gp] = valueAndGrad(plain)(model.trainableParams());
    expect(lf.item()).toBeCloseTo(lp.item(), 12);
    const name = model.layers[1].name;
    Array.from(gf[name].kernel.storage).forEach((g, i) => expect(g).toBeCloseTo(gp[name].kernel.storage[i], 12));
    const logitsGrad = valueAndGrad((z: Tensor) => model.compiled?.trainingLoss.compute(y, z) as Tensor)(model.forward(x, { logits: true }))[1];
    const expected = softmax(model.forward(x, { logits: true })).sub(y).div(6);
    Array.from(logitsGrad.storage).forEach((g, i) => expect(g).toBeCloseTo(expected.storage[i], 14));
  });
});

describe('Sequential: the rest of the Keras API', () => {
  it('the whole model has a correct gradient with respect to every weight', () => {
    const model = new Sequential({ seed: 8, dtype: 'float64' });
    model.add(new Conv2D(2, 2, { activation: 'tanh', inputShape: [5, 5, 1] }));
    model.add(new Flatten());
    model.add(new Dense(3, { activation: 'softmax' }));
    const x = randomNormal([2, 5, 5, 1], { seed: 9, dtype: 'float64' });
    const result = checkGrad((p: ModelParams) => model.forward(x, { params: p }), model.trainableParams());
    expect(result.ok, result.message).toBe(true);
  });

  it('summary lists layers, output shapes and parameter counts, with totals', () => {
    const model = new Sequential({ seed: 1 });
    model.add(new Conv2D(32, 3, { activation: 'relu', inputShape: [28, 28, 1] }));
    model.add(new MaxPooling2D(2));
    model.add(new Flatten());
    model.add(new Dense(10));
    model.layers[4].trainable = false;
    const text = model.summary(null);
    expect(text).toMatch(/conv2d_\d+ \(Conv2D\)\s+│ \(None, 26, 26, 32\)\s+│\s+320 │/);
    expect(text).toMatch(/max_pooling2d_\d+ \(MaxPooling2D\)\s+│ \(None, 13, 13, 32\)/);
    expect(text).toMatch(/flatten_\d+ \(Flatten\)\s+│ \(None, 5408\)/);
    expect(text).toMatch(/dense_\d+ \(Dense\)\s+│ \(None, 10\)\s+│\s+54,090 │/);
    expect(text).toContain('Total params: 54,410 (212.54 KB)');
    expect(text).toContain('Trainable params: 320 (1.25 KB)');
    expect(text).toContain('Non-trainable params: 54,090 (211.29 KB)');
  });

  it('frozen layers keep their weights through fit', async () => {
    const { x, y } = blobs(64, 5);
    const model = classifier();
    model.layers[1].trainable = false;
    const frozen = model.layers[1].params.kernel;
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { epochs: 1, batchSize: 16, ...silent });
    expect(model.layers[1].params.kernel).toBe(frozen);
    expect(model.layers[2].params.kernel).not.toBe(model.getWeights()[0]);
  });

  it('predict in batches equals one forward pass, and evaluate matches the loss and accuracy by hand', () => {
    const { x, y, labels } = blobs(70, 6);
    const model = classifier();
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const whole = model.forward(x);
    const batched = model.predict(x, { batchSize: 16 });
    expect(batched.shape).toEqual([70, 3]);
    Array.from(batched.storage).forEach((v, i) => expect(v).toBeCloseTo(whole.storage[i], 6));
    const { loss, accuracy } = model.evaluate(x, y, { batchSize: 9 });
    let nll = 0;
    let correct = 0;
    for (let r = 0; r < 70; r++) {
      const row = Array.from(whole.storage.subarray(r * 3, r * 3 + 3));
      nll -= Math.log(row[labels[r]]);
      correct += row.indexOf(Math.max(...row)) === labels[r] ? 1 : 0;
    }
    expect(loss).toBeCloseTo(nll / 70, 5);
    expect(accuracy).toBe(correct / 70);
  });

  it('getWeights and setWeights round-trip; a wrong shape changes nothing', () => {
    const a = classifier(1);
    const b = classifier(2);
    b.setWeights(a.getWeights());
    expect(b.getWeights().map((w) => Array.from(w.storage))).toEqual(a.getWeights().map((w) => Array.from(w.storage)));
    const before = b.getWeights();
    const bad = [...a.getWeights()];
    bad[3] = randomUniform([4]);
    expect(() => b.setWeights(bad)).toThrow(/weight 3 \(dense_\d+\.bias\) must have shape \[3\], got \[4\]/);
    b.getWeights().forEach((w, i) => expect(w).toBe(before[i]));
  });

  it('calls every callback hook in order, awaits async hooks, and stops when a callback sets stopTraining', async () => {
    const { x, y } = blobs(40, 7);
    const model = classifier();
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const seen: string[] = [];
    const recorder: Callback = {
      onTrainBegin: () => { seen.push('train'); },
      onEpochBegin: (e) => { seen.push(`epoch${e}`); },
      onBatchEnd: async (b, logs) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(`batch${b}:${Number.isFinite(logs.loss)}`);
      },
      onEpochEnd: (e) => {
        seen.push(`end${e}`);
        if (e === 1) model.stopTraining = true;
      },
      onTrainEnd: () => { seen.push('done'); },
    };
    const history = await model.fit(x, y, { epochs: 5, batchSize: 20, callbacks: [recorder], ...silent });
    expect(seen).toEqual(['train', 'epoch0', 'batch0:true', 'batch1:true', 'end0', 'epoch1', 'batch0:true', 'batch1:true', 'end1', 'done']);
    expect(history.epoch).toEqual([0, 1]);
  });
});

describe('Sequential: bad input gets a clear error naming the model or layer', () => {
  const compiled = (): Sequential => {
    const model = classifier();
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return model;
  };
  const { x, y } = blobs(10, 9);

  it('x and y of different lengths', async () => {
    const model = compiled();
    await expect(model.fit(x, y.slice([0, 0], [9, 3]), silent)).rejects.toThrow(ShapeError);
    await expect(model.fit(x, y.slice([0, 0], [9, 3]), silent)).rejects.toThrow(/sequential_\d+\.fit: x has 10 samples but y has 9 \(shapes \[10,4\] and \[9,3\]\)/);
  });

  it('data whose shape does not fit the first layer', async () => {
    const model = compiled();
    await expect(model.fit(randomNormal([10, 5]), y, silent)).rejects.toThrow(/fit: x must have shape \[batch,4\] \(the input of dense_\d+\), got \[10,5\]/);
    expect(() => model.predict(randomNormal([2, 2, 2]))).toThrow(ShapeError);
  });

  it('labels that do not fit the loss: one-hot width against units, sparse labels out of range', async () => {
    const model = compiled();
    await expect(model.fit(x, oneHot(Array(10).fill(1), 4), silent)).rejects.toThrow(ShapeError);
    await expect(model.fit(x, oneHot(Array(10).fill(1), 4), silent)).rejects.toThrow(/fit: .*\[10,4\].*\[10,3\]/);
    const sparse = classifier();
    sparse.compile({ loss: 'sparseCategoricalCrossentropy' });
    await expect(sparse.fit(x, tensor([0, 1, 2, 0, 1, 2, 3, 0, 1, 2]), silent)).rejects.toThrow(ValueError);
  });

  it('unknown loss, optimizer, metric or activation names list the valid ones', () => {
    expect(() => classifier().compile({ loss: 'crossentropy' })).toThrow(/crossentropy.*categoricalCrossentropy/);
    expect(() => classifier().compile({ loss: 'mse', optimizer: 'adagrad' })).toThrow(/adagrad.*sgd.*adam/);
    expect(() => classifier().compile({ loss: 'mse', metrics: ['precission'] })).toThrow(/unknown metric string "precission" \(did you mean 'precision'\?\); valid metrics are accuracy/);
    expect(() => new Dense(3, { activation: 'sigmoidal' })).toThrow(ConfigError);
  });

  it('Conv2D on rank-2 input', () => {
    const model = new Sequential();
    model.add(new Flatten({ inputShape: [28, 28, 1] }));
    expect(() => model.add(new Conv2D(8, 3, { name: 'conv_on_flat' }))).toThrow(/conv_on_flat: expected input of rank 4 \[batch,height,width,channels\], got rank 2 \[1,784\]/);
  });

  it('fit or evaluate before compile, and layers added after compile', async () => {
    const model = classifier();
    await expect(model.fit(x, y, silent)).rejects.toThrow(/fit: the model is not compiled; call compile\(\{optimizer, loss\}\) first/);
    expect(() => model.evaluate(x, y)).toThrow(ConfigError);
    model.compile({ loss: 'mse' });
    expect(() => model.add(new Dense(2))).toThrow(/cannot add dense_\d+ after compile\(\)/);
  });

  it('non-positive or fractional batch size and epoch count, unknown fit options', async () => {
    const model = compiled();
    await expect(model.fit(x, y, { batchSize: 0, ...silent })).rejects.toThrow(/batchSize must be a positive integer, got number 0/);
    await expect(model.fit(x, y, { epochs: -1, ...silent })).rejects.toThrow(/epochs must be a positive integer, got number -1/);
    await expect(model.fit(x, y, { epochs: 1.5, ...silent })).rejects.toThrow(ValueError);
    await expect(model.fit(x, y, { batch_size: 8 } as never)).rejects.toThrow(/unknown option 'batch_size' \(did you mean 'batchSize'\?\); valid options are epochs, initialEpoch, batchSize/);
    expect(() => model.predict(x, { batchSize: -2 })).toThrow(/predict: batchSize must be a positive integer/);
  });

  it('a learning rate that is NaN', () => {
    expect(() => classifier().compile({ loss: 'mse', optimizer: adam({ learningRate: Number.NaN }) })).toThrow(ValueError);
    expect(() => adam({ learningRate: Number.NaN })).toThrow(/learningRate must be a positive finite number.*NaN/);
  });

  it('bad validation options', async () => {
    const model = compiled();
    await expect(model.fit(x, y, { validationSplit: 1, ...silent })).rejects.toThrow(/validationSplit must be a number in \[0, 1\)/);
    await expect(model.fit(x, y, { validationData: [x, y.slice([0, 0], [5, 3])], ...silent })).rejects.toThrow(/validationData x has 10 samples but validationData y has 5/);
  });
});
