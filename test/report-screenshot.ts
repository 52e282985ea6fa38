// Writes docs/report.png, the README's picture of a TrainingReport: an MLP on a 2,000-image MNIST slice.
// Run once by hand: npx tsx test/report-screenshot.ts (needs Debian's chromium; see test/chromium.ts).
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Dense, Flatten, Sequential, adam, cosineDecay } from 'semiflow';
import { TrainingReport, loadMnist } from 'semiflow/node';
import { CHROMIUM_INSTALL_HINT, findChromium, launchChromium } from './chromium.ts';

const EPOCHS = 12;
const BATCH = 64;
const executable = findChromium();
if (executable === undefined) throw new Error(`no chromium on PATH; ${CHROMIUM_INSTALL_HINT}`);

const { train, test } = loadMnist({ trainSize: 2000, testSize: 500 });
const steps = Math.ceil(2000 / BATCH);
const model = new Sequential({ seed: 7 });
model.add(new Flatten({ inputShape: [28, 28, 1] }));
model.add(new Dense(128, { activation: 'relu' }));
model.add(new Dense(10, { activation: 'softmax' }));
const learningRate = cosineDecay({ initialLearningRate: 1e-4, warmupTarget: 3e-3, warmupSteps: 2 * steps, decaySteps: (EPOCHS - 2) * steps, alpha: 0.05 });
model.compile({ optimizer: adam({ learningRate }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

const path = join(tmpdir(), 'semiflow-report-screenshot', 'report.html');
const report = new TrainingReport({ path, validationData: [test.images, test.oneHot], epochs: EPOCHS, title: 'MNIST MLP (2,000-image slice)', maxMisclassified: 24 });
await model.fit(train.images, train.oneHot, { epochs: EPOCHS, batchSize: BATCH, validationData: [test.images, test.oneHot], verbose: 2, callbacks: [report] });

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'report.png');
mkdirSync(dirname(out), { recursive: true });
const browser = await launchChromium(executable);
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(pathToFileURL(path).href);
  await page.screenshot({ path: out, fullPage: true });
} finally {
  await browser.close();
}
console.log(`report: ${path}\nscreenshot: ${out}`);
