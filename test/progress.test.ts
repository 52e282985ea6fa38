import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, Dense, ProgressBar, Sequential, exponentialDecay, oneHot, randomNormal, sgd, tensor } from 'semiflow';
import type { Tensor } from 'semiflow';

/** A stream that records what is written, with a TTY flag and optionally a width. */
function fakeStream(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns, write: (text: string) => writes.push(text) } };
}

/** Three classes in 4-D, one-hot labels. */
function data(n: number, seed: number): { x: Tensor; y: Tensor } {
  const noise = randomNormal([n, 4], { seed, stddev: 0.5 });
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const x = tensor(Array.from(noise.storage, (v, i) => v + (labels[Math.floor(i / 4)] === i % 4 ? 2 : 0)), [n, 4]);
  return { x, y: oneHot(labels, 3) };
}

function model(): Sequential {
  const m = new Sequential({ seed: 3 });
  m.add(new Dense(8, { activation: 'tanh', inputShape: [4] }));
  m.add(new Dense(3, { activation: 'softmax' }));
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

/** Captures process.stdout.write, with isTTY set as given, while fn runs. */
async function captureStdout(isTTY: boolean, fn: () => unknown): Promise<string[]> {
  const writes: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => writes.push(String(chunk)) > 0);
  const tty = process.stdout.isTTY;
  process.stdout.isTTY = isTTY;
  try {
    await fn();
  } finally {
    process.stdout.isTTY = tty;
    spy.mockRestore();
  }
  return writes;
}

