// Data-parallel training checked without a cluster: the MNIST MLP trained by 2 ranks of a localGroup (both in this
// process, one after the other on its event loop, so no faster) and by 1 process at the same global batch; the
// weights agree to float32 rounding, and both ranks end bit-identical. A script written this way runs unchanged on
// real processes once the communicator comes from the Gloo package instead.
// Run: npx tsx -C semiflow-src examples/distributed-local.ts --epochs 1 --batch-size 128
import { localGroup } from 'semiflow';
import type { Sequential, Tensor } from 'semiflow';
import { loadMnist } from 'semiflow/node';
import { exampleArgs } from './cli.ts';
import { buildMlp } from './mnist-models.ts';

const { epochs, batchSize, seed } = exampleArgs({ epochs: 1, batchSize: 128 });
const { train, test } = loadMnist({ trainSize: 10_000 });

function compiled(modelSeed: number): Sequential {
  const model = buildMlp(modelSeed);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function largestDifference(a: Tensor[], b: Tensor[]): number {
  let most = 0;
  a.forEach((t, i) => t.storage.forEach((v, j) => { most = Math.max(most, Math.abs(v - b[i].storage[j])); }));
  return most;
}

const options = { epochs, batchSize, seed, validationData: [test.images, test.oneHot] as const };
let started = performance.now();
const alone = compiled(seed);
await alone.fit(train.images, train.oneHot, { ...options, verbose: 0 });
console.log(`1 process:     ${((performance.now() - started) / 1000).toFixed(1)} s`);

// Each rank makes its own model (here with another seed): fit starts every rank from rank 0's weights.
const group = localGroup(2);
const ranks = group.map((_, rank) => compiled(seed + rank));
started = performance.now();
const histories = await Promise.all(ranks.map((model, rank) => model.fit(train.images, train.oneHot, { ...options, distributed: group[rank] })));
console.log(`2 local ranks: ${((performance.now() - started) / 1000).toFixed(1)} s`);

const last = (key: string): number => histories[0].history[key][epochs - 1];
console.log(`val_accuracy ${(last('val_accuracy') * 100).toFixed(2)}% on both ranks: ${histories[1].history.val_accuracy[epochs - 1] === last('val_accuracy')}`);
console.log(`largest weight difference, 2 ranks against 1 process: ${largestDifference(ranks[0].getWeights(), alone.getWeights()).toExponential(2)}`);
console.log(`rank 1 holds rank 0's weights bit for bit: ${largestDifference(ranks[1].getWeights(), ranks[0].getWeights()) === 0}`);
