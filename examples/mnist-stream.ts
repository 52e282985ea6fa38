// The MNIST MLP of mnist-mlp.ts trained from the IDX files as a dataset, read 1,024 records at a time, so the
// 60,000 images are never in memory at once. `--source memory` trains the same from loadMnist, to compare peak RSS:
//   /usr/bin/time -v npx tsx -C semiflow-src examples/mnist-stream.ts [--source memory] [--epochs 5]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Dense, Sequential } from 'semiflow';
import { idxDataset, loadMnist, mnistDir } from 'semiflow/node';

const { values } = parseArgs({ options: { source: { type: 'string', default: 'stream' }, epochs: { type: 'string', default: '5' } } });
const epochs = Number(values.epochs);
const batchSize = 128;

const model = new Sequential({ seed: 42 });
model.add(new Dense(128, { inputShape: [784], activation: 'relu' }));
model.add(new Dense(10, { activation: 'softmax' }));
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

const started = performance.now();
let accuracy: number;
if (values.source === 'memory') {
  const { train, test } = loadMnist({ flat: true });
  await model.fit(train.images, train.oneHot, { epochs, batchSize, validationData: [test.images, test.oneHot], verbose: 2 });
  ({ accuracy } = model.evaluate(test.images, test.oneHot, { batchSize: 1000, verbose: 0 }));
} else {
  const dir = mnistDir();
  // Pixels / 255 and one-hot labels, as loadMnist gives them; records are rows of 784.
  const mnist = (images: string, labels: string) =>
    idxDataset(join(dir, images), join(dir, labels), { chunk: 1024, divideBy: 255, oneHot: 10, shape: [784] });
  const train = mnist('train-images-idx3-ubyte', 'train-labels-idx1-ubyte').shuffle(4096, { seed: 1 }).batch(batchSize).prefetch(2);
  const test = mnist('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte').batch(1000);
  await model.fit(train, { epochs, validationData: test, verbose: 2 });
  ({ accuracy } = await model.evaluate(test, { verbose: 0 }));
}
const seconds = (performance.now() - started) / 1000;
console.log(`${values.source}: trained ${epochs} epochs in ${seconds.toFixed(1)} s, test accuracy ${(accuracy * 100).toFixed(2)}%`);
console.log(`heap used at the end: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB`);
