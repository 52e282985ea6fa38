// MNIST read row by row, for the recurrent examples: each image is a sequence of 28 steps (its rows) of 28
// pixels / 255, a recurrent layer reads it and its last output feeds Dense(10, softmax); Adam 1e-3, batch 128.
// Prints the training seconds of each epoch (validation left out) with the machine's load average beside it.
import { loadavg } from 'node:os';
import { reshape } from 'semiflow';
import type { Callback, Layer, Tensor } from 'semiflow';
import { loadMnist } from 'semiflow/node';
import { exampleArgs } from './cli.ts';
import { buildRowsModel } from './mnist-models.ts';

const asRows = (images: Tensor): Tensor => reshape(images, [images.shape[0], 28, 28]);

/** Records when each epoch began and when its last training batch ended, and the 1-minute load average then. */
function epochTimer(): { callback: Callback; lines: string[] } {
  const lines: string[] = [];
  let began = 0;
  let lastBatch = 0;
  const callback: Callback = {
    onEpochBegin: () => { began = performance.now(); },
    onBatchEnd: () => { lastBatch = performance.now(); },
    onEpochEnd: (epoch, logs) => {
      const accuracy = logs?.val_accuracy;
      const acc = typeof accuracy === 'number' ? `, test accuracy ${(100 * accuracy).toFixed(2)}%` : '';
      lines.push(`epoch ${epoch + 1}: ${((lastBatch - began) / 1000).toFixed(1)} s of training${acc}, load average ${loadavg()[0].toFixed(2)}`);
    },
  };
  return { callback, lines };
}

/** Trains `recurrent` (given inputShape [28, 28]) then Dense(10, softmax) on MNIST rows and prints the figures. */
export async function trainOnRows(recurrent: Layer, name: string): Promise<void> {
  const { epochs, batchSize, seed } = exampleArgs({ epochs: 5, batchSize: 128 });
  const { train, test } = loadMnist();
  const model = buildRowsModel(recurrent, seed, name);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  const timer = epochTimer();
  const started = performance.now();
  await model.fit(asRows(train.images), train.oneHot, {
    epochs, batchSize, validationData: [asRows(test.images), test.oneHot],
    callbacks: [timer.callback], report: `out/${name}.html`,
  });
  const seconds = (performance.now() - started) / 1000;
  const { accuracy } = model.evaluate(asRows(test.images), test.oneHot, { batchSize: 1000 });
  console.log(timer.lines.join('\n'));
  console.log(`trained ${epochs} epoch${epochs > 1 ? 's' : ''} in ${seconds.toFixed(1)} s (validation included)`);
  console.log(`test accuracy: ${(accuracy * 100).toFixed(2)}%`);
  console.log(`training report: out/${name}.html`);
}
