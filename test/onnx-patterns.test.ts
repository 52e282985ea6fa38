import { create } from '@bufbuild/protobuf';
import { TensorProtoSchema } from 'onnx-buf';
import type { ModelProto } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { Activation, AveragePooling2D, BatchNormalization, ConfigError, Conv2D, Dense, Flatten, Sequential, randomUniform } from 'semiflow';
import type { Functional } from 'semiflow';
import { loadOnnx, toOnnx } from 'semiflow/onnx';
import { expectClose, expectOrtAndBack, expectTorchRoundTrip, mnistImages, predictOne, runOrt, scrambleWeights } from './onnx-oracle.ts';
import { edited } from './onnx-edit.ts';

// Activations exported as several nodes, and the pooling pads PyTorch writes, read back as semiflow layers.

const describeLayer = (l: { constructor: { name: string } }): string => {
  const activation = (l as { activation?: { name: string } }).activation?.name;
  return activation === undefined || activation === 'linear' ? l.constructor.name : `${l.constructor.name}:${activation}`;
};

describe('activation patterns through loadOnnx', () => {
  it("toOnnx's gelu, tanh-gelu, swish, mish and hard sigmoids come back as the same activations, folded into their layers", async () => {
    const net = new Sequential({ seed: 21 });
    net.add(new Conv2D(3, 3, { strides: 2, inputShape: [28, 28, 1], activation: 'gelu' }));
    net.add(new Conv2D(4, 3, { strides: 2, activation: 'swish' }));
    net.add(new Activation('mish'));
    net.add(new Flatten());
    net.add(new Dense(8, { activation: 'geluApproximate' }));
    net.add(new Activation('gelu'));
    net.add(new Dense(6, { activation: 'hardSigmoid' }));
    net.add(new Dense(5, { activation: 'mish' }));
    net.add(new Activation('hardSigmoidTfjs'));
    net.add(new Activation('swish'));
    scrambleWeights(net, 23);
    const back = await expectOrtAndBack(net, mnistImages(8));
    expect(back.layers.map(describeLayer)).toEqual([
      'InputLayer', 'Conv2D:gelu', 'Conv2D:swish', 'Activation:mish', 'Flatten', 'Dense:geluApproximate', 'Activation:gelu',
      'Dense:hardSigmoid', 'Dense:mish', 'Activation:hardSigmoidTfjs', 'Activation:swish',
    ]);
  });

  it("PyTorch's GELU (erf and tanh), SiLU, Mish, Hardswish, Hardsigmoid, AvgPool2d with counted pads, BatchNorm1d and LayerNorm", async () => {
    const net = (await expectTorchRoundTrip('torch-patterns')) as Functional;
    expect(net.layers.map(describeLayer)).toEqual([
      'Permute', 'Conv2D:gelu', 'ZeroPadding2D', 'AveragePooling2D', 'Conv2D:swish', 'Activation:mish', 'AveragePooling2D',
      'Activation:hardSigmoid', 'Multiply', 'MaxPooling2D', 'Permute', 'Flatten', 'Dense', 'BatchNormalization', 'Activation:geluApproximate',
      'Dense', 'LayerNormalization', 'Activation:hardSigmoid', 'Dense',
    ]);
    // count_include_pad=0 with the pads of 'same': semiflow's 'same' average leaves the padding out too.
    expect(net.layers.flatMap((l) => (l instanceof AveragePooling2D ? [l.padding] : []))).toEqual(['valid', 'same']);
  });

  it('a Relu before a gelu stays its own layer, and a HardSigmoid with other constants than semiflow\'s is refused', async () => {
    const net = new Sequential({ seed: 29, layers: [new Activation('relu', { inputShape: [6] }), new Activation('gelu'), new Dense(3, { activation: 'hardSigmoid', name: 'hs' })] });
    scrambleWeights(net, 29);
    const back = await expectOrtAndBack(net, randomUniform([5, 6], { min: -3, max: 3, seed: 2 }));
    expect(back.layers.map(describeLayer)).toEqual(['InputLayer', 'Activation:relu', 'Activation:gelu', 'Dense:hardSigmoid']);
    const other = edited(toOnnx(net), (m) => {
      const alpha = m.graph?.node.find((n) => n.opType === 'HardSigmoid')?.attribute.find((a) => a.name === 'alpha');
      if (alpha === undefined) throw new Error('no HardSigmoid alpha');
      alpha.f = 0.25;
    });
    expect(() => loadOnnx(other)).toThrow(/node hs\/HardSigmoid \(HardSigmoid\) has attributes semiflow has no activation for: alpha, beta/);
  });

  it('nodes that compute no activation semiflow has are refused, naming the node', () => {
    const net = new Sequential({ layers: [new Dense(3, { inputShape: [2], activation: 'gelu', name: 'g' })] });
    // gelu with x/√2 changed to 0.6·x is no activation of semiflow's.
    const bytes = edited(toOnnx(net), (m) => {
      const graph = m.graph as NonNullable<ModelProto['graph']>;
      const erf = graph.node.find((n) => n.opType === 'Erf');
      const scale = graph.node.find((n) => n.output[0] === erf?.input[0])?.input[1];
      const at = graph.initializer.findIndex((t) => t.name === scale);
      graph.initializer[at] = create(TensorProtoSchema, { name: scale, dataType: 1, floatData: [0.6] });
    });
    expect(() => loadOnnx(bytes)).toThrow(ConfigError);
    expect(() => loadOnnx(bytes)).toThrow(/nodes g\/Mul \(Mul\), g\/Erf \(Erf\), .* compute no activation semiflow has \(gelu, .*\); Erf is imported only as part of one/);
  });
});

