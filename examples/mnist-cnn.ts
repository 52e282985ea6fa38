// MNIST with a small CNN: Conv2D 32 3x3 relu, MaxPool 2, Conv2D 64 3x3 relu, MaxPool 2, Flatten, Dense 128 relu,
// Dense 10 softmax; Adam 1e-3, batch 128.
// Run: npx tsx examples/mnist-cnn.ts --epochs 1 --batch-size 128
import { EarlyStopping } from 'semiflow';
import { loadMnist } from 'semiflow/node';
import { exampleArgs } from './cli.ts';
import { buildCnn } from './mnist-models.ts';

const { epochs, batchSize, seed } = exampleArgs({ epochs: 1, batchSize: 128 });
const { train, test } = loadMnist();

const model = buildCnn(seed);
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
model.summary();

const started = performance.now();
const history = await model.fit(train.images, train.oneHot, {
  epochs, batchSize, validationData: [test.images, test.oneHot],
  callbacks: [new EarlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true })],
  report: 'out/mnist-cnn.html',
});
const seconds = (performance.now() - started) / 1000;

console.log(`trained ${epochs} epoch${epochs > 1 ? 's' : ''} in ${seconds.toFixed(1)} s`);
history.history.val_accuracy.forEach((a, i) => console.log(`epoch ${i + 1}: test accuracy ${(a * 100).toFixed(2)}%`));
const { accuracy } = model.evaluate(test.images, test.oneHot, { batchSize: 500 });
console.log(`test accuracy: ${(accuracy * 100).toFixed(2)}%`);
console.log('training report: out/mnist-cnn.html');
