// What loadModel checks before it builds anything: every layer's declared input shape (positive integers, one
// sample of the dry run within the loader's byte budget), and weights and optimizer state free of NaN and ±Infinity
// unless allowNonFinite.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, Dense, MemoryBudgetError, Sequential, ShapeError, Tensor, ValueError, loadModel, memoryBudget, setMemoryBudget, tensor } from 'semiflow';

const tmp = mkdtempSync(join(tmpdir(), 'semiflow-load-checks-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let count = 0;

/** A saved two-layer model, compiled with Adam and trained one step when `optimizer`; returns its directory. */
async function saved(options: { optimizer?: boolean; dtype?: 'float32' | 'float64' } = {}): Promise<string> {
  const model = new Sequential({ name: 'net', seed: 1, dtype: options.dtype ?? 'float32' });
  model.add(new Dense(4, { inputShape: [3], name: 'hidden' }));
  model.add(new Dense(2, { name: 'out' }));
  const dir = join(tmp, `model-${++count}`);
  if (options.optimizer === true) {
    model.compile({ optimizer: 'adam', loss: 'mse' });
    await model.fit(tensor([[1, 2, 3]]), tensor([[1, 0]]), { epochs: 1, verbose: 0 });
  }
  await model.save(dir, { includeOptimizer: options.optimizer === true });
  return dir;
}

type Json = Record<string, any>;
function editJson(dir: string, edit: (json: Json) => void): void {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Json;
  edit(json);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
}

const rejection = (run: Promise<unknown>): Promise<Error> => run.then(() => { throw new Error('loaded'); }, (e: Error) => e);

describe('declared input shapes are checked before the dry run', () => {
  it('[null, 60000, 60000] asks 14.4 GB for one sample: refused, naming the file, the layer, the shape and the bytes', async () => {
    const dir = await saved();
    editJson(dir, (json) => { json.modelTopology.config.layers[0].config.batch_input_shape = [null, 60000, 60000]; });
    const error = await rejection(loadModel(dir));
    expect(error).toBeInstanceOf(MemoryBudgetError);
    expect(error.message).toBe(`${join(dir, 'model.json')}: layer 0 (hidden): the input shape batch_input_shape [null,60000,60000] makes one sample of `
      + `[60000,60000] = 3600000000 float32 values, 14400000000 bytes, over the memory budget of ${memoryBudget()} bytes for the dry-run input; `
      + 'the file is corrupt or the model too large (setMemoryBudget raises the budget)');
  });

  it('the loader follows setMemoryBudget', async () => {
    const dir = await saved();
    editJson(dir, (json) => { json.modelTopology.config.layers[0].config.batch_input_shape = [null, 1024]; });
    setMemoryBudget(4095);
    try {
      expect((await rejection(loadModel(dir))).message).toMatch(/one sample of \[1024\] = 1024 float32 values, 4096 bytes, over the memory budget of 4095 bytes/);
      editJson(dir, (json) => { json.modelTopology.config.layers[0].config.batch_input_shape = [null, 3]; });
      expect((await loadModel(dir)).inputShape).toEqual([3]);
    } finally {
      setMemoryBudget(null);
    }
  });

  it('the budget is in bytes of the model dtype: float64 halves the values allowed', async () => {
    const values = memoryBudget() / 8 + 1;
    const dir = await saved({ dtype: 'float64' });
    editJson(dir, (json) => { json.modelTopology.config.layers[0].config.batch_input_shape = [null, values]; });
    expect((await rejection(loadModel(dir))).message).toMatch(new RegExp(`= ${values} float64 values, ${values * 8} bytes, over`));
  });

  it('non-integer, zero, negative or non-numeric sizes, and a bad batch axis, on any layer', async () => {
    const cases: [number, string, unknown, string][] = [
      [0, 'batch_input_shape', [null, 0], 'layer 0 (hidden): batch_input_shape [null,0]'],
      [0, 'batch_input_shape', [null, 1.5], 'layer 0 (hidden): batch_input_shape [null,1.5]'],
      [0, 'batch_input_shape', [-1, 3], 'layer 0 (hidden): batch_input_shape [-1,3]'],
      [0, 'batch_shape', [null, '3'], 'layer 0 (hidden): batch_shape [null,"3"]'],
      [1, 'input_shape', [4, -2], 'layer 1 (out): input_shape [4,-2]'],
      [1, 'input_dim', 0, 'layer 1 (out): input_dim [0]'],
    ];
    for (const [layer, key, value, named] of cases) {
      const dir = await saved();
      editJson(dir, (json) => { json.modelTopology.config.layers[layer].config[key] = value; });
      const error = await rejection(loadModel(dir));
      expect(error, `${key} ${JSON.stringify(value)}`).toBeInstanceOf(ShapeError);
      expect(error.message).toBe(`${join(dir, 'model.json')}: ${named} must be positive integers after the batch axis (the batch axis null or a positive integer)`);
    }
  });

  it('a later layer declaring a huge shape is refused too, although only the first layer\'s shape is used', async () => {
    const dir = await saved();
    editJson(dir, (json) => { json.modelTopology.config.layers[1].config.batch_input_shape = [null, 2 ** 40]; });
    expect((await rejection(loadModel(dir))).message).toMatch(/layer 1 \(out\): the input shape batch_input_shape \[null,1099511627776\] makes one sample/);
  });
});

describe('non-finite weights and optimizer state are refused unless allowNonFinite', () => {
  it('model.loadWeights refuses them too, leaving the weights as they were, unless allowNonFinite', async () => {
    const dir = await saved();
    plant(dir, 'weights.bin', 0, 2, NaN);
    editJson(dir, (json) => { delete json.semiflow; });
    const target = new Sequential({ name: 'target', seed: 9 });
    target.add(new Dense(4, { inputShape: [3] }));
    target.add(new Dense(2));
    const before = target.getWeights().map((w) => Array.from(w.storage));
    const error = await rejection(target.loadWeights(dir));
    expect(error).toBeInstanceOf(ValueError);
    expect(error.message).toMatch(/^target\.loadWeights: .*weights\.bin: hidden\/kernel holds NaN at \[0,2\] \(flat index 2\); .*Pass \{ allowNonFinite: true \} to target\.loadWeights to load it anyway$/);
    expect(target.getWeights().map((w) => Array.from(w.storage))).toEqual(before);
    await target.loadWeights(dir, { allowNonFinite: true });
    expect(target.getWeights()[0].storage[2]).toBeNaN();
  });

  /** Writes `value` as float32 into the data file at the `index`-th value of the tensor that starts at `start` values in. */
  function plant(dir: string, file: string, start: number, index: number, value: number): void {
    const bytes = readFileSync(join(dir, file));
    bytes.writeFloatLE(value, 4 * (start + index));
    writeFileSync(join(dir, file), bytes);
  }

  it('NaN in weights.bin without digests (as a foreign file) names the file, the weight and the first bad index', async () => {
    const dir = await saved();
    editJson(dir, (json) => { delete json.semiflow; });
    // hidden/kernel [3,4] = 12 values, hidden/bias [4], then out/kernel [4,2]: its [2,1] is flat index 5.
    plant(dir, 'weights.bin', 16, 5, NaN);
    plant(dir, 'weights.bin', 16, 7, Infinity);
    const error = await rejection(loadModel(dir));
    expect(error).toBeInstanceOf(ValueError);
    expect(error.message).toBe(`${join(dir, 'weights.bin')}: out/kernel holds NaN at [2,1] (flat index 5); a model with non-finite weights computes NaN. `
      + 'Pass { allowNonFinite: true } to loadModel to load it anyway');
    const loaded = await loadModel(dir, { allowNonFinite: true });
    const kernel = loaded.layers[2].weights[0].value as Tensor;
    expect([Number.isNaN(kernel.storage[5]), kernel.storage[7]]).toEqual([true, Infinity]);
  });

  it('a model saved with -Infinity in a weight (digests match) is refused as well', async () => {
    const model = new Sequential({ name: 'net', seed: 1 });
    model.add(new Dense(2, { inputShape: [2], name: 'only' }));
    model.setWeights([tensor([[1, 2], [3, -Infinity]]), tensor([0, 0])]);
    const dir = join(tmp, 'saved-infinite');
    await model.save(dir);
    expect((await rejection(loadModel(dir))).message).toMatch(/weights\.bin: only\/kernel holds -Infinity at \[1,1\] \(flat index 3\)/);
    expect((await loadModel(dir, { allowNonFinite: true })).getWeights()[0].storage[3]).toBe(-Infinity);
  });

  it('a float64 weight too large for a float32 model becomes Infinity: refused, saying so', async () => {
    const dir = await saved();
    editJson(dir, (json) => {
      delete json.semiflow;
      json.weightsManifest[0].weights = json.weightsManifest[0].weights.map((w: Json) => ({ ...w, dtype: 'float64' }));
    });
    const f32 = new Float32Array(Uint8Array.from(readFileSync(join(dir, 'weights.bin'))).buffer);
    const f64 = Float64Array.from(f32);
    f64[12] = 1e300;
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(f64.buffer));
    expect((await rejection(loadModel(dir))).message).toBe(`${join(dir, 'weights.bin')}: hidden/bias holds Infinity at [0] (flat index 0) `
      + '(after conversion of its float64 value to float32); a model with non-finite weights computes NaN. Pass { allowNonFinite: true } to loadModel to load it anyway');
  });

  it('NaN in the optimizer state names optimizer.bin and the slot', async () => {
    const dir = await saved({ optimizer: true });
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Json;
    const specs = json.semiflow.training.tensors as { name: string; shape: number[] }[];
    editJson(dir, (j) => { delete j.semiflow.files['optimizer.bin']; });
    plant(dir, 'optimizer.bin', 0, 1, NaN);
    const error = await rejection(loadModel(dir));
    expect(error.message).toBe(`${join(dir, 'optimizer.bin')}: ${specs[0].name} holds NaN at [0,1] (flat index 1); a model with non-finite weights computes NaN. `
      + 'Pass { allowNonFinite: true } to loadModel to load it anyway');
    expect((await loadModel(dir, { allowNonFinite: true })).optimizerProgress?.step).toBe(1);
  });

  it('allowNonFinite must be a boolean', async () => {
    const dir = await saved();
    expect(await rejection(loadModel(dir, { allowNonFinite: 'yes' as never }))).toBeInstanceOf(ConfigError);
  });
});