describe('AveragePool pads through loadOnnx', () => {
  const pooled = (): { net: Sequential; bytes: Uint8Array } => {
    const net = new Sequential({ seed: 25 });
    net.add(new Conv2D(2, 3, { strides: 2, inputShape: [28, 28, 1] }));
    net.add(new AveragePooling2D(3, { strides: 1, padding: 'same' }));
    net.add(new Flatten());
    scrambleWeights(net, 27);
    return { net, bytes: toOnnx(net) };
  };
  const setPool = (bytes: Uint8Array, name: string, value: number[] | number): Uint8Array => edited(bytes, (m) => {
    const pool = m.graph?.node.find((n) => n.opType === 'AveragePool');
    const a = pool?.attribute.find((x) => x.name === name);
    if (a === undefined) throw new Error(`no ${name} to edit`);
    if (Array.isArray(value)) a.ints = value.map(BigInt);
    else a.i = BigInt(value);
  });

  it("count_include_pad=1 (PyTorch's default) becomes ZeroPadding2D then a 'valid' pool, as ONNX Runtime computes it", async () => {
    const { bytes } = pooled();
    const x = mnistImages(4);
    const withCount = edited(bytes, (m) => {
      const pool = m.graph?.node.find((n) => n.opType === 'AveragePool');
      const template = pool?.attribute.find((a) => a.name === 'kernel_shape');
      if (pool === undefined || template === undefined) throw new Error('no AveragePool');
      pool.attribute.push({ ...template, name: 'count_include_pad', type: 2, ints: [], i: 1n });
    });
    const back = loadOnnx(withCount) as Sequential;
    expect(back.layers.map((l) => l.constructor.name)).toEqual(['InputLayer', 'Conv2D', 'ZeroPadding2D', 'AveragePooling2D', 'Flatten']);
    const [y] = await runOrt(withCount, { [back.layers[0].name]: x });
    expectClose(y, predictOne(back, x));
  });

  it("uncounted pads that are not 'same' are refused, naming the node", () => {
    const bytes = setPool(pooled().bytes, 'pads', [1, 1, 0, 0]);
    expect(() => loadOnnx(bytes)).toThrow(/AveragePool\) has ceil_mode, dilations, or pads \[1,1,0,0\] that are neither 'same' nor counted/);
  });
});

describe('what else PyTorch writes', () => {
  it('x.view(x.size(0), -1) and x.view(n, c·h·w): the shape computed by Shape, Gather, Mul, Unsqueeze, Concat feeds a Reshape', async () => {
    const net = await expectTorchRoundTrip('torch-view');
    expect(net.layers.map(describeLayer)).toEqual(['InputLayer', 'Permute', 'Conv2D:relu', 'Permute', 'Reshape', 'Reshape', 'Dense']);
  });

  it('a BatchNormalization exported in training mode (batch statistics) is refused, naming the node', () => {
    const net = new Sequential({ layers: [new Dense(3, { inputShape: [2] }), new BatchNormalization({ name: 'bn' })] });
    const bytes = edited(toOnnx(net), (m) => {
      const bn = m.graph?.node.find((n) => n.opType === 'BatchNormalization');
      const template = bn?.attribute.find((a) => a.name === 'epsilon');
      if (bn === undefined || template === undefined) throw new Error('no BatchNormalization');
      bn.attribute.push({ ...template, name: 'training_mode', type: 2, f: 0, i: 1n });
    });
    expect(() => loadOnnx(bytes)).toThrow(/node bn\/BatchNormalization \(BatchNormalization\) is in training mode/);
  });
});
