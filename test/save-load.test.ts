// model.save / loadModel: round trips, custom layers, exact resume with the optimizer state, ModelCheckpoint,
// crash safety of the save protocol (every rename made to fail in turn), and clear errors for corrupt files.
import { promises as fsp, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  Activation, ConfigError, Conv2D, Dense, FileError, Dropout, Flatten, Layer, MaxPooling2D, ModelCheckpoint,
  Sequential, ShapeError, ValueError, adam, add, initializers, loadModel, matmul, mul, oneHot, randomNormal, sigmoid,
  sub, tanh,
} from 'semiflow';
import type { Callback, LayerOptions, Shape, Tensor, Weight } from 'semiflow';
import { savedFiles } from './saved-files.ts';

const root = mkdtempSync(join(tmpdir(), 'semiflow-save-'));
let dirCount = 0;
const freshDir = (label: string): string => join(root, `${label}-${++dirCount}`);

afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The raw bytes of every weight: equal bytes is bit-for-bit equality. */
function weightBytes(model: Sequential): number[][] {
  return model.getWeights().map((w) => Array.from(new Uint8Array(w.storage.buffer, w.storage.byteOffset, w.storage.byteLength)));
}

function randomizeWeights(model: Sequential, seed: number): void {
  model.setWeights(model.getWeights().map((w, i) => randomNormal(w.shape, { seed: seed + i, stddev: 0.5 })));
}

/** Three classes of points in 6-D, one-hot labels. */
function data(n: number, seed: number): { x: Tensor; y: Tensor } {
  return { x: randomNormal([n, 6], { seed }), y: oneHot(Array.from({ length: n }, (_, i) => (i * 7) % 3), 3) };
}

function mlp(seed = 11): Sequential {
  const model = new Sequential({ seed, name: 'mlp' });
  model.add(new Dense(12, { activation: 'relu', inputShape: [6] }));
  model.add(new Dropout(0.2));
  model.add(new Dense(3, { activation: 'softmax' }));
  return model;
}

/** Highway, as in the README: y = g ⊙ tanh(x·Wh + bh) + (1 − g) ⊙ x with g = sigmoid(x·Wg + bg). */
class Highway extends Layer {
  private wh!: Weight;
  private bh!: Weight;
  private wg!: Weight;
  private bg!: Weight;

  protected override build(inputShape: Shape): void {
    const n = inputShape[inputShape.length - 1];
    this.wh = this.addWeight('transformKernel', [n, n]);
    this.bh = this.addWeight('transformBias', [n], 'zeros');
    this.wg = this.addWeight('gateKernel', [n, n]);
    this.bg = this.addWeight('gateBias', [n], initializers.constant({ value: -1 }));
  }

  protected call(x: Tensor): Tensor {
    const h = tanh(add(matmul(x, this.wh.value), this.bh.value));
    const g = sigmoid(add(matmul(x, this.wg.value), this.bg.value));
    return add(mul(g, h), mul(sub(1, g), x));
  }
}

/** A custom layer with a constructor argument: it is rebuilt through its static fromConfig. */
class Scale extends Layer {
  constructor(readonly factor: number, options: LayerOptions = {}) {
    super(options);
  }

  static fromConfig(config: Record<string, unknown>): Scale {
    const { factor, ...options } = config;
    return new Scale(factor as number, options);
  }

  protected call(x: Tensor): Tensor {
    return mul(x, this.factor);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), factor: this.factor };
  }
}

