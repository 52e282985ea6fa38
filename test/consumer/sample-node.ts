// A Node TypeScript user's code against semiflow/node (with @types/node, as a Node project has).
import { Dense, Sequential } from 'semiflow';
import { CSVLogger, loadMnist, readIdx } from 'semiflow/node';
import type { Mnist } from 'semiflow/node';

export async function run(): Promise<number> {
  const mnist: Mnist = loadMnist({ trainSize: 10, testSize: 10 });
  const model = new Sequential();
  model.add(new Dense(10, { inputShape: [784] }));
  model.compile({ loss: 'meanSquaredError' });
  await model.fit(mnist.train.images.reshape([10, 784]), mnist.train.oneHot, { verbose: 0, callbacks: [new CSVLogger('log.csv')] });
  return readIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 0])).dims.length;
}
