// MNIST with a 784-128-10 MLP: Dense 128 relu, Dense 10 softmax, Adam 1e-3, batch 128, 5 epochs.
// Run: npm run mnist   (or: npx tsx examples/mnist-mlp.ts --epochs 5 --batch-size 128)
import { EarlyStopping } from 'semiflow';
import { loadMnist } from 'semiflow/node';
import { exampleArgs } from './cli.ts';
import { buildMlp } from './mnist-models.ts';

const { epochs, batchSize, seed } = exampleArgs({ epochs: 5, batchSize: 128 });
const { train, test } = loadMnist();

const model = buildMlp(seed);
// compile sees softmax + categoricalCrossentropy and trains on the logits with the fused, stable form.
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
model.summary();

const started = performance.now();
// A live bar on a terminal, one line per epoch when piped; out/mnist-mlp.html is redrawn after every epoch.
await model.fit(train.images, train.oneHot, {
  epochs, batchSize, validationData: [test.images, test.oneHot],
  callbacks: [new EarlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true })],
  report: 'out/mnist-mlp.html',
});
const seconds = (performance.now() - started) / 1000;

const { accuracy } = model.evaluate(test.images, test.oneHot, { batchSize: 1000 });
console.log(`trained ${epochs} epoch${epochs > 1 ? 's' : ''} in ${seconds.toFixed(1)} s`);
console.log(`test accuracy: ${(accuracy * 100).toFixed(2)}%`);
console.log('training report: out/mnist-mlp.html');