describe('save and load', () => {
  it('a CNN round-trips: same names, summary, weights (bit-for-bit in float32) and predictions', async () => {
    const model = new Sequential({ seed: 2, name: 'cnn' });
    model.add(new Conv2D(3, 3, { activation: 'relu', inputShape: [7, 7, 2], kernelInitializer: initializers.heNormal({ seed: 4 }) }));
    model.add(new MaxPooling2D([2, 2], { strides: 1, padding: 'same' }));
    model.add(new Flatten());
    model.add(new Dropout(0.4, { seed: 9 }));
    model.add(new Dense(4, { activation: 'leakyRelu', biasInitializer: initializers.randomUniform({ minval: -1, maxval: 1, seed: 3 }) }));
    model.add(new Activation('gelu'));
    randomizeWeights(model, 1);
    const dir = freshDir('cnn');
    await model.save(dir);
    expect(savedFiles(dir)).toEqual(['model.json', 'weights.bin']);
    const params = model.getWeights().reduce((n, w) => n + w.size, 0);
    expect(readFileSync(join(dir, 'weights.bin')).length).toBe(4 * params);

    const loaded = await loadModel(dir);
    expect(loaded.summary(null)).toBe(model.summary(null));
    // The InputLayer is not saved (its shape is the first layer's batch_input_shape), so its auto name differs.
    // JSON drops the initializers' create functions and keeps their names and configs.
    const configs = (m: Sequential): unknown => JSON.parse(JSON.stringify(m.layers.slice(1).map((l) => l.getConfig())));
    expect(configs(loaded)).toEqual(configs(model));
    expect(weightBytes(loaded)).toEqual(weightBytes(model));
    const x = randomNormal([3, 7, 7, 2], { seed: 5 });
    expect(Array.from(loaded.predict(x).storage)).toEqual(Array.from(model.predict(x).storage));
    expect(loaded.seed).toBe(2);
  });

  it('writes the tfjs LayersModel format: Keras class names, snake_case configs and <layer>/<weight> names', async () => {
    const model = mlp();
    const dir = freshDir('format');
    await model.save(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/^semiflow/);
    expect(json.modelTopology.class_name).toBe('Sequential');
    expect(json.modelTopology.backend).toBe('tensor_flow.js');
    const [dense, dropout] = json.modelTopology.config.layers;
    expect(dense.class_name).toBe('Dense');
    expect(dense.config).toMatchObject({
      name: model.layers[1].name, units: 12, activation: 'relu', use_bias: true, batch_input_shape: [null, 6], dtype: 'float32',
      kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} },
    });
    expect(dropout).toEqual({ class_name: 'Dropout', config: { name: model.layers[2].name, trainable: true, rate: 0.2, noise_shape: null, seed: null } });
    expect(json.weightsManifest).toEqual([{
      paths: ['weights.bin'],
      weights: model.layers.flatMap((l) => l.weights.map((w) => ({ name: `${l.name}/${w.name}`, shape: [...w.shape], dtype: 'float32' }))),
    }]);
  });

  it('custom layers round-trip through customLayers, by constructor or by a static fromConfig', async () => {
    const model = new Sequential({ seed: 5 });
    model.add(new Dense(5, { activation: 'tanh', inputShape: [4] }));
    model.add(new Highway({ name: 'highway' }));
    model.add(new Scale(2.5, { trainable: false }));
    model.add(new Dense(2));
    randomizeWeights(model, 20);
    const dir = freshDir('custom');
    await model.save(dir);

    const error = await loadModel(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("layer 1 (highway): unknown layer class 'Highway'");
    expect((error as Error).message).toContain('loadModel(dir, { customLayers: { Highway } })');

    const loaded = await loadModel(dir, { customLayers: { Highway, Scale } });
    expect(loaded.layers[2]).toBeInstanceOf(Highway);
    expect((loaded.layers[3] as Scale).factor).toBe(2.5);
    expect(loaded.layers[3].trainable).toBe(false);
    expect(weightBytes(loaded)).toEqual(weightBytes(model));
    const x = randomNormal([4, 4], { seed: 1 });
    expect(Array.from(loaded.predict(x).storage)).toEqual(Array.from(model.predict(x).storage));
  });

  it('refuses what it could not load back: an unbuilt model, a custom activation function, includeOptimizer before compile', async () => {
    const unbuilt = new Sequential();
    unbuilt.add(new Dense(2));
    await expect(unbuilt.save(freshDir('unbuilt'))).rejects.toThrow(/not built; give the first layer an inputShape/);
    const custom = new Sequential();
    custom.add(new Dense(2, { activation: function cube(x: Tensor) { return mul(x, mul(x, x)); }, inputShape: [3] }));
    await expect(custom.save(freshDir('fn'))).rejects.toThrow(ConfigError);
    await expect(mlp().save(freshDir('uncompiled'), { includeOptimizer: true })).rejects.toThrow(/includeOptimizer needs a compiled model/);
    await expect(mlp().save(freshDir('typo'), { includeOptimiser: true } as never)).rejects.toThrow(/unknown option 'includeOptimiser'/);
  });
});

