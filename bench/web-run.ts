// npm run bench:web — training samples/s in Debian's headless Chromium, semiflow against TensorFlow.js's wasm
// backend on the bench's MLP and CNN, on 1 and 2 threads, each run in a fresh cross-origin-isolated page, the
// configurations interleaved over --rounds rounds. Writes a markdown table (--out FILE) and prints it.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';
import { findChromium, launchChromium } from '../test/chromium.ts';
import type { BenchConfig, BenchResult } from './web/types.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '2' }, out: { type: 'string' } } });
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const repo = fileURLToPath(new URL('..', import.meta.url));

const executable = findChromium();
if (executable === undefined) throw new Error('bench:web needs Debian\'s chromium on PATH (apt-get install -y --no-install-recommends chromium)');
const server = await createServer({ configFile: join(repo, 'bench/web/vite.config.ts'), server: { port: 0 }, logLevel: 'error' });
await server.listen();
const url = (server.resolvedUrls?.local ?? [])[0];
const browser = await launchChromium(executable);
const startLoad = loadavg().map((l) => l.toFixed(2)).join(' ');

const configs: Omit<BenchConfig, 'seconds'>[] = [];
for (const model of ['mlp', 'cnn'] as const) {
  for (const threads of [1, 2]) for (const framework of ['semiflow', 'tfjs-wasm'] as const) configs.push({ framework, model, threads });
}
const results = new Map<string, BenchResult[]>();
const key = (c: Omit<BenchConfig, 'seconds'>) => `${c.framework} ${c.model} ${c.threads}`;
try {
  for (let round = 0; round < rounds; round++) {
    for (const config of configs) {
      const page = await browser.newPage();
      // tfjs-wasm sizes its pthread pool at half the cores the page reports (one here), and its main thread cannot
      // start more later: reporting 4 cores lets setThreadsCount(2) have its second thread. semiflow is told its count.
      await page.addInitScript("Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => 4 })");
      page.on('pageerror', (error) => console.error(`${key(config)}: ${error.message}`));
      await page.goto(url);
      await page.waitForFunction("document.getElementById('state').textContent.startsWith('ready')", null, { timeout: 120_000 });
      const result = await page.evaluate(`runBench(${JSON.stringify({ ...config, seconds })})`) as BenchResult;
      await page.close();
      console.log(`${key(config)}: ${Math.round(result.samplesPerS)} samples/s (${result.timedSteps} steps; ${result.backend})`);
      results.set(key(config), [...(results.get(key(config)) ?? []), result]);
    }
  }
} finally {
  await browser.close();
  await server.close();
}

/** The best of the rounds: on a busy machine the fastest run is the one least disturbed. */
const best = (c: Omit<BenchConfig, 'seconds'>) => Math.max(...(results.get(key(c)) ?? []).map((r) => r.samplesPerS));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const names = { mlp: 'MLP 784-128-10', cnn: 'CNN conv32-pool-conv64-pool-dense128-10' };
const lines = [
  `## Training in Chromium ${browser.version()}: samples/s, batch 128, best of ${rounds} rounds of ${seconds} s`,
  '',
  `\`npm run bench:web -- --seconds ${seconds} --rounds ${rounds}\` (bench/web-run.ts), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; `
    + `load average at the start ${startLoad}, at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}. `
    + 'A fresh cross-origin-isolated page per run (semiflow on Web Workers, tfjs on its threaded SIMD binary), synthetic MNIST-shaped data; '
    + 'tfjs runs the models of ../shared/baselines/bench_tfjs.js (its CNN with the convtrick gradient shim), timed as there.',
  '',
  '| model | threads | semiflow | tfjs 4.22 wasm | semiflow / tfjs-wasm |',
  '| --- | --- | --- | --- | --- |',
  ...configs.filter((c) => c.framework === 'semiflow').map((c) => {
    const ours = best(c);
    const theirs = best({ ...c, framework: 'tfjs-wasm' });
    return `| ${names[c.model]} | ${c.threads} | ${fmt(ours)} | ${fmt(theirs)} | **${(ours / theirs).toFixed(2)}×** |`;
  }),
];
const table = `${lines.join('\n')}\n`;
console.log(`\n${table}`);
if (values.out !== undefined) writeFileSync(values.out, table);
