// Corrupt files (issue 6, part 2): saved model directories and IDX files fuzzed with fast-check (truncations, byte
// flips and insertions, edits of model.json's structure), and one pinned message per case the issue lists. A load
// either gives exactly what was saved or throws a SemiflowError naming the file; model.loadWeights leaves the
// model's weights bit for bit as they were when it throws.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, Dense, Dropout, SemiflowError, Sequential, ShapeError, ValueError, loadModel, randomNormal, writeIdx } from 'semiflow';
import type { IdxType } from 'semiflow';
import { savedFiles } from './saved-files.ts';
import { loadMnist, readIdx } from 'semiflow/node';

const tmp = mkdtempSync(join(tmpdir(), 'semiflow-corrupt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Files = ReadonlyMap<string, Uint8Array>;

/** The raw bytes of every weight: equal bytes is bit-for-bit equality. */
const weightBytes = (model: Sequential): Buffer =>
  Buffer.concat(model.getWeights().map((w) => new Uint8Array(w.storage.buffer, w.storage.byteOffset, w.storage.byteLength)));

/** Replaces the directory's contents by `files`. */
function writeDir(dir: string, files: Files): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
}

const readDir = (dir: string): Map<string, Uint8Array> => new Map(savedFiles(dir).map((name) => [name, readFileSync(join(dir, name))]));

/** Runs `load`, giving back what it threw (or undefined). */
async function rejection(load: () => Promise<unknown>): Promise<Error | undefined> {
  try {
    await load();
  } catch (error) {
    return error as Error;
  }
  return undefined;
}

// ---- corruptions -------------------------------------------------------------------------------------------------

type JsonPath = readonly (string | number)[];
type JsonEdit =
  | { op: 'delete'; path: number }
  | { op: 'replace'; path: number; value: unknown }
  | { op: 'unknownClass'; layer: number }
  | { op: 'shape'; weight: number; shape: number[] }
  | { op: 'dropWeight'; weight: number };
type Corruption =
  | { kind: 'truncate'; file: string; at: number }
  | { kind: 'flip'; file: string; at: number; mask: number }
  | { kind: 'insert'; file: string; at: number; bytes: Uint8Array }
  | { kind: 'append'; file: string; bytes: Uint8Array }
  | { kind: 'json'; file: string; edit: JsonEdit };

/** Every path into a JSON value (objects' keys, arrays' indices), root excluded. */
function jsonPaths(value: unknown, prefix: JsonPath = []): JsonPath[] {
  if (value === null || typeof value !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((k) => [[...prefix, k], ...jsonPaths((value as Record<string | number, unknown>)[k], [...prefix, k])]);
}

function editJson(text: string, edit: JsonEdit): string {
  const json = JSON.parse(text);
  const paths = jsonPaths(json);
  const parentOf = (path: JsonPath): Record<string | number, unknown> =>
    path.slice(0, -1).reduce<Record<string | number, unknown>>((node, k) => node[k] as Record<string | number, unknown>, json);
  const layers = json.modelTopology.config.layers;
  const specs = json.weightsManifest[0].weights;
  switch (edit.op) {
    case 'delete': {
      const path = paths[edit.path % paths.length];
      const parent = parentOf(path);
      const key = path[path.length - 1];
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      break;
    }
    case 'replace': {
      const path = paths[edit.path % paths.length];
      parentOf(path)[path[path.length - 1]] = edit.value;
      break;
    }
    case 'unknownClass':
      layers[edit.layer % layers.length].class_name = 'Mystery';
      break;
    case 'shape':
      specs[edit.weight % specs.length].shape = edit.shape;
      break;
    case 'dropWeight':
      specs.splice(edit.weight % specs.length, 1);
      break;
  }
  return JSON.stringify(json);
}

function corrupt(files: Files, c: Corruption): Map<string, Uint8Array> {
  const out = new Map(files);
  const bytes = files.get(c.file) as Uint8Array;
  const at = (n: number): number => (bytes.length === 0 ? 0 : n % (bytes.length + 1));
  switch (c.kind) {
    case 'truncate':
      out.set(c.file, bytes.subarray(0, c.at % Math.max(bytes.length, 1)));
      break;
    case 'flip': {
      const flipped = Uint8Array.from(bytes);
      if (flipped.length > 0) flipped[c.at % flipped.length] ^= c.mask;
      out.set(c.file, flipped);
      break;
    }
    case 'insert':
      out.set(c.file, Buffer.concat([bytes.subarray(0, at(c.at)), c.bytes, bytes.subarray(at(c.at))]));
      break;
    case 'append':
      out.set(c.file, Buffer.concat([bytes, c.bytes]));
      break;
    case 'json':
      out.set(c.file, Buffer.from(editJson(Buffer.from(bytes).toString('utf8'), c.edit)));
      break;
  }
  return out;
}

/** A JSON value to put anywhere in model.json; numbers stay small, see the note on huge layers in the report. */
const smallJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -2, max: 1000 }), fc.double({ min: -10, max: 10, noNaN: true }), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null),
  fc.constantFrom('', '.', '..', 'constructor', '__proto__', 'weights.bin', 'Dense', 'adam'),
  fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 3 }), fc.constant({}),
);

