import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { adam, cosineDecay } from 'semiflow';
import { TrainingReport } from 'semiflow/node';
import type { Page } from 'playwright-core';
import { chromiumOrSkip, launchChromium } from './chromium.ts';
import { barClassifier, bars } from './report-data.ts';

const EPOCHS = 3;
const STEPS = 8; // 240 samples in batches of 32
/** Where the screenshot stays after the run, for a person to look at. */
const SCREENSHOT = join(tmpdir(), 'semiflow-report-chromium', 'report.png');

type Box = { x: number; y: number; width: number; height: number };

async function boxOf(page: Page, selector: string): Promise<Box> {
  const box = await page.locator(selector).boundingBox();
  expect(box, selector).not.toBeNull();
  return box as Box;
}

/** Trains the bar classifier for 3 epochs under a cosine schedule with warm-up and returns the report's path. */
async function writeReport(): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'semiflow-report-')), 'report.html');
  const train = bars(240, 1);
  const val = bars(90, 2);
  const model = barClassifier();
  const schedule = cosineDecay({ initialLearningRate: 0, warmupTarget: 5e-3, warmupSteps: STEPS, decaySteps: 2 * STEPS });
  model.compile({ optimizer: adam({ learningRate: schedule }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const report = new TrainingReport({ path, validationData: [val.x, val.y], epochs: EPOCHS, title: 'Bars: a 3-epoch run' });
  await model.fit(train.x, train.y, { epochs: EPOCHS, batchSize: 32, validationData: [val.x, val.y], verbose: 0, callbacks: [report] });
  return path;
}

describe('TrainingReport in headless Chromium', () => {
  it('renders every chart with its points, the matrix and the images, with no errors and no requests off the file', async (context) => {
    const executable = chromiumOrSkip(context, 'report-chromium.test.ts');
    const path = await writeReport();
    const browser = await launchChromium(executable);
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`); });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('requestfailed', (request) => problems.push(`failed request: ${request.url()} ${request.failure()?.errorText}`));
      page.on('request', (request) => requests.push(request.url()));
      const url = pathToFileURL(path).href;
      await page.goto(url, { waitUntil: 'load' });

      // Each chart is drawn at a real size, with one visible marker per epoch per series, left to right.
      for (const id of ['loss', 'metrics', 'learning-rate']) {
        const chart = await boxOf(page, `#${id} svg.chart`);
        expect(chart.width, id).toBeGreaterThan(300);
        expect(chart.height, id).toBeGreaterThan(150);
      }
      for (const series of ['loss', 'val_loss', 'accuracy', 'val_accuracy']) {
        const points = page.locator(`circle.point[data-series="${series}"]`);
        expect(await points.count(), series).toBe(EPOCHS);
        const xs: number[] = [];
        for (let i = 0; i < EPOCHS; i++) {
          const box = await points.nth(i).boundingBox();
          expect(box !== null && box.width > 0 && box.height > 0, `${series} point ${i}`).toBe(true);
          xs.push((box as Box).x);
        }
        expect(xs[1]).toBeGreaterThan(xs[0]);
        expect(xs[2]).toBeGreaterThan(xs[1]);
        const line = await boxOf(page, `polyline[data-series="${series}"]`);
        expect(line.width).toBeGreaterThan(100);
      }
      // The warm-up and cosine make the rate rise then fall: a line with height, one vertex per step.
      const rate = page.locator('polyline[data-series="learning_rate"]');
      expect(await rate.getAttribute('data-points')).toBe(String(EPOCHS * STEPS));
      expect((await rate.getAttribute('points'))?.trim().split(' ')).toHaveLength(EPOCHS * STEPS);
      const rateBox = await boxOf(page, 'polyline[data-series="learning_rate"]');
      expect(rateBox.height).toBeGreaterThan(50);

      // On a wide screen the loss and accuracy charts sit side by side; the page never scrolls sideways.
      const loss = await boxOf(page, '#loss');
      const metrics = await boxOf(page, '#metrics');
      expect(Math.abs(metrics.y - loss.y)).toBeLessThan(1);
      expect(metrics.x).toBeGreaterThan(loss.x + loss.width);
      expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(true);

      expect(await page.locator('table.confusion td.cell').count()).toBe(9);
      expect((await boxOf(page, 'table.confusion')).height).toBeGreaterThan(60);
      expect((await boxOf(page, 'pre.summary')).height).toBeGreaterThan(60);
      const shown = await page.locator('figure.miss img').count();
      expect(shown).toBeGreaterThan(0);
      // Every data: image decoded to its 8x8 pixels and is drawn scaled up.
      expect(await page.evaluate<number[]>('Array.from(document.images, (i) => i.complete ? i.naturalWidth : -1)')).toEqual(new Array(shown).fill(8));
      expect((await page.locator('figure.miss img').first().boundingBox())?.width).toBeGreaterThanOrEqual(32);

      mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
      const png = await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(png.readUInt32BE(16)).toBe(1280); // the IHDR width
      expect(readFileSync(SCREENSHOT).equals(png)).toBe(true);

      // On a narrow screen the charts stack in one column.
      await page.setViewportSize({ width: 700, height: 900 });
      const narrowLoss = await boxOf(page, '#loss');
      expect((await boxOf(page, '#metrics')).y).toBeGreaterThan(narrowLoss.y + narrowLoss.height);

      expect(problems).toEqual([]);
      expect(requests.filter((r) => r !== url && !r.startsWith('data:'))).toEqual([]);
    } finally {
      await browser.close();
      rmSync(join(path, '..'), { recursive: true, force: true });
    }
  });
});