describe('resume with the optimizer state', () => {
  const { x, y } = data(40, 1);
  const fitOptions = { batchSize: 8, verbose: 0 } as const;
  const compiled = (model: Sequential): Sequential => {
    model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return model;
  };

  it('2 epochs, save, load, 1 more epoch = 3 epochs straight, bit for bit (Adam, Dropout, shuffling)', async () => {
    const straight = compiled(mlp());
    await straight.fit(x, y, { epochs: 3, ...fitOptions });

    const first = compiled(mlp());
    await first.fit(x, y, { epochs: 2, ...fitOptions });
    const dir = freshDir('resume');
    await first.save(dir, { includeOptimizer: true });
    expect(savedFiles(dir)).toEqual(['model.json', 'optimizer.bin', 'weights.bin']);

    const resumed = await loadModel(dir);
    expect(resumed.compiled?.optimizer.name).toBe('adam');
    expect(resumed.compiled?.optimizer.config).toEqual(first.compiled?.optimizer.config);
    expect(resumed.compiled?.fusedLayer).toBe(first.compiled?.fusedLayer);
    expect(resumed.compiled?.metrics.map((m) => m.name)).toEqual(['accuracy']);
    expect(resumed.optimizerProgress?.step).toBe(10);
    const history = await resumed.fit(x, y, { epochs: 3, initialEpoch: 2, ...fitOptions });
    expect(history.epoch).toEqual([2]);
    expect(weightBytes(resumed)).toEqual(weightBytes(straight));

    // Both halves matter. Without initialEpoch the resumed epoch would reuse epoch 0's shuffle...
    const unshifted = await loadModel(dir);
    await unshifted.fit(x, y, { epochs: 1, ...fitOptions });
    expect(weightBytes(unshifted)).not.toEqual(weightBytes(straight));
    // ...and without the optimizer state (a fresh Adam) it lands elsewhere too.
    await first.save(dir);
    const fresh = compiled(await loadModel(dir));
    await fresh.fit(x, y, { epochs: 3, initialEpoch: 2, ...fitOptions });
    expect(weightBytes(fresh)).not.toEqual(weightBytes(straight));
    expect(existsSync(join(dir, 'optimizer.bin'))).toBe(false);
  });

  it('plain values that callbacks add to the progress (a learning-rate override, ±Infinity) come back as they were', async () => {
    const model = compiled(mlp());
    await model.fit(x, y, { epochs: 1, ...fitOptions });
    const progress = model.optimizerProgress as NonNullable<Sequential['optimizerProgress']>;
    model.optimizerProgress = { ...progress, learningRate: 0.0025, extra: { best: -Infinity, history: [1, Infinity, null, 'x', true] } } as typeof progress;
    const dir = freshDir('progress');
    await model.save(dir, { includeOptimizer: true });
    const loaded = await loadModel(dir);
    const { state, ...rest } = loaded.optimizerProgress as unknown as Record<string, unknown>;
    expect(rest).toEqual({ step: 5, learningRate: 0.0025, extra: { best: -Infinity, history: [1, Infinity, null, 'x', true] } });
    const slotBytes = (p: unknown): number[][] => JSON.parse(JSON.stringify(p, (_, v) => (v?.storage ? Array.from(v.storage) : v)));
    expect(slotBytes(state)).toEqual(slotBytes(progress.state));
  });

  it('a compiled model that has not trained yet saves and reloads compiled, with no progress', async () => {
    const model = compiled(mlp());
    const dir = freshDir('untrained');
    await model.save(dir, { includeOptimizer: true });
    const loaded = await loadModel(dir);
    expect(loaded.compiled?.loss.name).toBe('categoricalCrossentropy');
    expect(loaded.optimizerProgress).toBeUndefined();
  });

  it('a schedule cannot be stored, so loading asks for the optimizer, and a given optimizer gets the saved state', async () => {
    const model = mlp();
    model.compile({ optimizer: adam({ learningRate: (step) => 0.01 / (1 + step) }), loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { epochs: 1, ...fitOptions });
    const dir = freshDir('schedule');
    await model.save(dir, { includeOptimizer: true });
    await expect(loadModel(dir)).rejects.toThrow(/a schedule function cannot be stored.*loadModel\(dir, \{ optimizer: adam/);
    const loaded = await loadModel(dir, { optimizer: adam({ learningRate: (step) => 0.01 / (1 + step) }) });
    expect(loaded.optimizerProgress?.step).toBe(5);
    await expect(loadModel(dir, { optimizer: 'sgd' })).rejects.toThrow(/slots \{m, v\} but sgd uses \{\}/);
  });
});

describe('ModelCheckpoint', () => {
  const { x, y } = data(30, 2);
  const validationData = [randomNormal([12, 6], { seed: 3 }), oneHot(Array.from({ length: 12 }, (_, i) => i % 3), 3)] as const;

  it('saveBestOnly writes {epoch} directories exactly for the epochs that improved val_loss, with their weights', async () => {
    const model = mlp();
    model.compile({ optimizer: adam({ learningRate: 0.05 }), loss: 'categoricalCrossentropy' });
    const base = freshDir('ckpt');
    const weightsAt: number[][][] = [];
    const recorder: Callback = { onEpochEnd: () => { weightsAt.push(weightBytes(model)); } };
    const checkpoint = new ModelCheckpoint({ path: join(base, 'epoch-{epoch:02d}'), saveBestOnly: true });
    const history = await model.fit(x, y, { epochs: 6, batchSize: 10, validationData, verbose: 0, callbacks: [recorder, checkpoint] });
    const losses = history.history.val_loss;
    const improved = losses.map((v, i) => losses.slice(0, i).every((u) => v < u));
    expect(improved.filter(Boolean).length).toBeGreaterThan(1);
    expect(readdirSync(base).sort()).toEqual(improved.flatMap((ok, i) => (ok ? [`epoch-${String(i + 1).padStart(2, '0')}`] : [])));
    for (const [i, ok] of improved.entries()) {
      if (ok) expect(weightBytes(await loadModel(join(base, `epoch-${String(i + 1).padStart(2, '0')}`)))).toEqual(weightsAt[i]);
    }
    expect(checkpoint.best).toBe(Math.min(...losses));
  });

  it('without saveBestOnly it overwrites one directory every epoch; with includeOptimizer the checkpoint resumes', async () => {
    const model = mlp();
    model.compile({ optimizer: 'rmsprop', loss: 'categoricalCrossentropy' });
    const dir = freshDir('every');
    await model.fit(x, y, { epochs: 2, batchSize: 10, verbose: 0, callbacks: new ModelCheckpoint({ path: dir, includeOptimizer: true }) });
    const loaded = await loadModel(dir);
    expect(weightBytes(loaded)).toEqual(weightBytes(model));
    expect(loaded.optimizerProgress?.step).toBe(6);
    expect(savedFiles(dir)).toEqual(['model.json', 'optimizer.bin', 'weights.bin']);
  });

  it('a monitor missing from the logs is an error, not a checkpoint that never saves', async () => {
    const model = mlp();
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const checkpoint = new ModelCheckpoint({ path: freshDir('missing'), saveBestOnly: true });
    await expect(model.fit(x, y, { epochs: 1, verbose: 0, callbacks: checkpoint })).rejects.toThrow(/monitor 'val_loss' is not in the epoch logs/);
    expect(() => new ModelCheckpoint({ path: '' })).toThrow(ConfigError);
    expect(() => new ModelCheckpoint({ path: 'x', mode: 'best' as never })).toThrow(ConfigError);
  });
});

describe('crash safety: a save that stops at any rename leaves a loadable model, old or new, never a mixture', () => {
  /** A model after `steps` optimizer steps: its weights and its optimizer step tell which save a load came from. */
  async function trained(steps: number): Promise<Sequential> {
    const model = mlp(3);
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const { x, y } = data(8 * steps, 4);
    await model.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
    return model;
  }

  it('every rename of a save is made to fail in turn; the directory then loads as the old or the new model, and the next save succeeds', async () => {
    const [a, b, c] = [await trained(1), await trained(2), await trained(3)];
    const candidates = [a, b, c].map((m) => ({ bytes: weightBytes(m), step: m.optimizerProgress?.step }));
    const which = (model: Sequential): number => {
      const i = candidates.findIndex((cand) => JSON.stringify(cand.bytes) === JSON.stringify(weightBytes(model)));
      expect(model.optimizerProgress?.step).toBe(candidates[i]?.step);
      return i;
    };
    const realRename = fsp.rename.bind(fsp);
    let renames = 0;
    const counter = vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      renames++;
      return realRename(from, to);
    });
    await b.save(freshDir('count'), { includeOptimizer: true });
    counter.mockRestore();
    expect(renames).toBeGreaterThanOrEqual(4);

    const outcomes = new Set<string>();
    for (let failAt = 1; failAt <= renames + 1; failAt++) {
      for (const secondFailAt of [0, 1, 2, 3]) {
        const dir = freshDir('crash');
        await a.save(dir, { includeOptimizer: true });
        let count = 0;
        vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
          if (++count === failAt) throw new Error('simulated crash');
          return realRename(from, to);
        });
        const crashed = await b.save(dir, { includeOptimizer: true }).then(() => false, () => true);
        vi.restoreAllMocks();
        const afterFirst = which(await loadModel(dir));
        expect(crashed ? [0, 1] : [1]).toContain(afterFirst);
        outcomes.add(`${failAt}:${afterFirst}`);
        if (secondFailAt > 0) {
          // A second interrupted save on top of the first one's leftovers.
          let second = 0;
          vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
            if (++second === secondFailAt) throw new Error('simulated crash');
            return realRename(from, to);
          });
          await c.save(dir, { includeOptimizer: true }).catch(() => undefined);
          vi.restoreAllMocks();
          expect([afterFirst, 2]).toContain(which(await loadModel(dir)));
        }
        await c.save(dir, { includeOptimizer: true });
        expect(which(await loadModel(dir))).toBe(2);
        expect(savedFiles(dir)).toEqual(['model.json', 'optimizer.bin', 'weights.bin']);
      }
    }
    // Early failures keep the old model, late ones already show the new one.
    expect(outcomes).toContain('1:0');
    expect(outcomes).toContain(`${renames + 1}:1`);
  });

  it('reads the staged weights.bin.next when a save stopped between writing model.json and renaming', async () => {
    const [a, b] = [await trained(1), await trained(2)];
    const dirA = freshDir('stateA');
    const dirB = freshDir('stateB');
    await a.save(dirA, { includeOptimizer: true });
    await b.save(dirB, { includeOptimizer: true });
    // B's model.json committed, B's data still under the staging names, A's data in place.
    writeFileSync(join(dirA, 'model.json'), readFileSync(join(dirB, 'model.json')));
    writeFileSync(join(dirA, 'weights.bin.next'), readFileSync(join(dirB, 'weights.bin')));
    writeFileSync(join(dirA, 'optimizer.bin.next'), readFileSync(join(dirB, 'optimizer.bin')));
    const loaded = await loadModel(dirA);
    expect(weightBytes(loaded)).toEqual(weightBytes(b));
    expect(loaded.optimizerProgress?.step).toBe(2);
  });
});