/** Any of model.json's paths, uniformly: biased small numbers would keep to its first keys. */
const anyPath = fc.noBias(fc.nat());
const jsonEdit: fc.Arbitrary<JsonEdit> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), path: anyPath }),
  fc.record({ op: fc.constant('replace' as const), path: anyPath, value: smallJson }),
  fc.record({ op: fc.constant('unknownClass' as const), layer: fc.nat() }),
  fc.record({ op: fc.constant('shape' as const), weight: fc.nat(), shape: fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 3 }) }),
  fc.record({ op: fc.constant('dropWeight' as const), weight: fc.nat() }),
);

/** Byte-level corruptions of one of `files`: positions are biased small, where the headers are. */
function byteCorruption(files: readonly string[]): fc.Arbitrary<Corruption> {
  const file = fc.constantFrom(...files);
  const bytes = fc.uint8Array({ minLength: 1, maxLength: 8 });
  return fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), file, at: fc.nat() }),
    fc.record({ kind: fc.constant('flip' as const), file, at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('insert' as const), file, at: fc.nat(), bytes }),
    fc.record({ kind: fc.constant('append' as const), file, bytes }),
  );
}

/** Byte-level corruptions of a saved model's files, and structural edits of its model.json. */
const corruption = (files: readonly string[]): fc.Arbitrary<Corruption> => fc.oneof(
  { arbitrary: byteCorruption(files), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('json' as const), file: fc.constant('model.json'), edit: jsonEdit }), weight: 1 },
);

const same = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean => a !== undefined && b !== undefined && Buffer.from(a).equals(b);

// ---- saved models ------------------------------------------------------------------------------------------------