const ESCAPES = /[\r\x1b]/;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ProgressBar', () => {
  it('on a TTY redraws one line with steps, bar, elapsed, ETA, time per step and logs, then replaces it with the final values', () => {
    const { writes, stream } = fakeStream(true);
    let t = 1000;
    const bar = new ProgressBar(10, { stream, now: () => t });
    t += 2000;
    bar.update(2, { loss: 0.5 });
    // 2 steps in 2 s: 1 s per step, 8 steps left.
    expect(writes).toEqual(['\r 2/10 ━━━━──────────────── 2s elapsed, ETA 8s - 1.00s/step - loss: 0.5000\x1b[K']);
    t += 3000;
    bar.update(5, { loss: 0.25, accuracy: 0.75 });
    expect(writes[1]).toBe('\r 5/10 ━━━━━━━━━━────────── 5s elapsed, ETA 5s - 1.00s/step - loss: 0.2500 - accuracy: 0.7500\x1b[K');
    t += 5000;
    bar.finish({ loss: 0.125, val_loss: 0.2 });
    expect(writes[2]).toBe('\r10/10 ━━━━━━━━━━━━━━━━━━━━ 10s 1.00s/step - loss: 0.1250 - val_loss: 0.2000\x1b[K\n');
  });

  it('shows a phase in place of the ETA once the steps are done, as fit does while validating', () => {
    const { writes, stream } = fakeStream(true);
    let t = 0;
    const bar = new ProgressBar(4, { stream, now: () => t });
    t = 4000;
    bar.update(4, { loss: 0.5 }, 'validating 3/79');
    expect(writes).toEqual(['\r4/4 ━━━━━━━━━━━━━━━━━━━━ 4s elapsed, validating 3/79 - 1.00s/step - loss: 0.5000\x1b[K']);
  });

  it('redraws at most every 100 ms, so fast steps cost no output, yet a live bar moves at least every 250 ms', () => {
    const { writes, stream } = fakeStream(true);
    let t = 0;
    const bar = new ProgressBar(1000, { stream, now: () => t });
    for (let step = 1; step <= 100; step++) {
      t += 10;  // 10 ms per step: 1 s in all
      bar.update(step);
    }
    // Drawn at t = 10, 110, ..., 910 ms.
    expect(writes).toHaveLength(10);
    expect(writes.map((w) => Number(/^\r\s*(\d+)\//.exec(w)?.[1]))).toEqual([1, 11, 21, 31, 41, 51, 61, 71, 81, 91]);
  });

  it('keeps a live line within the terminal width, so a redraw never wraps', () => {
    const logs = { loss: 1, accuracy: 0.5, val_loss: 2 };
    const narrow = fakeStream(true, 30);
    new ProgressBar(4, { stream: narrow.stream, now: () => 0 }).update(1, logs);
    const wide = fakeStream(true);
    new ProgressBar(4, { stream: wide.stream, now: () => 0 }).update(1, logs);
    const full = wide.writes[0].slice(1, -3);
    expect(full.length).toBeGreaterThan(29);
    expect(narrow.writes).toEqual([`\r${full.slice(0, 29)}\x1b[K`]);
  });

  it('off a TTY, or with verbose 2, writes only one plain final line; verbose 0 writes nothing', () => {
    for (const [isTTY, verbose] of [[false, 1], [true, 2], [false, 2]] as const) {
      const { writes, stream } = fakeStream(isTTY);
      let t = 0;
      const bar = new ProgressBar(3, { stream, verbose, title: 'Epoch 2/5', now: () => t });
      for (let step = 1; step <= 3; step++) {
        t += 400;
        bar.update(step, { loss: 1 / step });
      }
      bar.finish({ loss: 0.3333 });
      expect(writes).toEqual(['Epoch 2/5 - 3/3 - 1s 400ms/step - loss: 0.3333\n']);
    }
    const { writes, stream } = fakeStream(true);
    const silent = new ProgressBar(3, { stream, verbose: 0 });
    silent.update(1, { loss: 1 });
    silent.finish({ loss: 1 });
    expect(writes).toEqual([]);
  });

  it('prints time per step in s, ms or us, and tiny values in scientific form', () => {
    const { writes, stream } = fakeStream(false);
    let t = 0;
    const bar = new ProgressBar(4, { stream, now: () => t });
    t = 2;
    bar.finish({ learning_rate: 2.5e-5, loss: 0 });
    expect(writes).toEqual(['4/4 - 0s 500us/step - learning_rate: 2.500e-5 - loss: 0.0000\n']);
  });

  it('checks its arguments', () => {
    expect(() => new ProgressBar(0)).toThrow(/ProgressBar: steps must be a positive integer, got number 0/);
    expect(() => new ProgressBar(3, { verbose: 3 as never })).toThrow(ConfigError);
  });
});

describe('fit progress', () => {
  it('off a TTY prints exactly one clean line per epoch, validation included', async () => {
    const { x, y } = data(40, 1);
    const m = model();
    const writes = await captureStdout(false, () => m.fit(x, y, { epochs: 3, batchSize: 10, validationSplit: 0.25 }));
    expect(writes).toHaveLength(3);
    writes.forEach((line, i) => {
      expect(line).toMatch(new RegExp(`^Epoch ${i + 1}/3 - 3/3 - \\d+s \\d+(us|ms)/step - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4} - val_loss: \\d\\.\\d{4} - val_accuracy: \\d\\.\\d{4}\\n$`));
      expect(line).not.toMatch(ESCAPES);
    });
  });

  it('verbose 2 on a TTY also prints one clean line per epoch, and verbose 0 prints nothing', async () => {
    const { x, y } = data(40, 2);
    const m = model();
    const two = await captureStdout(true, () => m.fit(x, y, { epochs: 2, batchSize: 10, verbose: 2 }));
    expect(two).toHaveLength(2);
    two.forEach((line) => expect(line).not.toMatch(ESCAPES));
    expect(await captureStdout(true, () => m.fit(x, y, { epochs: 2, batchSize: 10, verbose: 0 }))).toEqual([]);
  });

  it('on a TTY shows a header and a live bar per epoch, then replaces it with the final values including validation', async () => {
    const { x, y } = data(40, 3);
    const m = model();
    // A slow callback makes every step take longer than the redraw interval, so each one is drawn.
    const slow = { onBatchEnd: () => new Promise<void>((resolve) => setTimeout(resolve, 120)) };
    const writes = await captureStdout(true, () => m.fit(x, y, { epochs: 1, batchSize: 10, validationSplit: 0.25, callbacks: slow }));
    expect(writes[0]).toBe('Epoch 1/1\n');
    const live = writes.slice(1, -2);
    expect(live.map((w) => /^\r(\d)\/3 /.exec(w)?.[1])).toEqual(['1', '2']);
    for (const w of live) expect(w).toMatch(/^\r\d\/3 ━*─* \d+s elapsed, ETA \d+s - \d+(?:\.\d+)?(?:us|ms|s)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}\x1b\[K$/);
    // The last step waits 120 ms too, so the validation that follows is drawn as well.
    expect(writes[writes.length - 2]).toMatch(/^\r3\/3 ━{20} \d+s elapsed, validating 1\/1 - \d+(?:\.\d+)?(?:us|ms|s)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}\x1b\[K$/);
    expect(writes[writes.length - 1]).toMatch(/^\r3\/3 ━{20} \d+s \d+(?:\.\d+)?(?:us|ms|s)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}\x1b\[K\n$/);
  });

  it('shows the learning rate only once it changes during the fit', async () => {
    const { x, y } = data(40, 4);
    const m = new Sequential({ seed: 5 });
    m.add(new Dense(3, { activation: 'softmax', inputShape: [4] }));
    m.compile({ optimizer: sgd({ learningRate: exponentialDecay({ initialLearningRate: 0.1, decaySteps: 4, decayRate: 0.5 }) }), loss: 'categoricalCrossentropy' });
    const scheduled = await captureStdout(false, () => m.fit(x, y, { epochs: 2, batchSize: 10 }));
    // The first step's rate is 0.1; the last of epoch 1 (step 3) is 0.1 · 0.5^(3/4).
    expect(scheduled[0]).toContain(`learning_rate: ${(0.1 * 0.5 ** 0.75).toFixed(4)}`);
    const constant = await captureStdout(false, () => model().fit(x, y, { epochs: 2, batchSize: 10 }));
    for (const line of constant) expect(line).not.toContain('learning_rate');
  });
});

describe('evaluate and predict progress', () => {
  it('by default show a live bar on a TTY when there is more than one batch, and nothing when piped', async () => {
    const { x, y } = data(100, 5);
    const m = model();
    const tty = await captureStdout(true, () => m.evaluate(x, y, { batchSize: 10 }));
    expect(tty.length).toBeGreaterThanOrEqual(1);
    expect(tty[tty.length - 1]).toMatch(/^\r10\/10 ━{20} \d+s \d+(us|ms)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}\x1b\[K\n$/);
    const predicted = await captureStdout(true, () => m.predict(x, { batchSize: 10 }));
    expect(predicted[predicted.length - 1]).toMatch(/^\r10\/10 ━{20} \d+s \d+(us|ms)\/step\x1b\[K\n$/);
    expect(await captureStdout(false, () => m.evaluate(x, y, { batchSize: 10 }))).toEqual([]);
    expect(await captureStdout(false, () => m.predict(x, { batchSize: 10 }))).toEqual([]);
    // One batch is not worth a bar.
    expect(await captureStdout(true, () => m.evaluate(x, y, { batchSize: 100 }))).toEqual([]);
  });

  it('verbose 1 off a TTY gives one final line, verbose 0 silences a TTY, and the results do not change', async () => {
    const { x, y } = data(100, 6);
    const m = model();
    let logged: Record<string, number> = {};
    const lines = await captureStdout(false, () => { logged = m.evaluate(x, y, { batchSize: 32, verbose: 1 }); });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^4\/4 - \d+s \d+(us|ms)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}\n$/);
    expect(lines[0]).toContain(`loss: ${logged.loss.toFixed(4)}`);
    expect(m.evaluate(x, y, { batchSize: 32, verbose: 0 })).toEqual(logged);
    let out: Tensor | undefined;
    const predictLines = await captureStdout(false, () => { out = m.predict(x, { verbose: 2 }); });
    expect(predictLines).toHaveLength(1);
    expect(predictLines[0]).toMatch(/^4\/4 - \d+s \d+(us|ms)\/step\n$/);
    expect(Array.from((out as Tensor).data)).toEqual(Array.from(m.predict(x, { verbose: 0 }).data));
    expect(await captureStdout(true, () => m.evaluate(x, y, { verbose: 0 }))).toEqual([]);
  });

  it('rejects a bad verbose value, naming the model and method', () => {
    const { x, y } = data(10, 7);
    const m = model();
    expect(() => m.evaluate(x, y, { verbose: 'yes' as never })).toThrow(/sequential_\d+\.evaluate: verbose must be 0, 1 or 2, got string "yes"/);
    expect(() => m.predict(x, { verbose: 5 as never })).toThrow(ConfigError);
  });
});
