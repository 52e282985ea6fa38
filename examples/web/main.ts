// The MNIST page: loads the IDX files the dev server serves, trains in this page with live curves, stops and
// resumes, saves to and restores from IndexedDB, and classifies a digit drawn on the pad.
import { Conv2D, Dense, Flatten, MaxPooling2D, Sequential, backendInfo, loadModel, mnistSplit, parseIdx, tensor } from 'semiflow';
import type { Logs, MnistSplit } from 'semiflow';
import { LineChart } from './chart.ts';
import { digitPixels, drawingPad } from './digit.ts';

const STORE = 'indexeddb://mnist-web';
const BATCH = 64;
/** The page yields to the browser this often during training, so that curves redraw and buttons answer. */
const FRAME_MS = 50;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const trainButton = $<HTMLButtonElement>('train');
const buttons = ['save', 'restore', 'download'].map((id) => $<HTMLButtonElement>(id));
const lossChart = new LineChart($('loss-chart'), '#d8553b');
const accuracyChart = new LineChart($('accuracy-chart'), '#3b6fd8', [0, 1]);

async function fetchIdx(name: string) {
  const response = await fetch(`/${name}`);
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  return parseIdx(new Uint8Array(await response.arrayBuffer()), name);
}

async function loadSplit(images: string, labels: string): Promise<MnistSplit> {
  const [x, y] = await Promise.all([fetchIdx(images), fetchIdx(labels)]);
  return mnistSplit(x, y, { imagesName: images, labelsName: labels });
}

function buildModel(kind: string): Sequential {
  const model = new Sequential({ seed: 42 });
  if (kind === 'cnn') {
    model.add(new Conv2D(8, 3, { activation: 'relu', inputShape: [28, 28, 1] }));
    model.add(new MaxPooling2D(2));
    model.add(new Conv2D(16, 3, { activation: 'relu' }));
    model.add(new MaxPooling2D(2));
    model.add(new Flatten());
  } else {
    model.add(new Flatten({ inputShape: [28, 28, 1] }));
    model.add(new Dense(128, { activation: 'relu' }));
  }
  model.add(new Dense(10, { activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const status = (text: string) => {
  $('status').textContent = text;
};

async function main(): Promise<void> {
  const info = backendInfo();
  $('backend').textContent = `semiflow on ${info.platform}: ${info.simd ? 'WebAssembly SIMD' : 'plain JavaScript'}, ${info.why}`;
  const [train, test] = await Promise.all([
    loadSplit('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
    loadSplit('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'),
  ]);
  let model = buildModel($<HTMLSelectElement>('model-kind').value);
  let running = false;
  let step = 0;
  let epoch = 0;

  const showTestAccuracy = () => {
    const { accuracy } = model.evaluate(test.images, test.oneHot, { batchSize: 500 });
    $('test-accuracy').textContent = `${(100 * accuracy).toFixed(2)}%`;
    return accuracy;
  };

  let frameStarted = performance.now();
  let speedFrom = { time: performance.now(), step: 0 };
  const progress = {
    onBatchEnd: async (_batch: number, logs: Logs) => {
      step++;
      lossChart.push(logs.loss);
      accuracyChart.push(logs.accuracy);
      if (performance.now() - frameStarted < FRAME_MS) return;
      $('step').textContent = String(step);
      $('loss').textContent = logs.loss.toFixed(4);
      $('accuracy').textContent = logs.accuracy.toFixed(3);
      const now = performance.now();
      if (now - speedFrom.time > 1000) {
        $('speed').textContent = `${Math.round(((step - speedFrom.step) * BATCH * 1000) / (now - speedFrom.time))} samples/s`;
        speedFrom = { time: now, step };
      }
      lossChart.draw();
      accuracyChart.draw();
      await new Promise((resolve) => setTimeout(resolve, 0));
      frameStarted = performance.now();
    },
    onEpochEnd: async () => {
      epoch++;
      $('epoch').textContent = String(epoch);
      showTestAccuracy();
    },
  };

  const setRunning = (value: boolean) => {
    running = value;
    trainButton.textContent = running ? 'Stop' : step === 0 ? 'Train' : 'Resume';
    for (const button of buttons) button.disabled = running;
    $<HTMLSelectElement>('model-kind').disabled = step > 0 || running;
  };

  trainButton.addEventListener('click', async () => {
    if (running) {
      model.stopTraining = true;
      return;
    }
    setRunning(true);
    status('training…');
    speedFrom = { time: performance.now(), step };
    // fit runs until Stop sets stopTraining; the optimizer's state carries over into the next fit (Resume).
    await model.fit(train.images, train.oneHot, { epochs: 1000, batchSize: BATCH, verbose: 0, callbacks: [progress] });
    $('step').textContent = String(step);
    lossChart.draw();
    accuracyChart.draw();
    status('stopped; evaluating…');
    await new Promise((resolve) => setTimeout(resolve, 0));
    showTestAccuracy();
    status(`stopped after ${step} steps`);
    setRunning(false);
  });

  $('model-kind').addEventListener('change', () => {
    model = buildModel($<HTMLSelectElement>('model-kind').value);
  });
  $('save').addEventListener('click', async () => {
    await model.save(STORE, { includeOptimizer: true });
    status(`saved to ${STORE}`);
  });
  $('restore').addEventListener('click', async () => {
    model = await loadModel(STORE);
    status(`restored from ${STORE}`);
    showTestAccuracy();
  });
  $('download').addEventListener('click', () => model.save('downloads://mnist-web'));

  const pad = $<HTMLCanvasElement>('pad');
  const predict = () => {
    const pixels = digitPixels(pad);
    if (pixels === null) return;
    const probabilities = model.predict(tensor(pixels, [1, 28, 28, 1])).storage;
    showProbabilities(probabilities);
  };
  const drawing = drawingPad(pad, predict);
  $('clear').addEventListener('click', () => {
    drawing.clear();
    $('prediction').textContent = '–';
    $('probabilities').replaceChildren();
  });

  trainButton.disabled = false;
  setRunning(false);
  status(`MNIST loaded: ${train.labelValues.length} training and ${test.labelValues.length} test images`);
}

function showProbabilities(probabilities: ArrayLike<number>): void {
  const values = Array.from(probabilities);
  const top = values.indexOf(Math.max(...values));
  $('prediction').textContent = String(top);
  $('probabilities').replaceChildren(...values.flatMap((p, digit) => {
    const label = document.createElement('span');
    label.textContent = String(digit);
    const bar = document.createElement('div');
    bar.className = digit === top ? 'bar top' : 'bar';
    bar.style.width = `${Math.max(1, 100 * p)}%`;
    const value = document.createElement('span');
    value.textContent = `${(100 * p).toFixed(1)}%`;
    return [label, bar, value];
  }));
}

main().catch((error: unknown) => {
  status(`error: ${(error as Error).message}`);
  throw error;
});
