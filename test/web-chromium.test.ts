// The MNIST page (examples/web) in Debian's headless Chromium, as a person uses it: it loads MNIST from the dev
// server, trains until stopped, shows the test accuracy, saves to and restores from IndexedDB, downloads the model,
// and reads digits drawn with the mouse; without the isolation headers it trains on one thread. The screenshot
// goes to out/ (docs/ with SEMIFLOW_UPDATE_SCREENSHOTS=1, for the README).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { createServer } from 'vite';
import { describe, expect, it } from 'vitest';
import { chromiumOrSkip, launchChromium } from './chromium.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const STEPS = 300;
const screenshotDir = join(repo, process.env.SEMIFLOW_UPDATE_SCREENSHOTS === '1' ? 'docs' : 'out');

const text = async (page: Page, selector: string): Promise<string> => (await page.textContent(selector)) ?? '';

/**
 * A hang guard only: 300 training steps take about 10 s on a quiet machine and several minutes on a loaded one (a
 * loaded run of the suite went past 120 s), so nothing here may be a deadline.
 */
const HANG_GUARD_MS = 900_000;

/** Waits until `condition`, JavaScript run in the page (which has lib.dom; this file does not), holds. */
const until = (page: Page, condition: string, timeout = HANG_GUARD_MS) => page.waitForFunction(condition, null, { timeout });
const stepsDone = (steps: number) => `Number(document.getElementById('step').textContent) >= ${steps}`;
const statusIs = (status: string) => `document.getElementById('status').textContent === ${JSON.stringify(status)}`;
const stopped = "document.getElementById('status').textContent.startsWith('stopped after')";
const predicted = "document.getElementById('prediction').textContent !== '–'";

/** Draws a stroke through `points` (in the 280×280 pad's pixels) with mouse events. */
async function stroke(page: Page, points: readonly (readonly [number, number])[]): Promise<void> {
  const box = await page.locator('#pad').boundingBox();
  if (box === null) throw new Error('#pad is not shown');
  const at = ([x, y]: readonly [number, number]) => [box.x + (x * box.width) / 280, box.y + (y * box.height) / 280] as const;
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const point of points.slice(1)) await page.mouse.move(...at(point), { steps: 4 });
  await page.mouse.up();
}

const ellipse = Array.from({ length: 25 }, (_, i) => [140 + 55 * Math.sin((2 * Math.PI * i) / 24), 140 - 90 * Math.cos((2 * Math.PI * i) / 24)] as const);
const vertical = [[150, 45], [140, 140], [132, 235]] as const;

describe('the MNIST web page in headless Chromium', () => {
  it('trains past 90% test accuracy, saves and restores through IndexedDB, and reads drawn digits', async (context) => {
    const executable = chromiumOrSkip(context, 'web-chromium.test.ts');
    const server = await createServer({ configFile: join(repo, 'examples/web/vite.config.ts'), server: { port: 0, strictPort: false }, logLevel: 'error' });
    await server.listen();
    const browser = await launchChromium(executable);
    try {
      const page = await browser.newPage({ viewport: { width: 1360, height: 760 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      const url = (server.resolvedUrls?.local ?? [])[0];
      await page.goto(url);
      await until(page, "!document.getElementById('train').disabled");
      expect(await page.evaluate('crossOriginIsolated')).toBe(true);
      expect(await text(page, '#backend')).toMatch(/WebAssembly SIMD, \d+ threads? \(Web Workers, the page is cross-origin isolated/);
      expect(await text(page, '#status')).toBe('MNIST loaded: 60000 training and 10000 test images');

      await page.click('#train');
      await until(page, stepsDone(STEPS), 300_000);
      await page.click('#train');
      await until(page, stopped);
      expect(await text(page, '#train')).toBe('Resume');
      const accuracy = await text(page, '#test-accuracy');
      expect(Number.parseFloat(accuracy)).toBeGreaterThan(90);

      await page.click('#save');
      await until(page, statusIs('saved to indexeddb://mnist-web'));
      // Training on, then restoring, brings back the saved model's test accuracy exactly.
      await page.click('#train');
      await until(page, stepsDone(STEPS + 20));
      await page.click('#train');
      await until(page, stopped);
      await page.click('#restore');
      await until(page, statusIs('restored from indexeddb://mnist-web'));
      expect(await text(page, '#test-accuracy')).toBe(accuracy);

      const downloads = new Promise<string[]>((resolve) => {
        const names: string[] = [];
        page.on('download', (download) => {
          names.push(download.suggestedFilename());
          if (names.length === 2) resolve(names.sort());
        });
      });
      await page.click('#download');
      expect(await downloads).toEqual(['model.json', 'weights.bin']);

      await stroke(page, vertical);
      await until(page, predicted);
      expect(await text(page, '#prediction')).toBe('1');
      await page.click('#clear');
      await stroke(page, ellipse);
      await until(page, predicted);
      expect(await text(page, '#prediction')).toBe('0');
      expect(await page.locator('#probabilities .bar').count()).toBe(10);

      mkdirSync(screenshotDir, { recursive: true });
      await page.screenshot({ path: join(screenshotDir, 'web-mnist.png') });
      expect(errors).toEqual([]);
      expect(requests.filter((r) => !r.startsWith(url) && !r.startsWith('blob:') && !r.startsWith('data:'))).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  }, HANG_GUARD_MS);

  it('trains on one thread when the page is not cross-origin isolated, and says so', async (context) => {
    const executable = chromiumOrSkip(context, 'web-chromium.test.ts');
    const headers = { 'Cross-Origin-Opener-Policy': 'unsafe-none', 'Cross-Origin-Embedder-Policy': 'unsafe-none' };
    const server = await createServer({ configFile: join(repo, 'examples/web/vite.config.ts'), server: { port: 0, headers }, logLevel: 'error' });
    await server.listen();
    const browser = await launchChromium(executable);
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto((server.resolvedUrls?.local ?? [])[0]);
      await until(page, "!document.getElementById('train').disabled");
      expect(await page.evaluate('crossOriginIsolated')).toBe(false);
      expect(await text(page, '#backend')).toBe('semiflow on browser: WebAssembly SIMD, one thread: the page is not cross-origin isolated '
        + '(serve it with COOP: same-origin and COEP: require-corp for Web Worker threads)');
      await page.click('#train');
      await until(page, stepsDone(50));
      await page.click('#train');
      await until(page, stopped);
      expect(Number.parseFloat(await text(page, '#test-accuracy'))).toBeGreaterThan(50);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  }, HANG_GUARD_MS);
});