function smallModel(): Sequential {
  const model = new Sequential({ seed: 5 });
  model.add(new Dense(5, { activation: 'relu', inputShape: [4] }));
  model.add(new Dropout(0.25));
  model.add(new Dense(3, { activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return model;
}

describe('fuzzed model directories', () => {
  const saved = smallModel();
  const savedWeights = (): Buffer => weightBytes(saved);
  const x = randomNormal([8, 4], { seed: 1 });
  const y = randomNormal([8, 3], { seed: 2 }).softmax();
  let plain: Files;
  let withOptimizer: Files;

  beforeAll(async () => {
    await saved.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    await saved.save(join(tmp, 'plain'));
    await saved.save(join(tmp, 'optimizer'), { includeOptimizer: true });
    plain = readDir(join(tmp, 'plain'));
    withOptimizer = readDir(join(tmp, 'optimizer'));
  });

  /** The error names the corrupted file: a data file by its path; model.json by name, next to the directory. */
  function expectNamed(error: Error, dir: string, file: string): void {
    expect(error).toBeInstanceOf(SemiflowError);
    if (file === 'model.json') {
      expect(error.message).toContain(dir);
      expect(error.message).toContain('model.json');
    } else {
      expect(error.message).toContain(join(dir, file));
    }
  }

  for (const [label, files] of [['without', () => plain], ['with', () => withOptimizer]] as const) {
    it(`loadModel (saved ${label} the optimizer) gives the saved weights bit for bit or a SemiflowError naming the file`, async () => {
      const dir = join(tmp, `fuzz-load-${label}`);
      const names = [...files().keys()];
      let rejected = 0;
      await fc.assert(fc.asyncProperty(corruption(names), async (c) => {
        const corrupted = corrupt(files(), c);
        writeDir(dir, corrupted);
        let loaded: Sequential | undefined;
        const error = await rejection(async () => { loaded = await loadModel<Sequential>(dir); });
        const unchanged = same(corrupted.get(c.file), files().get(c.file));
        if (error === undefined) {
          const model = loaded as Sequential;
          expect(weightBytes(model).equals(savedWeights())).toBe(true);
          // The data files' sizes and SHA-256 sums are in model.json: any change to them is caught.
          if (c.file !== 'model.json') expect(unchanged).toBe(true);
          // What loads is complete: it predicts, and trains on from the loaded optimizer state.
          expect(model.predict(x, { verbose: 0 }).shape).toEqual([8, 3]);
          if (model.compiled !== undefined) await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
        } else {
          rejected++;
          expect(unchanged).toBe(false);
          expectNamed(error, dir, c.file);
        }
      }), { numRuns: 250, seed: 61 });
      expect(rejected).toBeGreaterThan(150);
    });
  }

  it('model.loadWeights sets the saved weights, or throws naming the file and leaves every weight bit for bit as it was', async () => {
    const dir = join(tmp, 'fuzz-weights');
    const target = smallModel();
    const before = target.getWeights();
    const beforeBytes = weightBytes(target);
    expect(beforeBytes.equals(savedWeights())).toBe(false);
    let rejected = 0;
    await fc.assert(fc.asyncProperty(corruption([...withOptimizer.keys()]), async (c) => {
      target.setWeights(before);
      const corrupted = corrupt(withOptimizer, c);
      writeDir(dir, corrupted);
      const error = await rejection(() => target.loadWeights(dir));
      const unchanged = same(corrupted.get(c.file), withOptimizer.get(c.file));
      if (error === undefined) {
        expect(weightBytes(target).equals(savedWeights())).toBe(true);
        if (c.file === 'weights.bin') expect(unchanged).toBe(true);
      } else {
        rejected++;
        expect(unchanged).toBe(false);
        // Weights only: optimizer.bin is never read.
        expect(c.file).not.toBe('optimizer.bin');
        expect(error.message.startsWith(`${target.name}.loadWeights: `)).toBe(true);
        expectNamed(error, dir, c.file);
        expect(weightBytes(target).equals(beforeBytes)).toBe(true);
      }
    }), { numRuns: 250, seed: 62 });
    expect(rejected).toBeGreaterThan(100);
  });
});

// ---- IDX files ---------------------------------------------------------------------------------------------------

/** A valid small IDX file of integers: small non-negative values, so a changed type byte cannot make a NaN. */
const idxFile: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.constantFrom<IdxType>('uint8', 'int8', 'int16', 'int32'), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }))
  .chain(([type, dims]) => fc.array(fc.integer({ min: 0, max: 100 }), { minLength: dims.reduce((a, b) => a * b, 1), maxLength: dims.reduce((a, b) => a * b, 1) })
    .map((values) => writeIdx(values, dims, type)));

