import { describe, expect, it } from 'vitest';
import { Sequential } from 'semiflow';
import { expectTorchRoundTrip as roundTrip } from './onnx-oracle.ts';

// Models exported by PyTorch's torch.onnx.export (scripts/torch-onnx-fixtures.py), imported into semiflow.

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
