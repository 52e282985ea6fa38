import { describe, expect, it } from 'vitest';
import {
  Activation, Add, AveragePooling2D, BatchNormalization, Concatenate, Conv2D, Dense, Dropout, Flatten, GlobalAveragePooling2D,
  ConfigError, GlobalMaxPooling2D, LayerNormalization, MaxPooling2D, PReLU, Conv2DTranspose, Reshape, Masking, LSTM, ZeroPadding2D, Cropping2D, UpSampling2D, DepthwiseConv2D, RepeatVector, SeparableConv2D, Sequential, input, model, mul,
  Embedding, GRU, TimeDistributed, reshape,
} from 'semiflow';
import { loadOnnx, toOnnx } from 'semiflow/onnx';
import { create } from '@bufbuild/protobuf';
import { TensorProtoSchema } from 'onnx-buf';
import type { ModelProto } from 'onnx-buf';
import { expectClose, expectOrtAndBack, mnistImages, predictOne, runOrt, scrambleWeights } from './onnx-oracle.ts';
import { edited } from './onnx-edit.ts';

// Each model exported, run in ONNX Runtime on real MNIST images and compared with predict.

describe('toOnnx against onnxruntime-web on MNIST', () => {
  it('an MLP (Flatten, Dense relu/tanh, Dropout, softmax)', async () => {
    const net = new Sequential({ seed: 1 });
    net.add(new Flatten({ inputShape: [28, 28, 1] }));
    net.add(new Dense(64, { activation: 'relu' }));
    net.add(new Dropout(0.5));
    net.add(new Dense(32, { activation: 'tanh' }));
    net.add(new Dense(10, { activation: 'softmax' }));
    scrambleWeights(net, 3);
    const x = mnistImages(32);
    const [y] = await runOrt(toOnnx(net), { [net.layers[0].name]: x });
    expectClose(y, predictOne(net, x));
  });

  it("the bench CNN (Conv2D relu, MaxPooling2D, Flatten after the transpose back, Dense)", async () => {
    const net = new Sequential({ seed: 2 });
    net.add(new Conv2D(8, 3, { activation: 'relu', inputShape: [28, 28, 1] }));
    net.add(new MaxPooling2D(2));
    net.add(new Conv2D(16, 3, { activation: 'relu' }));
    net.add(new MaxPooling2D(2));
    net.add(new Flatten());
    net.add(new Dense(32, { activation: 'relu' }));
    net.add(new Dense(10, { activation: 'softmax' }));
    scrambleWeights(net, 5);
    const x = mnistImages(32);
    const [y] = await runOrt(toOnnx(net), { [net.layers[0].name]: x });
    expectClose(y, predictOne(net, x));
  });

  it("convolutions with 'same' padding, strides, dilation and groups, and both pools with 'same'", async () => {
    const net = new Sequential({ seed: 3 });
    net.add(new Conv2D(4, 3, { padding: 'same', strides: 2, inputShape: [28, 28, 1], activation: 'elu' }));
    net.add(new Conv2D(6, [2, 3], { padding: 'same', dilationRate: 2, groups: 2, activation: 'gelu' }));
    net.add(new MaxPooling2D(3, { strides: 2, padding: 'same' }));
    net.add(new AveragePooling2D(2, { padding: 'same' }));
    net.add(new Conv2D(4, 2, { padding: 'valid', useBias: false, activation: 'swish' }));
    net.add(new GlobalMaxPooling2D());
    scrambleWeights(net, 7);
    const x = mnistImages(16);
    const [y] = await runOrt(toOnnx(net), { [net.layers[0].name]: x });
    expectClose(y, predictOne(net, x));
  });

  it("Conv2DTranspose with 'same' and 'valid', kernels larger, smaller and odd against the stride, with and without bias, and back through loadOnnx", async () => {
    const net = new Sequential({ seed: 4 });
    net.add(new Conv2D(3, 3, { strides: 2, inputShape: [28, 28, 1] }));
    net.add(new Conv2DTranspose(4, 3, { strides: 2, padding: 'same', activation: 'relu' }));
    net.add(new Conv2DTranspose(3, [4, 2], { strides: [2, 3], padding: 'valid' }));
    net.add(new Conv2DTranspose(2, 2, { strides: 3, padding: 'same', useBias: false, activation: 'tanh' }));
    net.add(new MaxPooling2D(4));
    net.add(new Conv2DTranspose(2, 1, { strides: 2, padding: 'valid' }));
    net.add(new Flatten());
    scrambleWeights(net, 9);
    const back = await expectOrtAndBack(net, mnistImages(8));
    // With a kernel no larger than the stride, 'same' and 'valid' are one operation; the importer reads it as 'same'.
    expect(back.layers.map((l) => l.getConfig().padding)).toEqual([undefined, 'valid', 'same', 'valid', 'same', 'valid', 'same', undefined]);
  });

  it('a residual CNN with BatchNormalization (functional, Add, Concatenate, LayerNormalization, Reshape)', async () => {
    const x = input({ shape: [28, 28, 1], name: 'image' });
    const stem = new Conv2D(8, 3, { padding: 'same', activation: 'relu' }).apply(x);
    const branch = new BatchNormalization().apply(new Conv2D(8, 3, { padding: 'same' }).apply(stem));
    const sum = new Activation('relu').apply(new Add().apply([stem, branch]));
    const pooled = new MaxPooling2D(2).apply(sum);
    const joined = new Concatenate().apply([pooled, new AveragePooling2D(2).apply(sum)]);
    const features = new GlobalAveragePooling2D().apply(joined);
    const flat = new Reshape([4, 4]).apply(new Flatten().apply(new Conv2D(1, 3, { strides: 3 }).apply(joined)));
    const normed = new Flatten().apply(new LayerNormalization().apply(flat));
    const both = new Concatenate().apply([features, new BatchNormalization().apply(normed)]);
    const out = new Dense(10, { activation: 'softmax', name: 'digits' }).apply(both);
    const net = model({ inputs: x, outputs: out, seed: 4 });
    scrambleWeights(net, 11);
    const images = mnistImages(32);
    const bytes = toOnnx(net);
    const [y] = await runOrt(bytes, { image: images });
    expectClose(y, predictOne(net, images));
  });
});

