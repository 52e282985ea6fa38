// Test helpers for ONNX: run bytes in onnxruntime-web (the oracle) and compare with semiflow's predict.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { expect } from 'vitest';
import { Sequential, Tensor, randomUniform, slice, tensor } from 'semiflow';
import type { Functional, Model } from 'semiflow';
import { loadMnist } from 'semiflow/node';
import { loadOnnx, toOnnx } from 'semiflow/onnx';

ort.env.wasm.numThreads = 1;

/** The model's outputs for the named inputs, computed by ONNX Runtime. */
export async function runOrt(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(bytes);
  const inputs = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor('float32', Float32Array.from(t.data), t.shape)]));
  const out = await session.run(inputs);
  return session.outputNames.map((n) => out[n].data as Float32Array);
}

/** Every element of ORT's output within `tol` of predict's (absolute, on values of order 1). */
export function expectClose(actual: Float32Array, expected: Tensor, tol = 1e-5): void {
  const want = expected.data;
  expect(actual.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(actual[i] - want[i]));
  expect(worst).toBeLessThan(tol);
}

let mnist: Tensor | undefined;

/** The first n MNIST test images, [n, 28, 28, 1] in [0, 1]. */
export function mnistImages(n: number): Tensor {
  mnist ??= loadMnist({ trainSize: 1, testSize: 64 }).test.images;
  return slice(mnist, [0, 0, 0, 0], [n, 28, 28, 1]);
}

/** Draws biases, BatchNormalization's statistics and gamma/beta anew (seeded), so none is the identity its initializer makes. */
export function scrambleWeights(model: Model, seed: number): void {
  const weights = model.layers.flatMap((l) => l.weights);
  model.setWeights(weights.map((w, i) => {
    if (/gamma|variance/.test(w.name)) return randomUniform(w.shape, { min: 0.5, max: 1.5, seed: seed + i });
    if (/bias|beta|mean|alpha/.test(w.name)) return randomUniform(w.shape, { min: -0.3, max: 0.3, seed: seed + i });
    return w.value;
  }));
}

export function predictOne(model: Sequential | Functional, x: Tensor): Tensor {
  return model.predict(x, { verbose: 0 }) as Tensor;
}

/** The name of a one-input model's input, as toOnnx names the graph input. */
export const inputName = (net: Sequential | Functional): string => (net instanceof Sequential ? net.layers[0].name : net.inputs[0].operationName);

/** A one-input model exported, run in ONNX Runtime and loaded back: both predict what it predicts; gives the loaded one. */
export async function expectOrtAndBack(net: Sequential | Functional, x: Tensor): Promise<Sequential | Functional> {
  const bytes = toOnnx(net);
  const [y] = await runOrt(bytes, { [inputName(net)]: x });
  expectClose(y, predictOne(net, x));
  const back = loadOnnx(bytes) as Sequential | Functional;
  expectClose(predictOne(back, x).data as Float32Array, predictOne(net, x));
  return back;
}

// PyTorch fixtures (scripts/torch-onnx-fixtures.py): an .onnx file and a .json of a seeded input and its output.

export interface TorchFixture {
  bytes: Uint8Array;
  x: Tensor;
  y: Tensor;
}

export function torchFixture(name: string): TorchFixture {
  const dir = new URL('./fixtures/onnx/', import.meta.url);
  const io = JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as { x: number[]; xShape: number[]; y: number[]; yShape: number[] };
  return { bytes: new Uint8Array(readFileSync(new URL(`${name}.onnx`, dir))), x: tensor(io.x, io.xShape), y: tensor(io.y, io.yShape) };
}

/** Imported, it predicts what PyTorch computed; exported again, ONNX Runtime agrees with it. */
export async function expectTorchRoundTrip(name: string): Promise<Sequential | Functional> {
  const { bytes, x, y } = torchFixture(name);
  const net = loadOnnx(bytes) as Sequential | Functional;
  const mine = predictOne(net, x);
  expectClose(mine.data as Float32Array, y);
  const [again] = await runOrt(toOnnx(net), { [inputName(net)]: x });
  expectClose(again, mine);
  return net;
}
