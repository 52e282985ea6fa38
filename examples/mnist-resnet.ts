// MNIST with a small residual CNN built with the functional API (examples/resnet-model.ts): a 3×3 stem conv at
// 28×28, a residual block at 14×14 (32 channels) and one at 7×7 (64 channels), each starting with a stride-2 conv, BN after every conv, global
// average pooling and Dense(10). Adam with a cosine decay from 2e-3 over all steps, batch 128; the last 10% of the
// training images validate after each epoch, and the test set is evaluated once, at the end.
// bench/baselines/resnet_torch.py trains the same network with the same recipe in PyTorch.
// Run: npx tsx examples/mnist-resnet.ts --epochs 5 --batch-size 128
import { adam, cosineDecay } from 'semiflow';
import type { Callback } from 'semiflow';
import { loadMnist } from 'semiflow/node';
import { exampleArgs } from './cli.ts';
import { buildResnet } from './resnet-model.ts';

const VALIDATION_SPLIT = 0.1;
const { epochs, batchSize, seed } = exampleArgs({ epochs: 5, batchSize: 128 });
const { train, test } = loadMnist();

const trainRows = train.images.shape[0] - Math.floor(train.images.shape[0] * VALIDATION_SPLIT);
const decaySteps = Math.ceil(trainRows / batchSize) * epochs;
const model = buildResnet(seed);
model.compile({
  optimizer: adam({ learningRate: cosineDecay({ initialLearningRate: 2e-3, decaySteps }) }),
  loss: 'categoricalCrossentropy', metrics: ['accuracy'],
});
model.summary();

/** Wall time of each epoch, validation included. */
const epochSeconds: number[] = [];
let epochStart = 0;
const timer: Callback = {
  onEpochBegin: () => { epochStart = performance.now(); },
  onEpochEnd: () => { epochSeconds.push((performance.now() - epochStart) / 1000); },
};

const history = await model.fit(train.images, train.oneHot, { epochs, batchSize, validationSplit: VALIDATION_SPLIT, callbacks: [timer] });
history.history.val_accuracy.forEach((a, i) => {
  console.log(`epoch ${i + 1}: validation accuracy ${(a * 100).toFixed(2)}%, ${epochSeconds[i].toFixed(0)} s`);
});
const { accuracy } = model.evaluate(test.images, test.oneHot, { batchSize: 500 });
console.log(`test accuracy: ${(accuracy * 100).toFixed(2)}%`);