describe('corrupt or foreign files: clear errors that name the file', () => {
  async function saved(label: string): Promise<string> {
    const model = mlp();
    const dir = freshDir(label);
    await model.save(dir);
    return dir;
  }
  const editJson = (dir: string, edit: (json: Record<string, any>) => void): void => {
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    edit(json);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  };
  const lastLayerName = (dir: string): string => JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers[2].config.name;
  const loadError = async (dir: string): Promise<Error> => loadModel(dir).then(() => { throw new Error('loaded'); }, (e: Error) => e);

  it('a missing directory and invalid JSON', async () => {
    const missing = await loadError(join(root, 'nowhere'));
    expect(missing).toBeInstanceOf(FileError);
    expect(missing.message).toBe(`loadModel: cannot load ${join(root, 'nowhere')}: ${join(root, 'nowhere', 'model.json')} does not exist (ENOENT)`);
    const dir = freshDir('badjson');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.json'), '{"format": "layers-model", ');
    const error = await loadError(dir);
    expect(error).toBeInstanceOf(ValueError);
    expect(error.message).toMatch(/model\.json: invalid JSON/);
  });

  it('weights.bin truncated, too long, or with flipped bytes', async () => {
    const dir = await saved('weights');
    const bytes = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'weights.bin'), bytes.subarray(0, bytes.length - 5));
    expect((await loadError(dir)).message).toMatch(/weights\.bin: has \d+ bytes .* expects \d+ bytes .*: it is truncated/);
    writeFileSync(join(dir, 'weights.bin'), Buffer.concat([bytes, Buffer.from([1, 2, 3, 4])]));
    expect((await loadError(dir)).message).toMatch(/weights\.bin: .*longer than model\.json says/);
    const flipped = Buffer.from(bytes);
    flipped[10] ^= 0xff;
    writeFileSync(join(dir, 'weights.bin'), flipped);
    expect((await loadError(dir)).message).toMatch(/weights\.bin: .*contents differ/);
    // A file without semiflow's digests (as tfjs writes them) is checked against the manifest's byte count.
    editJson(dir, (json) => { delete json.semiflow; });
    writeFileSync(join(dir, 'weights.bin'), bytes.subarray(0, bytes.length - 8));
    const error = await loadError(dir);
    expect(error).toBeInstanceOf(ValueError);
    expect(error.message).toMatch(/weights\.bin: has \d+ bytes but the manifest describes \d+ \(4 weights\); the file is truncated/);
  });

  it('an unknown class, a non-Sequential model, a weight of the wrong shape or a missing weight', async () => {
    const dir = await saved('topology');
    editJson(dir, (json) => { json.modelTopology.config.layers[1].class_name = 'SpatialDropout'; });
    let error = await loadError(dir);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/layer 1 \(.*\): unknown layer class 'SpatialDropout'.*customLayers/);

    const other = await saved('subclassed');
    editJson(other, (json) => { json.modelTopology.class_name = 'MyModel'; });
    expect((await loadError(other)).message).toMatch(/the model is a string "MyModel"; semiflow loads Sequential and Functional models/);
    // A Sequential's config read as a Functional's lacks the graph, and the error says which layer.
    const unwired = await saved('unwired');
    editJson(unwired, (json) => { json.modelTopology.class_name = 'Functional'; });
    expect((await loadError(unwired)).message).toMatch(/layer 0 \(.*\): inbound_nodes must list the layer's calls, got undefined/);

    const shapes = await saved('shape');
    const name = lastLayerName(shapes);
    editJson(shapes, (json) => { json.weightsManifest[0].weights[2].shape = [3, 12]; });
    error = await loadError(shapes);
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toMatch(new RegExp(`model\\.json: the weights manifest gives ${name}/kernel the shape \\[3,12\\], but layer ${name} needs \\[12,3\\]`));

    const renamed = await saved('renamed');
    const renamedLayer = lastLayerName(renamed);
    editJson(renamed, (json) => { json.weightsManifest[0].weights[3].name = 'other/bias'; });
    error = await loadError(renamed);
    expect(error.message).toMatch(new RegExp(`model\\.json: the weights manifest has no ${renamedLayer}/bias`));
  });

  it('an unsupported option is refused rather than dropped', async () => {
    const dir = await saved('options');
    editJson(dir, (json) => { json.modelTopology.config.layers[0].config.kernel_regularizer = { class_name: 'OrthogonalRegularizer', config: { factor: 0.01 } }; });
    expect((await loadError(dir)).message).toMatch(/layer 0 \(.*\): kernel_regularizer: unknown regularizer 'OrthogonalRegularizer'/);
  });
});
