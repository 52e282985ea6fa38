/// <reference types="vite/client" />
// The browser bench's page: runBench(config) times training steps of the bench's MLP or CNN in this page, with
// semiflow or with TensorFlow.js's wasm backend, on 1 or 2 threads. The tfjs models and their CNN gradient shim
// are ../shared/baselines/bench_tfjs.js's own (buildModel), evaluated here with a require() that hands it this tf.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import plainWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { backendInfo, configureGemm, tensor } from 'semiflow';
import baselineSource from '../../../shared/baselines/bench_tfjs.js?raw';
import { BATCH_SIZE, buildBenchModel } from '../models.ts';
import type { BenchConfig, BenchResult } from './types.ts';

const WARMUP_STEPS = 5;
/** Synthetic MNIST-shaped data (speed does not depend on the pixel values): 16 batches, seeded. */
const SAMPLES = 16 * BATCH_SIZE;

function syntheticData(): { x: Float32Array; labels: Uint8Array; oneHot: Float32Array } {
  let state = 12345;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const x = Float32Array.from({ length: SAMPLES * 784 }, next);
  const labels = Uint8Array.from({ length: SAMPLES }, () => Math.floor(10 * next()));
  const oneHot = new Float32Array(SAMPLES * 10);
  labels.forEach((label, i) => (oneHot[10 * i + label] = 1));
  return { x, labels, oneHot };
}

async function semiflowRun(config: BenchConfig): Promise<BenchResult> {
  configureGemm({ threads: config.threads });
  const { x, oneHot } = syntheticData();
  const model = buildBenchModel(config.model);
  const inputs = tensor(x, config.model === 'mlp' ? [SAMPLES, 784] : [SAMPLES, 28, 28, 1]);
  let steps = 0;
  let timedMs = 0;
  let started = 0;
  await model.fit(inputs, tensor(oneHot, [SAMPLES, 10]), {
    batchSize: BATCH_SIZE, epochs: 100_000, verbose: 0,
    callbacks: {
      onBatchBegin: () => {
        started = performance.now();
      },
      onBatchEnd: (_batch, logs) => {
        const ms = performance.now() - started;
        if (!Number.isFinite(logs.loss)) throw new Error(`semiflow: the loss is ${logs.loss} at step ${steps}`);
        if (++steps > WARMUP_STEPS) timedMs += ms;
        if (timedMs >= config.seconds * 1000) model.stopTraining = true;
      },
    },
  });
  const info = backendInfo();
  return { samplesPerS: ((steps - WARMUP_STEPS) * BATCH_SIZE * 1000) / timedMs, timedSteps: steps - WARMUP_STEPS, backend: info.why };
}

interface BaselineModel {
  forward(x: tf.Tensor): tf.Tensor;
  inShape: number[];
}

/** bench_tfjs.js's exports, its require() answered with this page's tf (it starts nothing unless it is the main module). */
function baseline(): { buildModel(name: string, r: () => number, convGrad: string): BaselineModel; rng(seed: number): () => number } {
  const module = { exports: {} };
  const modules: Record<string, unknown> = { '@tensorflow/tfjs': tf, perf_hooks: { performance }, './mnist': {} };
  const require = (name: string) => {
    if (!(name in modules)) throw new Error(`bench_tfjs.js requires ${name}, which the page does not provide`);
    return modules[name];
  };
  new Function('require', 'module', 'exports', baselineSource)(require, module, module.exports);
  return module.exports as ReturnType<typeof baseline>;
}

async function tfjsRun(config: BenchConfig): Promise<BenchResult> {
  setWasmPaths({ 'tfjs-backend-wasm.wasm': plainWasm, 'tfjs-backend-wasm-simd.wasm': simdWasm, 'tfjs-backend-wasm-threaded-simd.wasm': threadedWasm });
  setThreadsCount(config.threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: setBackend(wasm) failed');
  await tf.ready();
  const { buildModel, rng } = baseline();
  // The bench's tfjs CNN trains with the baseline's convtrick shim: tfjs-wasm 4.22 lacks Conv2DBackpropFilter.
  const model = buildModel(config.model, rng(1), config.model === 'cnn' ? 'convtrick' : 'native');
  const optimizer = tf.train.adam(1e-3);
  const { x, oneHot } = syntheticData();
  const batches = SAMPLES / BATCH_SIZE;
  let steps = 0;
  let timedMs = 0;
  while (timedMs < config.seconds * 1000) {
    const b = steps % batches;
    const started = performance.now();
    const xb = tf.tensor(x.subarray(b * BATCH_SIZE * 784, (b + 1) * BATCH_SIZE * 784), [BATCH_SIZE, ...model.inShape]);
    const yb = tf.tensor(oneHot.subarray(b * BATCH_SIZE * 10, (b + 1) * BATCH_SIZE * 10), [BATCH_SIZE, 10]);
    const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, model.forward(xb)) as tf.Scalar, true);
    if (steps % 50 === 0 && !Number.isFinite((cost as tf.Scalar).dataSync()[0])) throw new Error(`tfjs: the loss is not finite at step ${steps}`);
    cost?.dispose();
    xb.dispose();
    yb.dispose();
    if (++steps > WARMUP_STEPS) timedMs += performance.now() - started;
  }
  const binary = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'threaded SIMD' : 'SIMD';
  return { samplesPerS: ((steps - WARMUP_STEPS) * BATCH_SIZE * 1000) / timedMs, timedSteps: steps - WARMUP_STEPS, backend: `tfjs ${tf.version.tfjs} wasm, ${binary}, ${getThreadsCount()} thread(s)` };
}

(window as unknown as { runBench: (config: BenchConfig) => Promise<BenchResult> }).runBench = (config) =>
  (config.framework === 'semiflow' ? semiflowRun(config) : tfjsRun(config));
(document.getElementById('state') as HTMLElement).textContent = `ready; crossOriginIsolated: ${crossOriginIsolated}`;