describe('fuzzed IDX files', () => {
  it('readIdx, plain or gzipped, returns exactly what the bytes encode, or throws a ValueError naming the file', () => {
    const path = join(tmp, 'fuzz.idx');
    fc.assert(fc.property(idxFile, byteCorruption(['file']), fc.boolean(), fc.boolean(), (valid, c, gzip, gzipAfter) => {
      // gzipAfter: corrupt the IDX bytes and gzip them; otherwise corrupt the gzip stream itself.
      const source = gzip && !gzipAfter ? gzipSync(valid) : valid;
      let bytes = corrupt(new Map([['file', source]]), c).get('file') as Uint8Array;
      if (gzip && gzipAfter) bytes = gzipSync(bytes);
      writeFileSync(path, bytes);
      let decoded: ReturnType<typeof readIdx> | undefined;
      let error: Error | undefined;
      try {
        decoded = readIdx(path);
      } catch (e) {
        error = e as Error;
      }
      if (error !== undefined) {
        expect(error).toBeInstanceOf(ValueError);
        expect(error.message.startsWith(`readIdx: ${path}`)).toBe(true);
        return;
      }
      // Nothing dropped, nothing made up: what was read encodes back to the very bytes of the file.
      const plainBytes = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
      const { data, dims, type } = decoded as NonNullable<typeof decoded>;
      expect(Buffer.from(writeIdx(data, dims, type)).equals(Buffer.from(plainBytes))).toBe(true);
      // A cut-short or padded IDX file is never accepted.
      if (c.kind === 'truncate') expect.unreachable('a truncated file was accepted');
      if (c.kind === 'append' && !(gzip && !gzipAfter)) expect.unreachable('trailing bytes were accepted');
    }), { numRuns: 400, seed: 63 });
  });

  it('loadMnist on a directory with one corrupt file throws a ValueError naming that file, or loads the original', () => {
    const images = Uint8Array.from({ length: 6 * 2 * 3 }, (_, i) => (i * 37) % 256);
    const pristine: Files = new Map([
      ['train-images-idx3-ubyte', writeIdx(images, [6, 2, 3], 'uint8')],
      ['train-labels-idx1-ubyte.gz', gzipSync(writeIdx([3, 1, 4, 1, 5, 9], [6], 'uint8'))],
      ['t10k-images-idx3-ubyte.gz', gzipSync(writeIdx(images.subarray(0, 12), [2, 2, 3], 'uint8'))],
      ['t10k-labels-idx1-ubyte', writeIdx([2, 6], [2], 'uint8')],
    ]);
    const dir = join(tmp, 'fuzz-mnist');
    writeDir(dir, pristine);
    const original = loadMnist({ dir });
    // Flips inside the pixel or label values would be a different but valid file; the corruptions here change
    // the length, the header or the gzip stream.
    const structural = byteCorruption([...pristine.keys()]).filter((c) =>
      c.kind !== 'flip' || c.file.endsWith('.gz') || c.at % (pristine.get(c.file) as Uint8Array).length < (c.file.includes('images') ? 16 : 8));
    fc.assert(fc.property(structural, (c) => {
      writeDir(dir, corrupt(pristine, c));
      let loaded: ReturnType<typeof loadMnist> | undefined;
      try {
        loaded = loadMnist({ dir });
      } catch (error) {
        expect(error).toBeInstanceOf(ValueError);
        expect((error as Error).message).toContain(join(dir, c.file));
        return;
      }
      expect(loaded.train.images.storage).toEqual(original.train.images.storage);
      expect(loaded.train.labelValues).toEqual(original.train.labelValues);
      expect(loaded.test.images.storage).toEqual(original.test.images.storage);
      expect(loaded.test.labelValues).toEqual(original.test.labelValues);
    }), { numRuns: 150, seed: 64 });
  });
});

// ---- one pinned message per case of the issue --------------------------------------------------------------------

