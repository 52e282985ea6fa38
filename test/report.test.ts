import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, Dense, Sequential, ShapeError, ValueError, sliceRows, tensor } from 'semiflow';
import { TrainingReport } from 'semiflow/node';
import type { Callback, Tensor } from 'semiflow';
import { BatchLosses, smoothed } from '../models/report/batch-loss.ts';
import { niceAxis, tickLabels } from '../models/report/ticks.ts';
import { barClassifier, bars } from './report-data.ts';
import { thrown } from './thrown.ts';

const EPOCHS = 3;
const TRAIN = 240;
const BATCH = 32;
const STEPS = Math.ceil(TRAIN / BATCH);
const MAX_SHOWN = 5;

const made: string[] = [];
const outDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'semiflow-report-'));
  made.push(dir);
  return dir;
};
afterAll(() => { for (const dir of made) rmSync(dir, { recursive: true, force: true }); });
const unescape = (html: string): string => html.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
const count = (html: string, pattern: RegExp): number => (html.match(new RegExp(pattern.source, 'g')) ?? []).length;

/** Argmax of each row, by hand. */
function argmaxRows(t: Tensor): number[] {
  const width = t.shape[1];
  return Array.from({ length: t.shape[0] }, (_, r) => {
    let best = 0;
    for (let j = 1; j < width; j++) if (t.storage[r * width + j] > t.storage[r * width + best]) best = j;
    return best;
  });
}

/** What a PNG holds: width, height, colour type and the unfiltered pixel bytes (every scanline uses filter 0 here). */
function decodePng(uri: string): { width: number; height: number; colourType: number; pixels: number[] } {
  const bytes = Buffer.from(uri.replace('data:image/png;base64,', ''), 'base64');
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let offset = 8;
  let header: Buffer | undefined;
  const idat: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') header = data;
    if (type === 'IDAT') idat.push(data);
    offset += length + 12;
  }
  const h = header as Buffer;
  const width = h.readUInt32BE(0);
  const height = h.readUInt32BE(4);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = raw.length / height;
  const pixels: number[] = [];
  for (let y = 0; y < height; y++) {
    expect(raw[y * stride]).toBe(0);
    pixels.push(...raw.subarray(y * stride + 1, (y + 1) * stride));
  }
  return { width, height, colourType: h[9], pixels };
}