describe('toOnnx of the image-geometry layers', () => {
  it('ZeroPadding2D, DepthwiseConv2D, Cropping2D, SeparableConv2D, UpSampling2D, PReLU and RepeatVector against onnxruntime-web, and back through loadOnnx', async () => {
    const net = new Sequential({ seed: 8 });
    net.add(new Conv2D(3, 3, { inputShape: [28, 28, 1], strides: 2 }));
    net.add(new ZeroPadding2D([[1, 2], [0, 3]]));
    net.add(new DepthwiseConv2D(3, { depthMultiplier: 2, padding: 'same', activation: 'relu' }));
    net.add(new Cropping2D([[2, 1], [3, 0]]));
    net.add(new SeparableConv2D(4, [3, 2], { depthMultiplier: 2, padding: 'same', activation: 'tanh' }));
    net.add(new UpSampling2D([2, 1]));
    net.add(new PReLU({ sharedAxes: [1, 2] }));
    net.add(new MaxPooling2D(4));
    net.add(new Flatten());
    net.add(new Dense(5));
    net.add(new PReLU());
    net.add(new RepeatVector(3));
    scrambleWeights(net, 17);
    // And back: the depthwise convolutions as grouped Conv2D layers, the rest as themselves; the transposes only relabel.
    const back = await expectOrtAndBack(net, mnistImages(8));
    expect(back.layers.map((l) => l.constructor.name)).toEqual([
      'InputLayer', 'Conv2D', 'ZeroPadding2D', 'Conv2D', 'Cropping2D', 'Conv2D', 'Conv2D', 'UpSampling2D', 'PReLU',
      'MaxPooling2D', 'Flatten', 'Dense', 'PReLU', 'RepeatVector',
    ]);
  });
});