describe('each corruption the issue lists gets a message naming the file and what is wrong', () => {
  const model = smallModel();
  const [first, , last] = model.layers.slice(1).map((l) => l.name);
  let pristine: Files;
  beforeAll(async () => {
    await model.save(join(tmp, 'pinned'));
    pristine = readDir(join(tmp, 'pinned'));
  });
  async function loadError(label: string, edit: (files: Map<string, Uint8Array>) => void): Promise<{ dir: string; error: Error }> {
    const dir = join(tmp, `pinned-${label}`);
    const files = new Map(pristine);
    edit(files);
    writeDir(dir, files);
    const error = await rejection(() => loadModel(dir));
    if (error === undefined) throw new Error(`${label}: loaded`);
    return { dir, error };
  }
  const editModelJson = (files: Map<string, Uint8Array>, edit: (json: Record<string, any>) => void): void => {
    const json = JSON.parse(Buffer.from(files.get('model.json') as Uint8Array).toString('utf8'));
    edit(json);
    files.set('model.json', Buffer.from(JSON.stringify(json)));
  };
  const mnistDir = (label: string, trainImages: Uint8Array): string => {
    const dir = join(tmp, `mnist-${label}`);
    writeDir(dir, new Map([
      ['train-images-idx3-ubyte', trainImages],
      ['train-labels-idx1-ubyte', writeIdx([1, 2], [2], 'uint8')],
      ['t10k-images-idx3-ubyte', writeIdx([0, 0, 0, 0], [1, 2, 2], 'uint8')],
      ['t10k-labels-idx1-ubyte', writeIdx([7], [1], 'uint8')],
    ]));
    return dir;
  };
  const images = writeIdx([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2], 'uint8');

  it('IDX: truncated', () => {
    const dir = mnistDir('truncated', images.subarray(0, images.length - 3));
    expect(() => loadMnist({ dir })).toThrow(new ValueError(
      `readIdx: ${join(dir, 'train-images-idx3-ubyte')} has dims [2,2,2] of uint8, which need 8 bytes of data, but found 5 (truncated, 3 bytes missing)`));
  });

  it('IDX: bad magic', () => {
    const dir = mnistDir('magic', Uint8Array.from([0x89, 0x50, ...images.subarray(2)]));
    expect(() => loadMnist({ dir })).toThrow(new ValueError(
      `readIdx: ${join(dir, 'train-images-idx3-ubyte')} is not an IDX file: expected the magic 00 00 <type> <ndims>, found 89 50 08 03`));
  });

  it('IDX: dims that do not match the byte count', () => {
    const wrong = Uint8Array.from(images);
    wrong[15] = 3;
    const dir = mnistDir('dims', wrong);
    expect(() => loadMnist({ dir })).toThrow(new ValueError(
      `readIdx: ${join(dir, 'train-images-idx3-ubyte')} has dims [2,2,3] of uint8, which need 12 bytes of data, but found 8 (truncated, 4 bytes missing)`));
  });

  it('model.json: invalid JSON', async () => {
    const { dir, error } = await loadError('json', (files) => files.set('model.json', (files.get('model.json') as Uint8Array).subarray(0, 40)));
    expect(error).toBeInstanceOf(ValueError);
    expect(error.message).toMatch(new RegExp(`^${join(dir, 'model.json')}: invalid JSON: `));
  });

  it('model.json: an unknown layer class', async () => {
    const { dir, error } = await loadError('class', (files) => editModelJson(files, (json) => { json.modelTopology.config.layers[2].class_name = 'Highway'; }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(new RegExp(`^${join(dir, 'model.json')}: layer 2 \\(${last}\\): unknown layer class 'Highway'\\. Built-in classes are Dense, Conv2D, .*; `
      + 'register a custom layer with loadModel\\(dir, \\{ customLayers: \\{ Highway \\} \\}\\)'));
  });

  it('model.json: a missing weight', async () => {
    const { dir, error } = await loadError('missing', (files) => editModelJson(files, (json) => { json.weightsManifest[0].weights.pop(); }));
    expect(error).toBeInstanceOf(ValueError);
    expect(error.message).toBe(`${join(dir, 'model.json')}: the weights manifest describes 160 bytes (3 tensors), but ${join(dir, 'weights.bin')} holds 172, `
      + 'which match the size and SHA-256 model.json recorded: the list in model.json is wrong');
    // Without semiflow's digests (a tfjs file) the manifest is all there is: the bias is missing.
    const tfjs = await loadError('missing-tfjs', (files) => editModelJson(files, (json) => {
      delete json.semiflow;
      json.weightsManifest[0].weights.pop();
      files.set('weights.bin', (files.get('weights.bin') as Uint8Array).subarray(0, 160));
    }));
    expect(tfjs.error.message).toBe(`${join(tfjs.dir, 'model.json')}: the weights manifest has no ${last}/bias (layer ${last} needs [3])`);
  });

  it('model.json: a weight of the wrong shape', async () => {
    const { dir, error } = await loadError('shape', (files) => editModelJson(files, (json) => { json.weightsManifest[0].weights[0].shape = [5, 4]; }));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toBe(`${join(dir, 'model.json')}: the weights manifest gives ${first}/kernel the shape [5,4], but layer ${first} needs [4,5]`);
  });

  it('model.json: a layer size that would allocate gigabytes is refused before any allocation', async () => {
    const started = performance.now();
    const { dir, error } = await loadError('huge', (files) => editModelJson(files, (json) => { json.modelTopology.config.layers[0].config.units = 3e8; }));
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(ValueError);
    expect(error.message).toBe(`${join(dir, 'model.json')}: ${first}: weight kernel of shape [4,300000000] has 1200000000 values, but the weights manifest holds 43 values in all`);
  });

  it('weights.bin: truncated', async () => {
    const { dir, error } = await loadError('short', (files) => files.set('weights.bin', (files.get('weights.bin') as Uint8Array).subarray(0, 100)));
    expect(error).toBeInstanceOf(ValueError);
    expect(error.message).toMatch(new RegExp(`^${join(dir, 'weights.bin')}: has 100 bytes with sha256 [0-9a-f]{12}…, but model.json expects 172 bytes `
      + 'with sha256 [0-9a-f]{12}…: it is truncated$'));
  });

  it('weights.bin: too long', async () => {
    const { dir, error } = await loadError('long', (files) => files.set('weights.bin', Buffer.concat([files.get('weights.bin') as Uint8Array, Buffer.from([0, 0, 0, 0])])));
    expect(error).toBeInstanceOf(ValueError);
    expect(error.message).toMatch(new RegExp(`^${join(dir, 'weights.bin')}: has 176 bytes .*, but model.json expects 172 bytes .*: it is longer than model.json says$`));
  });
});

describe('model.json values that would only fail later are refused at load, naming the key', () => {
  const model = smallModel();
  let pristine: Files;
  beforeAll(async () => {
    await model.fit(randomNormal([4, 4], { seed: 3 }), randomNormal([4, 3], { seed: 4 }).softmax(), { epochs: 1, verbose: 0 });
    await model.save(join(tmp, 'later'), { includeOptimizer: true });
    pristine = readDir(join(tmp, 'later'));
  });
  const cases: [string, (json: Record<string, any>) => void, string][] = [
    ['a learning-rate override that is not a number', (json) => { json.semiflow.training.progress.learningRate = 'fast'; },
      'semiflow.training.progress.learningRate: a learning-rate override must be a finite number >= 0, got string "fast"'],
    ['a negative optimizer step', (json) => { json.semiflow.training.progress.state.step = -1; },
      'semiflow.training.progress.state must be {step, slots} with a non-negative integer step, got an object (Object)'],
    ['a weight file named by an empty path', (json) => { json.weightsManifest[0].paths = ['']; },
      'weightsManifest[0] lists the path string ""; paths must name files inside the model\'s directory'],
  ];
  for (const [label, edit, message] of cases) {
    it(label, async () => {
      const dir = join(tmp, `later-${label.replace(/\W+/g, '-')}`);
      const json = JSON.parse(Buffer.from(pristine.get('model.json') as Uint8Array).toString('utf8'));
      edit(json);
      writeDir(dir, new Map([...pristine, ['model.json', Buffer.from(JSON.stringify(json))]]));
      const error = await rejection(() => loadModel(dir));
      expect(error).toBeInstanceOf(SemiflowError);
      expect(error?.message).toBe(`${join(dir, 'model.json')}: ${message}`);
    });
  }

  it('an initializer semiflow does not know, named once', async () => {
    const dir = join(tmp, 'later-initializer');
    const json = JSON.parse(Buffer.from(pristine.get('model.json') as Uint8Array).toString('utf8'));
    json.modelTopology.config.layers[0].config.kernel_initializer = 'Identity';
    writeDir(dir, new Map([...pristine, ['model.json', Buffer.from(JSON.stringify(json))]]));
    const error = await rejection(() => loadModel(dir));
    expect(error?.message).toMatch(new RegExp(`^${join(dir, 'model.json')}: layer 0 \\(${model.layers[1].name}\\): kernel_initializer: unknown initializer 'Identity' \\(semiflow reads Zeros, `));
  });
});

// ---- model.loadWeights ---------------------------------------------------------------------------------------------

describe('model.loadWeights', () => {
  it('matches layers in order whatever their names, keeps the optimizer progress, and is all-or-nothing', async () => {
    const source = smallModel();
    source.setWeights(source.getWeights().map((w, i) => randomNormal(w.shape, { seed: 40 + i })));
    const dir = join(tmp, 'load-weights');
    await source.save(dir);
    const target = smallModel();
    expect(target.layers.map((l) => l.name)).not.toEqual(source.layers.map((l) => l.name));
    await target.fit(randomNormal([4, 4], { seed: 3 }), randomNormal([4, 3], { seed: 4 }).softmax(), { epochs: 1, verbose: 0 });
    const progress = target.optimizerProgress;
    await target.loadWeights(dir);
    expect(weightBytes(target).equals(weightBytes(source))).toBe(true);
    expect(target.optimizerProgress).toBe(progress);

    const wider = new Sequential();
    wider.add(new Dense(6, { inputShape: [4] }));
    wider.add(new Dense(3));
    const before = weightBytes(wider);
    const [, savedFirst] = source.layers.map((l) => l.name);
    const error = await rejection(() => wider.loadWeights(dir));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error?.message).toBe(`${wider.name}.loadWeights: ${join(dir, 'model.json')}: the weights manifest gives ${savedFirst}/kernel the shape [4,5], `
      + `but layer ${wider.layers[1].name} (saved as ${savedFirst}) needs [4,6]`);
    expect(weightBytes(wider).equals(before)).toBe(true);

    const deeper = new Sequential({ layers: [new Dense(5, { inputShape: [4] }), new Dense(3), new Dense(2)] });
    expect((await rejection(() => deeper.loadWeights(dir)))?.message).toMatch(/model\.json: holds weights for 2 layers \(.*\) but the model has 3 layers with weights/);
    const unbuilt = new Sequential({ layers: [new Dense(5), new Dense(3)] });
    expect((await rejection(() => unbuilt.loadWeights(dir)))?.message).toMatch(/loadWeights: the model is not built/);
  });
});