describe('TrainingReport: a 3-epoch run of a small image classifier', () => {
  const train = bars(TRAIN, 1);
  const val = bars(90, 2);
  const model = barClassifier();
  const path = join(outDir(), 'nested', 'report.html');
  /** What the file held right after each epoch's write: its inode and its text. */
  const snapshots: { inode: number; html: string }[] = [];
  let html = '';

  beforeAll(async () => {
    const report = new TrainingReport({ path, validationData: [val.x, val.y], epochs: EPOCHS, maxMisclassified: MAX_SHOWN, classNames: ['horizontal', 'vertical', 'diagonal'] });
    const watcher: Callback = {
      onEpochEnd: () => { snapshots.push({ inode: statSync(path).ino, html: readFileSync(path, 'utf8') }); },
    };
    await model.fit(train.x, train.y, { epochs: EPOCHS, batchSize: BATCH, validationData: [val.x, val.y], verbose: 0, callbacks: [report, watcher] });
    html = readFileSync(path, 'utf8');
  });

  it('draws one point per epoch for the training and validation loss and accuracy', () => {
    for (const key of ['loss', 'val_loss', 'accuracy', 'val_accuracy']) {
      expect(count(html, new RegExp(`<circle class="point" data-series="${key}"`)), key).toBe(EPOCHS);
      const line = new RegExp(`<polyline class="line" data-series="${key}" data-points="(\\d+)"[^>]* points="([^"]*)"`).exec(html);
      expect(line?.[1], key).toBe(String(EPOCHS));
      expect(line?.[2].trim().split(' ')).toHaveLength(EPOCHS);
    }
    expect(html).toContain(`epoch <b>${EPOCHS}</b> / ${EPOCHS}`);
  });

  it('draws the learning rate at every training step, at the height of the rate the logs give', () => {
    const card = /<article class="card" id="learning-rate">([\s\S]*?)<\/article>/.exec(html)?.[1] ?? '';
    expect(card).toContain('per training step');
    const line = /<polyline class="line" data-series="learning_rate" data-points="(\d+)"[^>]* points="([^"]*)"/.exec(card);
    expect(line?.[1]).toBe(String(EPOCHS * STEPS));
    const points = (line?.[2] ?? '').trim().split(' ').map((p) => p.split(',').map(Number));
    expect(points).toHaveLength(EPOCHS * STEPS);
    // Adam at a constant 3e-3: a flat line level with the y tick labelled 0.0030 (labels sit 4 px below their line).
    const tick = /<text class="tick y" x="[\d.]+" y="([\d.]+)"[^>]*>0\.0030<\/text>/.exec(card);
    expect(tick).not.toBeNull();
    for (const [, y] of points) expect(y).toBeCloseTo(Number(tick?.[1]) - 4, 0);
    // x runs in epochs: the last step of epoch e sits at e, the ticks of x = 1, 2, 3 (8 steps per epoch).
    const xTick = (label: string): number => Number(new RegExp(`<text class="tick x" x="([\\d.]+)"[^>]*>${label}</text>`).exec(card)?.[1]);
    for (let e = 1; e <= EPOCHS; e++) expect(points[e * STEPS - 1][0]).toBeCloseTo(xTick(String(e)), 0);
    // Epochs are whole: the x ticks are 0, 1, 2, 3 (with a free step they were 0, 0.5, 1, ...).
    expect([...card.matchAll(/<text class="tick x"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(['0', '1', '2', '3']);
  });

  it('draws the loss of every batch, smoothed, under the per-epoch points, with whole-epoch ticks', () => {
    const card = /<article class="card" id="loss">([\s\S]*?)<\/article>/.exec(html)?.[1] ?? '';
    const line = /<polyline class="line" data-series="batch_loss" data-points="(\d+)"[^>]* points="([^"]*)"/.exec(card);
    expect(line?.[1]).toBe(String(EPOCHS * STEPS));
    expect(card).toContain('batch loss (smoothed)');
    const xTick = (label: string): number => Number(new RegExp(`<text class="tick x" x="([\\d.]+)"[^>]*>${label}</text>`).exec(card)?.[1]);
    const xs = (line?.[2] ?? '').trim().split(' ').map((p) => Number(p.split(',')[0]));
    // The last batch of epoch e is level with epoch e's point.
    const epochXs = [...card.matchAll(/<circle class="point" data-series="loss" cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    for (let e = 1; e <= EPOCHS; e++) expect(xs[e * STEPS - 1]).toBeCloseTo(epochXs[e - 1], 5);
    expect(xs[0]).toBeGreaterThan(xTick('0'));
    expect([...card.matchAll(/<text class="tick x"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(['0', '1', '2', '3']);
  });

  it('shows the model summary', () => {
    const pre = /<pre class="summary">([\s\S]*?)<\/pre>/.exec(html);
    expect(unescape(pre?.[1] ?? '')).toBe(model.summary(null));
  });

  it('has a confusion matrix that sums to the validation samples and matches a hand count from predict', () => {
    const cells = [...html.matchAll(/<td class="cell[^"]*" data-true="(\d)" data-pred="(\d)"[^>]*>(\d+)<\/td>/g)];
    expect(cells).toHaveLength(9);
    const predicted = argmaxRows(model.predict(val.x));
    const expected = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    val.labels.forEach((t, i) => { expected[t][predicted[i]]++; });
    const reported = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    for (const [, t, p, n] of cells) reported[Number(t)][Number(p)] = Number(n);
    expect(reported).toEqual(expected);
    expect(reported.flat().reduce((a, b) => a + b, 0)).toBe(90);
  });

  it('counts the misclassified samples and shows the first few with their images and labels', () => {
    const predicted = argmaxRows(model.predict(val.x));
    const wrong = val.labels.map((t, i) => i).filter((i) => predicted[i] !== val.labels[i]);
    expect(wrong.length).toBeGreaterThan(MAX_SHOWN); // the noisy bars leave enough mistakes to truncate
    expect(html).toContain(`data-misclassified="${wrong.length}" data-total="90"`);
    const names = ['horizontal', 'vertical', 'diagonal'];
    const figures = [...html.matchAll(/<figure class="miss" data-index="(\d+)"><img src="([^"]+)"[^>]*><figcaption><span class="true"[^>]*>(\w+)<\/span> → <span class="pred"[^>]*>(\w+)<\/span>/g)];
    expect(figures.map((f) => Number(f[1]))).toEqual(wrong.slice(0, MAX_SHOWN));
    for (const [, index, uri, trueName, predName] of figures) {
      const i = Number(index);
      expect([trueName, predName]).toEqual([names[val.labels[i]], names[predicted[i]]]);
      const png = decodePng(uri);
      expect([png.width, png.height, png.colourType]).toEqual([8, 8, 0]);
      const sample = Array.from(val.x.storage.subarray(i * 64, (i + 1) * 64), (v) => Math.round(v * 255));
      expect(png.pixels).toEqual(sample);
    }
  });

  it('needs no network: no scripts, no stylesheets or images fetched from anywhere', () => {
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/url\(|@import|<script|<link|<iframe/i);
    const sources = [...html.matchAll(/\bsrc="([^"]*)"/g)].map((m) => m[1]);
    expect(sources.length).toBe(MAX_SHOWN);
    for (const src of sources) expect(src.startsWith('data:image/png;base64,')).toBe(true);
  });

  it('replaces the file atomically at every epoch end and stops reloading when training ends', () => {
    expect(snapshots).toHaveLength(EPOCHS);
    snapshots.forEach((s, e) => {
      expect(s.html.endsWith('</html>\n')).toBe(true);
      expect(s.html).toContain(`epoch <b>${e + 1}</b> / ${EPOCHS}`);
      expect(s.html).toContain('<meta http-equiv="refresh" content="5">');
      expect(count(s.html, /<circle class="point" data-series="loss"/)).toBe(e + 1);
    });
    // A rename puts a new file in place; writing in place would keep the inode.
    const inodes = [...snapshots.map((s) => s.inode), statSync(path).ino];
    for (let i = 1; i < inodes.length; i++) expect(inodes[i]).not.toBe(inodes[i - 1]);
    expect(readdirSync(join(path, '..'))).toEqual(['report.html']);
    expect(html).not.toContain('http-equiv="refresh"');
    expect(html).toContain('<span class="badge finished">finished</span>');
  });
});

describe('TrainingReport: other models and missing data', () => {
  const train = bars(60, 3);

  it('leaves out the confusion matrix with a note when there is no validation data', async () => {
    const path = join(outDir(), 'report.html');
    const model = barClassifier();
    await model.fit(train.x, train.y, { epochs: 2, batchSize: 30, verbose: 0, callbacks: [new TrainingReport({ path })] });
    const html = readFileSync(path, 'utf8');
    expect(html).toContain('No validationData was given to TrainingReport');
    expect(html).not.toContain('<table class="confusion">');
    expect(html).not.toContain('val_loss');
    expect(count(html, /<circle class="point" data-series="loss"/)).toBe(2);
    expect(html).toContain('epoch <b>2</b> ·'); // no total given
  });

  it("fit's report option writes the report on fit's validation data, with the epoch total", async () => {
    const path = join(outDir(), 'report.html');
    const model = barClassifier();
    await model.fit(train.x, train.y, { epochs: 2, batchSize: 30, verbose: 0, validationSplit: 0.25, report: path });
    const html = readFileSync(path, 'utf8');
    expect(count(html, /<circle class="point" data-series="val_loss"/)).toBe(2);
    expect(html).toContain('epoch <b>2</b> / 2');
    const cells = [...html.matchAll(/data-true="\d" data-pred="\d"[^>]*>(\d+)</g)].map((m) => Number(m[1]));
    expect(cells.reduce((a, b) => a + b, 0)).toBe(15);
    await expect(model.fit(train.x, train.y, { report: 3 as unknown as string })).rejects.toThrow(ConfigError);
    await expect(model.fit(train.x, train.y, { report: '' })).rejects.toThrow(/\.fit: report must be the path of an HTML file, got/);
  });

  it('says a regression model is not a classifier instead of drawing a matrix', async () => {
    const path = join(outDir(), 'report.html');
    const model = new Sequential({ seed: 2 });
    model.add(new Dense(1, { inputShape: [2] }));
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = tensor([[0, 1], [1, 0], [1, 1], [0, 0]]);
    const y = tensor([[1], [1], [2], [0]]);
    await model.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0, callbacks: [new TrainingReport({ path, validationData: [x, y] })] });
    const html = readFileSync(path, 'utf8');
    expect(html).toContain('The model is not a classifier (loss meanSquaredError, output [1])');
    expect(html).not.toContain('id="metrics"');
  });

  it('reads flat samples as images with imageShape, and counts sparse labels', async () => {
    const path = join(outDir(), 'report.html');
    const flat = tensor(train.x.storage, [60, 64]);
    const labels = tensor(train.labels);
    const model = new Sequential({ seed: 4 });
    model.add(new Dense(3, { activation: 'softmax', inputShape: [64] }));
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const report = new TrainingReport({ path, validationData: [flat, labels], imageShape: [8, 8] });
    await model.fit(flat, labels, { epochs: 1, batchSize: 20, verbose: 0, callbacks: [report] });
    const html = readFileSync(path, 'utf8');
    const predicted = argmaxRows(model.predict(flat));
    const wrong = train.labels.filter((t, i) => predicted[i] !== t).length;
    const cells = [...html.matchAll(/data-true="(\d)" data-pred="(\d)"[^>]*>(\d+)</g)];
    expect(cells.reduce((n, c) => n + Number(c[3]), 0)).toBe(60);
    expect(cells.filter((c) => c[1] !== c[2]).reduce((n, c) => n + Number(c[3]), 0)).toBe(wrong);
    expect(count(html, /<img src="data:image\/png;base64,/)).toBe(Math.min(wrong, 32));
  });

  it('counts a binary classifier in a 2x2 matrix at the 0.5 threshold', async () => {
    const path = join(outDir(), 'report.html');
    const x = tensor(Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(3 * i)]));
    const y = tensor(Array.from({ length: 40 }, (_, i) => [Math.sin(i) + 0.3 * Math.cos(3 * i) > 0 ? 1 : 0]));
    const model = new Sequential({ seed: 5 });
    model.add(new Dense(1, { activation: 'sigmoid', inputShape: [2] }));
    model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    await model.fit(x, y, { epochs: 1, batchSize: 10, verbose: 0, callbacks: [new TrainingReport({ path, validationData: [x, y], maxMisclassified: 0 })] });
    const html = readFileSync(path, 'utf8');
    const p = model.predict(x).storage;
    const expected = [[0, 0], [0, 0]];
    y.storage.forEach((t, i) => { expected[t][p[i] > 0.5 ? 1 : 0]++; });
    const reported = [[0, 0], [0, 0]];
    for (const [, t, q, n] of html.matchAll(/data-true="(\d)" data-pred="(\d)"[^>]*>(\d+)</g)) reported[Number(t)][Number(q)] = Number(n);
    expect(reported).toEqual(expected);
    expect(html).toContain(`data-misclassified="${expected[0][1] + expected[1][0]}" data-total="40"`);
    expect(html).not.toContain('<figure');
    expect(html).toContain('epoch <b>1</b> ·');
  });

  it('rejects bad options and bad validation data, naming TrainingReport', async () => {
    const e1 = thrown(() => new TrainingReport({ path: 'r.html', maxMisclasified: 3 } as never));
    expect(e1).toBeInstanceOf(ConfigError);
    expect(e1.message).toMatch(/^TrainingReport: unknown option 'maxMisclasified' \(did you mean 'maxMisclassified'\?\); valid options are path, validationData, title, maxMisclassified/);
    expect(thrown(() => new TrainingReport({} as never)).message).toBe('TrainingReport: path must be a non-empty string, got undefined');
    const e2 = thrown(() => new TrainingReport({ path: 'r.html', validationData: [train.x, bars(10, 5).y] }));
    expect(e2).toBeInstanceOf(ShapeError);
    expect(e2.message).toBe('TrainingReport: validationData x and y must have the same number of samples (at least 1), got shapes [60,8,8,1] and [10,3]');
    const e3 = thrown(() => new TrainingReport({ path: 'r.html', maxMisclassified: -1 }));
    expect(e3).toBeInstanceOf(ValueError);
    expect(e3.message).toBe('TrainingReport: maxMisclassified must be a non-negative integer, got number -1');
    const e4 = thrown(() => new TrainingReport({ path: 'r.html', validationData: [tensor(train.x.storage, [60, 64]), train.y], imageShape: [7, 7] }));
    expect(e4.message).toBe('TrainingReport: imageShape [7,7] holds 49 values but each validation sample [64] has 64');
    expect(thrown(() => new TrainingReport({ path: 'r.html', imageShape: [8, 8, 2] })).message)
      .toBe('TrainingReport: imageShape must be [height, width] or [height, width, 1|3] with positive integers, got [8,8,2]');

    // A path that cannot be written fails at the first write, before any training, and leaves nothing behind.
    const dir = outDir();
    const blocked = new TrainingReport({ path: dir });
    await expect(barClassifier().fit(train.x, train.y, { epochs: 1, verbose: 0, callbacks: [blocked] }))
      .rejects.toThrow(new RegExp(`^TrainingReport: cannot write the report to ${dir}: EISDIR`));
    expect(readdirSync(join(dir, '..')).filter((f) => f.startsWith(`.${basename(dir)}.`))).toEqual([]);

    // A label outside the model's classes is found at the first epoch end.
    const bad = tensor(train.labels.map((l, i) => (i === 7 ? 5 : l)));
    const sparse = barClassifier();
    sparse.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const report = new TrainingReport({ path: join(outDir(), 'r.html'), validationData: [train.x, bad] });
    await expect(sparse.fit(train.x, tensor(train.labels), { epochs: 1, verbose: 0, callbacks: [report] }))
      .rejects.toThrow('TrainingReport: validation label 5 (sample 7) is not a class in 0..2');
  });
});

describe('TrainingReport: chart axes', () => {
  it('cover the data with 3 to 11 evenly spaced ticks whose labels are distinct and read back as the ticks', () => {
    const value = fc.double({ min: -1e7, max: 1e7, noNaN: true });
    fc.assert(fc.property(value, value, fc.boolean(), (a, b, integer) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const axis = niceAxis(lo, hi, 5, integer);
      const { ticks, step } = axis;
      // The ends snap to whole steps, forgiving a millionth of a step of rounding (0.3 / 0.1 = 2.9999999999999996).
      expect(axis.min).toBeLessThanOrEqual(lo + step * 1e-6);
      expect(axis.max).toBeGreaterThanOrEqual(hi - step * 1e-6);
      expect(ticks[0]).toBeCloseTo(axis.min, 6);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(12);
      if (integer) expect(Number.isInteger(step)).toBe(true);
      for (let i = 1; i < ticks.length; i++) expect(Math.abs(ticks[i] - ticks[i - 1] - step)).toBeLessThan(step * 1e-6);
      const labels = tickLabels(ticks, step);
      expect(new Set(labels).size).toBe(labels.length);
      labels.forEach((label, i) => expect(Math.abs(Number(label) - ticks[i])).toBeLessThanOrEqual(step * 1e-6 + Math.abs(ticks[i]) * 1e-9));
    }), { numRuns: 300 });
  });
});

describe('the per-batch loss curve', () => {
  it("recovers each batch's own loss from the running means fit logs, as evaluate computes it on that batch", async () => {
    const data = bars(100, 5);
    const model = barClassifier(4);
    const batch = 16;
    const expected: number[] = [];
    const derived: number[] = [];
    const losses = new BatchLosses();
    const probe: Callback = {
      onBatchBegin: (b, logs) => {
        losses.begin(b, logs.size);
        const [from, to] = [b * batch, Math.min(100, (b + 1) * batch)];
        expected.push(model.evaluate(sliceRows(data.x, from, to), sliceRows(data.y, from, to), { batchSize: batch, verbose: 0 }).loss);
      },
      onBatchEnd: (_b, logs) => { derived.push(losses.end(logs.loss) as number); },
    };
    await model.fit(data.x, data.y, { epochs: 2, batchSize: batch, shuffle: false, verbose: 0, callbacks: [probe] });
    expect(derived).toHaveLength(2 * Math.ceil(100 / batch));
    derived.forEach((loss, i) => expect(Math.abs(loss - expected[i]), `batch ${i}`).toBeLessThan(1e-5 * Math.max(1, expected[i])));
  });

  it('smooths as TensorBoard does: a debiased moving average with weight 0.6 that skips non-finite values', () => {
    // 0.4·4 / 0.4 = 4; (0.6·1.6 + 0.4·1) / (1 − 0.36) = 2.125.
    const near = (got: number[], want: number[]) => { expect(got).toHaveLength(want.length); got.forEach((v, i) => (Number.isNaN(want[i]) ? expect(v).toBeNaN() : expect(v).toBeCloseTo(want[i], 12))); };
    near(smoothed([4, 1]), [4, 2.125]);
    near(smoothed([4, Number.NaN, 1]), [4, Number.NaN, 2.125]);
    for (const v of smoothed([3, 3, 3, 3])) expect(v).toBeCloseTo(3, 12);
  });
});

describe("the report's own predict", () => {
  it('prints nothing: fit with verbose 0 and a report writes no progress bar, even on a terminal', async () => {
    const train = bars(60, 6);
    const val = bars(300, 7);
    const writes: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => writes.push(String(chunk)) > 0);
    const tty = process.stdout.isTTY;
    process.stdout.isTTY = true;
    try {
      await barClassifier().fit(train.x, train.y, { epochs: 2, batchSize: 30, verbose: 0, validationData: [val.x, val.y], report: join(outDir(), 'r.html') });
    } finally {
      process.stdout.isTTY = tty;
      spy.mockRestore();
    }
    expect(writes).toEqual([]);
  });
});
