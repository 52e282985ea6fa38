import { describe, expect, it } from 'vitest';
import { Bidirectional, ConfigError, Dense, Embedding, Functional, GRU, LSTM, Sequential, SimpleRNN, input, randomUniform, tensor } from 'semiflow';
import type { Tensor } from 'semiflow';
import { loadOnnx, toOnnx } from 'semiflow/onnx';
import { expectClose, predictOne, runOrt, scrambleWeights } from './onnx-oracle.ts';

// Recurrent layers as ONNX's RNN, LSTM and GRU ops, run in ONNX Runtime on synthetic sequences against predict.

async function compare(net: Sequential, x: Tensor): Promise<void> {
  scrambleWeights(net, 9);
  const [y] = await runOrt(toOnnx(net), { [net.layers[0].name]: x });
  expectClose(y, predictOne(net, x));
}

const sequences = (batch: number, time: number, features: number, seed: number): Tensor =>
  randomUniform([batch, time, features], { min: -1.5, max: 1.5, seed });

describe('recurrent layers against onnxruntime-web', () => {
  it('LSTM (gates i,f,c,o reordered to i,o,f,c) with its last output, then Dense', async () => {
    const net = new Sequential({ seed: 1 });
    net.add(new LSTM(7, { inputShape: [6, 4] }));
    net.add(new Dense(3, { activation: 'softmax' }));
    await compare(net, sequences(5, 6, 4, 1));
  });

  it('GRU with resetAfter (linear_before_reset 1), then GRU without it reading backwards, then SimpleRNN', async () => {
    const net = new Sequential({ seed: 2 });
    net.add(new GRU(5, { inputShape: [7, 3], returnSequences: true }));
    net.add(new GRU(4, { resetAfter: false, goBackwards: true, returnSequences: true, recurrentActivation: 'hardSigmoidTfjs' }));
    net.add(new SimpleRNN(3, { activation: 'relu', goBackwards: true, returnSequences: true }));
    net.add(new LSTM(2, { goBackwards: true }));
    await compare(net, sequences(4, 7, 3, 2));
  });

  it('Bidirectional LSTM and GRU in every merge mode', async () => {
    const net = new Sequential({ seed: 3 });
    net.add(new Bidirectional(new LSTM(4, { returnSequences: true }), { inputShape: [5, 3] }));
    net.add(new Bidirectional(new GRU(3, { returnSequences: true }), { mergeMode: 'sum' }));
    net.add(new Bidirectional(new SimpleRNN(3, { returnSequences: true }), { mergeMode: 'mul' }));
    net.add(new Bidirectional(new GRU(2, { resetAfter: false }), { mergeMode: 'ave' }));
    await compare(net, sequences(3, 5, 3, 3));
  });

  it('an Embedding + LSTM text model on synthetic ids', async () => {
    const net = new Sequential({ seed: 4 });
    net.add(new Embedding(20, 8, { inputShape: [9] }));
    net.add(new LSTM(6));
    net.add(new Dense(2, { activation: 'softmax' }));
    const ids = tensor(Array.from({ length: 6 * 9 }, (_, i) => (i * 7 + 3) % 20), [6, 9]);
    await compare(net, ids);
  });

  it('a Bidirectional whose backward layer is configured differently is a ConfigError', () => {
    const odd = new Sequential({ layers: [new Bidirectional(new LSTM(2), { inputShape: [3, 2], backwardLayer: new LSTM(2, { goBackwards: true, activation: 'relu' }) })] });
    expect(() => toOnnx(odd)).toThrow(ConfigError);
    expect(() => toOnnx(odd)).toThrow(/Bidirectional\) needs a forward layer and a backward copy/);
  });
});