describe('toOnnx of TimeDistributed', () => {
  it('convolutions, pools and Flatten over the steps (steps as rows, then back), a Dense as a MatMul on the last axis, and back through loadOnnx', async () => {
    const net = new Sequential({ seed: 41 });
    net.add(new TimeDistributed(new Conv2D(3, 3, { strides: 2, activation: 'relu' }), { inputShape: [4, 28, 28, 1] }));
    net.add(new TimeDistributed(new MaxPooling2D(2)));
    net.add(new TimeDistributed(new Flatten()));
    net.add(new TimeDistributed(new Dense(8, { activation: 'tanh' })));
    net.add(new LSTM(5));
    net.add(new Dense(3, { activation: 'softmax' }));
    scrambleWeights(net, 43);
    // And back: the Reshapes around each wrapped layer become TimeDistributed again; the Dense reads the last axis.
    const back = await expectOrtAndBack(net, reshape(mnistImages(8), [2, 4, 28, 28, 1]));
    expect(back.layers.map((l) => (l instanceof TimeDistributed ? `TimeDistributed(${l.layer.constructor.name})` : l.constructor.name))).toEqual([
      'InputLayer', 'TimeDistributed(Conv2D)', 'TimeDistributed(MaxPooling2D)', 'TimeDistributed(Flatten)', 'Dense', 'LSTM', 'Dense',
    ]);
    // Rows of steps never brought back are refused by the Reshape that made them.
    const flat = new Sequential({ layers: [new TimeDistributed(new Flatten(), { inputShape: [4, 3, 2] })] });
    const merged = edited(toOnnx(flat), (m) => {
      const graph = m.graph as NonNullable<ModelProto['graph']>;
      const shape = graph.node.filter((n) => n.opType === 'Reshape')[1].input[1];
      graph.initializer[graph.initializer.findIndex((t) => t.name === shape)] = create(TensorProtoSchema, { name: shape, dataType: 7, dims: [2n], int64Data: [-1n, 6n] });
    });
    expect(() => loadOnnx(merged)).toThrow(/node time_distributed_\d+\/Reshape \(Reshape\) merges the batch axis with the time steps/);
  });
});

describe('toOnnx refusals', () => {
  it('Masking and an Embedding with maskZero are ConfigErrors saying that ONNX recurrent ops take no mask', () => {
    const masked = new Sequential({ layers: [new Masking({ inputShape: [3, 2], name: 'masking_x' }), new LSTM(2)] });
    expect(() => toOnnx(masked)).toThrow(ConfigError);
    expect(() => toOnnx(masked)).toThrow(/masking_x \(Masking\) cannot be exported: ONNX's recurrent ops take no mask \(sequence_lens only cuts padding at the end of each sequence\)/);
    const zero = new Sequential({ layers: [new Embedding(5, 2, { inputShape: [4], maskZero: true, name: 'words' }), new GRU(2)] });
    expect(() => toOnnx(zero)).toThrow(/words \(Embedding\) cannot be exported with maskZero: ONNX's recurrent ops take no mask/);
  });

  it('a layer with no ONNX form is a ConfigError naming the layer and its class', () => {
    // A subclass may compute something else than its base, so only the exact classes export.
    class Wider extends Dense {}
    const net = new Sequential({ layers: [new Wider(2, { inputShape: [3], name: 'wide' })] });
    expect(() => toOnnx(net)).toThrow(/wide \(Wider\) cannot be exported: no ONNX form for this layer class yet/);
  });

  it("a user's activation function is a ConfigError naming the layer and the activation", () => {
    const net = new Sequential();
    net.add(new Dense(4, { inputShape: [3], name: 'odd', activation: function cube(x) { return mul(mul(x, x), x); } }));
    expect(() => toOnnx(net)).toThrow(/odd: the activation 'cube' cannot be exported/);
  });

  it('an unbuilt model and an opset below 17 are ConfigErrors', () => {
    const net = new Sequential();
    net.add(new Dense(4));
    expect(() => toOnnx(net)).toThrow(/not built/);
    const built = new Sequential({ layers: [new Dense(2, { inputShape: [2] })] });
    expect(() => toOnnx(built, { opset: 13 })).toThrow(/opset must be an integer >= 17/);
  });
});
