import { join } from 'node:path';
import { fromTensors } from 'semiflow';
import { idxDataset, loadMnist, mnistDir } from 'semiflow/node';
const dir = mnistDir();
const ds = idxDataset(join(dir, 'train-images-idx3-ubyte'), join(dir, 'train-labels-idx1-ubyte'), { chunk: 1024, divideBy: 255, oneHot: 10, shape: [784] });
for (const [name, d] of [['raw', ds], ['shuffle+batch', ds.shuffle(4096, { seed: 1 }).batch(128)], ['+prefetch', ds.shuffle(4096, { seed: 1 }).batch(128).prefetch(2)]] as const) {
  const t = performance.now(); let n = 0;
  for await (const _ of d) n++;
  console.log(name, n, ((performance.now() - t) / 1000).toFixed(2), 's');
}
const { train } = loadMnist({ flat: true });
const m = fromTensors({ xs: train.images, ys: train.oneHot }).batch(128);
let t = performance.now(); let n = 0;
for await (const _ of m) n++;
console.log('fromTensors batch', n, ((performance.now() - t) / 1000).toFixed(2), 's');