describe('recurrent layers through loadOnnx(toOnnx(model))', () => {
  const back = (net: Sequential, x: Tensor): Sequential => {
    scrambleWeights(net, 13);
    const again = loadOnnx(toOnnx(net)) as Sequential;
    expectClose(predictOne(again, x).data as Float32Array, predictOne(net, x));
    return again;
  };

  it('LSTM, GRU (both resets), SimpleRNN, goBackwards: the same layers, predicting the same', () => {
    const net = new Sequential({ seed: 2 });
    net.add(new GRU(5, { inputShape: [7, 3], returnSequences: true }));
    net.add(new GRU(4, { resetAfter: false, goBackwards: true, returnSequences: true, recurrentActivation: 'hardSigmoidTfjs' }));
    net.add(new SimpleRNN(3, { activation: 'relu', goBackwards: true, returnSequences: true }));
    net.add(new LSTM(4, { returnSequences: true }));
    net.add(new LSTM(2, { goBackwards: true }));
    const again = back(net, sequences(4, 7, 3, 2));
    expect(again.layers.map((l) => l.constructor.name)).toEqual(['InputLayer', 'GRU', 'GRU', 'SimpleRNN', 'LSTM', 'LSTM']);
  });

  it('Bidirectional (concat) and an Embedding + LSTM text model', () => {
    const net = new Sequential({ seed: 4 });
    net.add(new Embedding(20, 8, { inputShape: [9] }));
    net.add(new Bidirectional(new LSTM(3, { returnSequences: true })));
    net.add(new Bidirectional(new GRU(3)));
    net.add(new Dense(2, { activation: 'softmax' }));
    const ids = tensor(Array.from({ length: 6 * 9 }, (_, i) => (i * 7 + 3) % 20), [6, 9]);
    const again = back(net, ids);
    expect(again.layers.map((l) => l.constructor.name)).toEqual(['InputLayer', 'Embedding', 'Bidirectional', 'Bidirectional', 'Dense']);
  });

  it('Bidirectional in every merge mode, over sequences and last outputs: the same merge modes back', () => {
    const net = new Sequential({ seed: 5 });
    net.add(new Bidirectional(new GRU(4, { returnSequences: true }), { inputShape: [5, 3], mergeMode: 'sum' }));
    net.add(new Bidirectional(new SimpleRNN(3, { returnSequences: true }), { mergeMode: 'mul' }));
    net.add(new Bidirectional(new LSTM(3, { returnSequences: true }), { mergeMode: 'ave' }));
    net.add(new Bidirectional(new GRU(3, { returnSequences: true, resetAfter: false }), { mergeMode: 'concat' }));
    net.add(new Bidirectional(new LSTM(2), { mergeMode: 'sum' }));
    const again = back(net, sequences(3, 5, 3, 5));
    expect(again.layers.slice(1).map((l) => (l as Bidirectional).mergeMode)).toEqual(['sum', 'mul', 'ave', 'concat', 'sum']);
    for (const mergeMode of ['mul', 'ave'] as const) {
      const last = new Sequential({ seed: 6, layers: [new Bidirectional(new LSTM(3), { inputShape: [4, 2], mergeMode })] });
      expect((back(last, sequences(2, 4, 2, 6)).layers[1] as Bidirectional).mergeMode).toBe(mergeMode);
    }
  });

  it('Bidirectional with mergeMode null: two outputs (a Split of the direction axis) in ONNX Runtime and back', async () => {
    const x = input({ shape: [5, 3], name: 'x' });
    const [fw, bw] = new Bidirectional(new GRU(4, { returnSequences: true }), { mergeMode: null }).apply(x);
    const [fwLast, bwLast] = new Bidirectional(new LSTM(2), { mergeMode: null }).apply(bw);
    const net = new Functional({ inputs: [x], outputs: [fw, fwLast, bwLast], seed: 7 });
    scrambleWeights(net, 7);
    const xs = sequences(3, 5, 3, 7);
    const want = net.predict(xs, { verbose: 0 }) as Tensor[];
    const bytes = toOnnx(net);
    (await runOrt(bytes, { x: xs })).forEach((y, i) => expectClose(y, want[i]));
    const again = loadOnnx(bytes) as Functional;
    (again.predict(xs, { verbose: 0 }) as Tensor[]).forEach((y, i) => expectClose(y.data as Float32Array, want[i]));
    expect(again.layers.filter((l) => l instanceof Bidirectional).map((l) => (l as Bidirectional).mergeMode)).toEqual([null, null]);
  });
});
