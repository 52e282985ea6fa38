import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Activation, Add, DepthwiseConv2D, FileError, AveragePooling2D, BatchNormalization, Concatenate, Conv2D, Dense, Dropout, Flatten, Functional, GlobalAveragePooling2D,
  LayerNormalization, MaxPooling2D, ReLU, Reshape, Sequential, input, model, randomUniform,
} from 'semiflow';
import type { Tensor } from 'semiflow';
import { loadOnnxFile, saveOnnx } from 'semiflow/node';
import { loadOnnx, toOnnx, UnsupportedOnnxError } from 'semiflow/onnx';
import { expectClose, mnistImages, predictOne, scrambleWeights } from './onnx-oracle.ts';

// What toOnnx writes, loaded back by loadOnnx: the same predictions, and a Sequential for a chain.

function roundTrip(net: Sequential | Functional, x: Tensor): Sequential | Functional {
  const back = loadOnnx(toOnnx(net)) as Sequential | Functional;
  expectClose(predictOne(back, x).data as Float32Array, predictOne(net, x));
  return back;
}

describe('loadOnnx(toOnnx(model))', () => {
  it('an MLP comes back as a Sequential of Dense layers with their activations', () => {
    const net = new Sequential({ seed: 1 });
    net.add(new Flatten({ inputShape: [28, 28, 1] }));
    net.add(new Dense(64, { activation: 'relu' }));
    net.add(new Dropout(0.5));
    net.add(new Dense(10, { activation: 'softmax' }));
    scrambleWeights(net, 3);
    const back = roundTrip(net, mnistImages(32));
    expect(back).toBeInstanceOf(Sequential);
    expect(back.layers.map((l) => l.constructor.name)).toEqual(['InputLayer', 'Flatten', 'Dense', 'Dense']);
    expect(back.layers.map((l) => (l instanceof Dense ? l.activation.name : ''))).toEqual(['', '', 'relu', 'softmax']);
  });

  it('the bench CNN comes back layer for layer: the transposes around the convolutions only relabel the layout', () => {
    const net = new Sequential({ seed: 2 });
    net.add(new Conv2D(8, 3, { activation: 'relu', inputShape: [28, 28, 1] }));
    net.add(new MaxPooling2D(2));
    net.add(new Conv2D(16, 3, { activation: 'relu', padding: 'same' }));
    net.add(new MaxPooling2D(2));
    net.add(new Flatten());
    net.add(new Dense(10, { activation: 'softmax' }));
    scrambleWeights(net, 5);
    const back = roundTrip(net, mnistImages(32));
    expect(back.layers.map((l) => l.constructor.name)).toEqual(['InputLayer', 'Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense']);
  });

  it('a residual CNN with BatchNormalization comes back as a functional model', () => {
    const x = input({ shape: [28, 28, 1], name: 'image' });
    const stem = new Conv2D(8, 3, { padding: 'same', activation: 'relu' }).apply(x);
    const branch = new BatchNormalization().apply(new Conv2D(8, 3, { padding: 'same', strides: 1, dilationRate: 2 }).apply(stem));
    const sum = new Activation('relu').apply(new Add().apply([stem, branch]));
    const joined = new Concatenate().apply([new MaxPooling2D(2).apply(sum), new AveragePooling2D(2).apply(sum)]);
    const features = new GlobalAveragePooling2D().apply(joined);
    const flat = new Reshape([4, 4]).apply(new Flatten().apply(new Conv2D(1, 3, { strides: 3 }).apply(joined)));
    const both = new Concatenate().apply([features, new Flatten().apply(new LayerNormalization().apply(flat))]);
    const out = new Dense(10, { activation: 'softmax' }).apply(new BatchNormalization().apply(both));
    const net = model({ inputs: x, outputs: out, seed: 4 });
    scrambleWeights(net, 11);
    expect(roundTrip(net, mnistImages(16))).toBeInstanceOf(Functional);
  });

  it('an unsupported op is an UnsupportedOnnxError naming each op and its nodes', () => {
    const net = new Sequential({ layers: [new Dense(3, { inputShape: [2] }), new ReLU({ threshold: 0.5, name: 'shifted' })] });
    const bytes = toOnnx(net);
    expect(() => loadOnnx(bytes)).toThrow(UnsupportedOnnxError);
    expect(() => loadOnnx(bytes)).toThrow(/unsupported ONNX ops: Greater \(node shifted\/Greater\); Where \(node shifted\/Where\)/);
  });
});

describe('saveOnnx and loadOnnxFile (semiflow/node)', () => {
  it('write the file atomically and read it back to the same predictions; a missing file is a FileError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'semiflow-onnx-'));
    try {
      const net = new Sequential({ seed: 6, layers: [new Dense(5, { inputShape: [4], activation: 'tanh' }), new Dense(2)] });
      scrambleWeights(net, 2);
      const path = join(dir, 'net.onnx');
      await saveOnnx(net, path);
      expect(readdirSync(dir)).toEqual(['net.onnx']);
      const x = randomUniform([3, 4], { min: -1, max: 1, seed: 1 });
      expectClose(predictOne(await loadOnnxFile(path) as Sequential, x).data as Float32Array, predictOne(net, x));
      await expect(loadOnnxFile(join(dir, 'none.onnx'))).rejects.toThrow(FileError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadOnnx of a depthwise convolution', () => {
  it('comes back as a grouped Conv2D (one group per channel), predicting the same', () => {
    const net = new Sequential({ seed: 12 });
    net.add(new Conv2D(3, 3, { inputShape: [28, 28, 1], strides: 2 }));
    net.add(new DepthwiseConv2D(3, { depthMultiplier: 2, padding: 'same', activation: 'relu' }));
    net.add(new GlobalAveragePooling2D());
    scrambleWeights(net, 19);
    const back = roundTrip(net, mnistImages(8));
    const grouped = back.layers[2] as Conv2D;
    expect([grouped.constructor.name, grouped.groups, grouped.filters]).toEqual(['Conv2D', 3, 6]);
  });
});
