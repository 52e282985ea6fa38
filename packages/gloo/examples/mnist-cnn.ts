// The MNIST CNN of semiflow's examples/mnist-cnn.ts trained data-parallel: every worker loads MNIST, fit gives each
// its share of every global batch of 128 and sums the gradients over Gloo; rank 0 writes a checkpoint per epoch and
// a rerun resumes from the last one.
//   npx semiflow-launch -n 2 packages/gloo/examples/mnist-cnn.ts [epochs] [checkpoint dir]
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ModelCheckpoint, loadModel } from 'semiflow';
import type { Sequential } from 'semiflow';
import { loadMnist } from 'semiflow/node';
import { communicatorFromEnv } from 'semiflow-gloo';
import { buildCnn } from '../../../examples/mnist-models.ts';

const epochs = Number(process.argv[2] ?? 2);
const dir = process.argv[3] ?? 'out/mnist-cnn-checkpoints';

function freshModel(): Sequential {
  const model = buildCnn(1);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

// Every rank reads the same directory (a shared file system across machines), so all resume from the same epoch.
const done = existsSync(dir) ? Math.max(0, ...readdirSync(dir).filter((f) => /^epoch-\d+$/.test(f)).map((f) => Number(f.slice(6)))) : 0;
const model = done > 0 ? await loadModel(join(dir, `epoch-${done}`)) : freshModel();
const { train, test } = loadMnist();
if (done >= epochs) throw new Error(`${dir} already holds epoch ${done} of ${epochs}`);
const comm = await communicatorFromEnv();

const history = await model.fit(train.images, train.oneHot, {
  epochs, initialEpoch: done, batchSize: 128, seed: 1, distributed: comm, validationData: [test.images, test.oneHot],
  callbacks: [new ModelCheckpoint({ path: join(dir, 'epoch-{epoch}'), includeOptimizer: true })],
});
await comm.close();
history.history.val_accuracy.forEach((a, i) => console.log(`epoch ${done + i + 1}: test accuracy ${(a * 100).toFixed(2)}%`));
