// Where models go besides a directory: a model.json URL (fetch), and the errors of locations no store takes.
// IndexedDB and downloads need a browser: test/web-chromium.test.ts saves and restores through IndexedDB there.
import { createHash } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join, normalize } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, Dense, Sequential, ValueError, backendInfo, loadModel, tensor } from 'semiflow';
import { sha256Hex } from '../models/io/sha256.ts';
import { pathInside } from '../models/serialization/saved.ts';

const dir = mkdtempSync(join(tmpdir(), 'semiflow-stores-'));
const server = createServer((request, response) => {
  const file = join(dir, decodeURIComponent((request.url ?? '/').slice(1)));
  try {
    const bytes = readFileSync(file);
    response.writeHead(200).end(bytes);
  } catch {
    response.writeHead(404, 'Not Found').end();
  }
});
let base: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function smallModel(): Sequential {
  const model = new Sequential({ seed: 5 });
  model.add(new Dense(3, { inputShape: [4], activation: 'relu' }));
  model.add(new Dense(2));
  model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  return model;
}

describe('loadModel from a URL', () => {
  it('fetches model.json and the weights beside it, and predicts as the saved model', async () => {
    const model = smallModel();
    await model.fit(tensor([[1, 2, 3, 4], [4, 3, 2, 1]]), tensor([[1, 0], [0, 1]]), { epochs: 3, verbose: 0 });
    await model.save(join(dir, 'good'), { includeOptimizer: true });
    const loaded = await loadModel(`${base}/good/model.json`);
    const x = tensor([[0.5, -1, 2, 0]]);
    expect(loaded.predict(x).toArray()).toEqual(model.predict(x).toArray());
    // The optimizer's state came too: one more epoch on both gives the same weights.
    for (const m of [model, loaded]) await m.fit(tensor([[1, 2, 3, 4], [4, 3, 2, 1]]), tensor([[1, 0], [0, 1]]), { epochs: 1, verbose: 0, seed: 1 });
    expect(loaded.predict(x).toArray()).toEqual(model.predict(x).toArray());
  });

  it('names the URL of a weights file whose bytes differ from what model.json recorded', async () => {
    await smallModel().save(join(dir, 'bad'));
    const weights = join(dir, 'bad/weights.bin');
    const bytes = readFileSync(weights);
    bytes[0] ^= 1;
    writeFileSync(weights, bytes);
    await expect(loadModel(`${base}/bad/model.json`)).rejects.toThrow(
      new ValueError(`${base}/bad/weights.bin: has sha256 ${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}…, but model.json expects `
        + `${(JSON.parse(readFileSync(join(dir, 'bad/model.json'), 'utf8')) as { semiflow: { files: Record<string, { sha256: string }> } }).semiflow.files['weights.bin'].sha256.slice(0, 12)}…: its contents differ from what model.json recorded`),
    );
  });

  it('says which URL answered with an HTTP error', async () => {
    await expect(loadModel(`${base}/missing/model.json`)).rejects.toThrow(new ValueError(`${base}/missing/model.json: cannot read the file (HTTP 404 Not Found)`));
  });
});

describe('locations no store takes', () => {
  it('refuses to save to a URL, to read back downloads, unknown schemes, IndexedDB where there is none, and non-strings', async () => {
    const model = smallModel();
    await expect(model.save(`${base}/x/model.json`)).rejects.toThrow(new ConfigError(`${model.name}.save: ${base}/x/model.json: cannot save to a URL; use 'indexeddb://name' or 'downloads://name'`));
    await expect(loadModel('downloads://m')).rejects.toThrow(/^loadModel: downloads:\/\/m: downloads cannot be read back/);
    await expect(model.save('ftp://host/m')).rejects.toThrow(/^sequential(_\d+)?\.save: no model store takes string "ftp:\/\/host\/m"; known: directories, indexeddb:\/\/, downloads:\/\/, http\(s\):\/\/ URLs$/);
    await expect(model.save('indexeddb://m')).rejects.toThrow(/\.save: this engine has no IndexedDB$/);
    await expect(model.save('indexeddb://')).rejects.toThrow(/\.save: indexeddb:\/\/ names no model; write it as indexeddb:\/\/name$/);
    await expect(loadModel(42 as unknown as string)).rejects.toThrow(ConfigError);
  });
});

describe('the pieces a page uses in place of node:crypto and node:path', () => {
  it('sha256Hex agrees with node:crypto on any bytes, across the 55/56/64-byte padding edges', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    }));
  });

  it('pathInside accepts exactly the relative paths that stay inside, normalised as node:path does', () => {
    const step = fc.constantFrom('a', 'b.bin', '.', '..', '', 'c');
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 6 }), fc.boolean(), (steps, absolute) => {
      const path = `${absolute ? '/' : ''}${steps.join('/')}`;
      // A trailing slash names no file: 'a/' is 'a', './' is '.' (node:path keeps the slash).
      const n = normalize(path).replace(/\/$/, '');
      const inside = !isAbsolute(path) && path !== '' && n !== '.' && !n.startsWith('..') ? n : undefined;
      expect(pathInside(path)).toBe(inside);
    }));
  });
});

it('backendInfo says Node, the WebAssembly GEMM and its worker_threads', () => {
  expect(backendInfo()).toMatchObject({ platform: 'node', simd: true });
  expect(backendInfo().why).toMatch(/^(\d+ threads? \(worker_threads|one thread)/);
});
