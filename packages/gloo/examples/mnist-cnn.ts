// The MNIST CNN of semiflow's examples/mnist-cnn.ts trained data-parallel: every worker loads MNIST, fit gives each
// its share of every global batch of 128 and sums the gradients over Gloo; rank 0 writes a checkpoint per epoch and
// a rerun resumes from the last one.
//   npx semiflow-launch -n 2 packages/gloo/examples/mnist-cnn.ts [epochs] [checkpoint dir]
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Conv2D, Dense, Flatten, MaxPooling2D, ModelCheckpoint, Sequential, loadModel } from 'semiflow';
import { loadMnist } from 'semiflow/node';
import { communicatorFromEnv } from 'semiflow-gloo';

const epochs = Number(process.argv[2] ?? 2);
const dir = process.argv[3] ?? 'out/mnist-cnn-checkpoints';

function freshModel(): Sequential {
  const model = new Sequential({ seed: 1 });
  model.add(new Conv2D(32, 3, { activation: 'relu', inputShape: [28, 28, 1] }));
  model.add(new MaxPooling2D(2));
  model.add(new Conv2D(64, 3, { activation: 'relu' }));
  model.add(new MaxPooling2D(2));
  model.add(new Flatten());
  model.add(new Dense(128, { activation: 'relu' }));
  model.add(new Dense(10, { activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

// Every rank reads the same directory (a shared file system across machines), so all resume from the same epoch.
const done = existsSync(dir) ? Math.max(0, ...readdirSync(dir).filter((f) => /^epoch-\d+$/.test(f)).map((f) => Number(f.slice(6)))) : 0;
const model = done > 0 ? await loadModel(join(dir, `epoch-${done}`)) : freshModel();
const { train, test } = loadMnist();
const comm = await communicatorFromEnv();
if (done >= epochs) throw new Error(`${dir} already holds epoch ${done} of ${epochs}`);

const history = await model.fit(train.images, train.oneHot, {
  epochs, initialEpoch: done, batchSize: 128, seed: 1, distributed: comm, validationData: [test.images, test.oneHot],
  callbacks: [new ModelCheckpoint({ path: join(dir, 'epoch-{epoch}'), includeOptimizer: true })],
});
await comm.close();
history.history.val_accuracy.forEach((a, i) => console.log(`epoch ${done + i + 1}: test accuracy ${(a * 100).toFixed(2)}%`));
