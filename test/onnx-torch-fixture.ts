// The fixtures of scripts/torch-onnx-fixtures.py: a model exported by PyTorch, a seeded input batch and PyTorch's output.
import { readFileSync } from 'node:fs';
import { Sequential, tensor } from 'semiflow';
import type { Functional, Tensor } from 'semiflow';
import { loadOnnx, toOnnx } from 'semiflow/onnx';
import { expectClose, predictOne, runOrt } from './onnx-oracle.ts';

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

/** Imported, it predicts what PyTorch computed (to 1e-5); exported again, ONNX Runtime agrees with it. */
export async function torchRoundTrip(name: string): Promise<Sequential | Functional> {
  const { bytes, x, y } = torchFixture(name);
  const net = loadOnnx(bytes) as Sequential | Functional;
  const mine = predictOne(net, x);
  expectClose(mine.data as Float32Array, y);
  const [again] = await runOrt(toOnnx(net), { [net instanceof Sequential ? net.layers[0].name : net.inputs[0].operationName]: x });
  expectClose(again, mine);
  return net;
}
