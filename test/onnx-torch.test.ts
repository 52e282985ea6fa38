import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Sequential, tensor } from 'semiflow';
import type { Functional, Tensor } from 'semiflow';
import { loadOnnx, toOnnx } from 'semiflow/onnx';
import { expectClose, predictOne, runOrt } from './onnx-oracle.ts';

// Models exported by PyTorch's torch.onnx.export (scripts/torch-onnx-fixtures.py), imported into semiflow.

interface Fixture {
  bytes: Uint8Array;
  x: Tensor;
  y: Tensor;
}

function fixture(name: string): Fixture {
  const dir = new URL('./fixtures/onnx/', import.meta.url);
  const io = JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as { x: number[]; xShape: number[]; y: number[]; yShape: number[] };
  return { bytes: new Uint8Array(readFileSync(new URL(`${name}.onnx`, dir))), x: tensor(io.x, io.xShape), y: tensor(io.y, io.yShape) };
}

/** Imported, it predicts what PyTorch computed; exported again, ONNX Runtime agrees with it. */
async function roundTrip(name: string): Promise<Sequential | Functional> {
  const { bytes, x, y } = fixture(name);
  const net = loadOnnx(bytes) as Sequential | Functional;
  const mine = predictOne(net, x);
  expectClose(mine.data as Float32Array, y);
  const [again] = await runOrt(toOnnx(net), { [net instanceof Sequential ? net.layers[0].name : net.inputs[0].operationName]: x });
  expectClose(again, mine);
  return net;
}

describe('PyTorch fixtures through loadOnnx', () => {
  it('an MLP (Gemm with transB, Tanh, Sigmoid) becomes a Sequential of Dense layers', async () => {
    const net = await roundTrip('torch-mlp');
    expect(net).toBeInstanceOf(Sequential);
    expect(net.layers.map((l) => l.constructor.name)).toEqual(['InputLayer', 'Dense', 'Dense', 'Dense']);
  });

  it('a CNN on NCHW images (Conv with pads, BatchNormalization, pools, Flatten in NCHW order, softmax)', async () => {
    const net = await roundTrip('torch-cnn');
    expect(net.layers.filter((l) => l.constructor.name === 'Permute')).toHaveLength(2);
  });
});
