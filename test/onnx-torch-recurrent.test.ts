import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { AttributeProtoSchema, AttributeProto_AttributeType, ModelProtoSchema } from 'onnx-buf';
import type { ModelProto, NodeProto } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { Bidirectional, ConfigError, GRU, LSTM, SimpleRNN } from 'semiflow';
import type { Functional, Sequential } from 'semiflow';
import { loadOnnx } from 'semiflow/onnx';
import { expectTorchRoundTrip, torchFixture } from './onnx-oracle.ts';

// PyTorch's batch_first recurrent models (scripts/torch-onnx-fixtures.py): zero initial states computed from the
// batch size, out[:, -1] and h_n[-1], two directions, two layers; imported, checked against PyTorch's output, and
// exported again into ONNX Runtime.

const kinds = (net: Sequential | Functional): string[] => net.layers.map((l) => l.constructor.name);

describe('PyTorch recurrent fixtures through loadOnnx', () => {
  it('nn.LSTM read at out[:, -1] then nn.Linear: an LSTM returning its last output, then Dense', async () => {
    const net = await expectTorchRoundTrip('torch-lstm-last');
    expect(kinds(net)).toEqual(['InputLayer', 'LSTM', 'Dense']);
    expect((net.layers[1] as LSTM).returnSequences).toBe(false);
  });

  it('nn.GRU returning its whole sequence: a GRU with resetAfter (linear_before_reset 1)', async () => {
    const net = await expectTorchRoundTrip('torch-gru-seq');
    const gru = net.layers[1] as GRU;
    expect(kinds(net)).toEqual(['InputLayer', 'GRU']);
    expect([gru.resetAfter, gru.returnSequences]).toEqual([true, true]);
  });

  it('nn.GRU and nn.LSTM classifiers on h_n[-1]', async () => {
    expect(kinds(await expectTorchRoundTrip('torch-gru-hn'))).toEqual(['InputLayer', 'GRU', 'Dense']);
    expect(kinds(await expectTorchRoundTrip('torch-lstm-hn'))).toEqual(['InputLayer', 'LSTM', 'Dense']);
  });

  it('a bidirectional nn.LSTM: its sequence through a Linear per step, and its concatenated last step', async () => {
    const seq = await expectTorchRoundTrip('torch-bilstm-seq');
    expect(kinds(seq)).toEqual(['InputLayer', 'Bidirectional', 'Dense']);
    expect((seq.layers[1] as Bidirectional).mergeMode).toBe('concat');
    const last = await expectTorchRoundTrip('torch-bilstm-last');
    expect(kinds(last)).toEqual(['InputLayer', 'Bidirectional', 'Reshape', 'Cropping2D', 'Reshape', 'Dense']);
  });

  it('2-layer nn.LSTM and nn.GRU (two ONNX nodes, zero states sliced per layer) and nn.RNN (tanh)', async () => {
    expect(kinds(await expectTorchRoundTrip('torch-lstm2-last'))).toEqual(['InputLayer', 'LSTM', 'LSTM', 'Dense']);
    // h_n[-1] of two layers: both layers' Y_h concatenated, the last row gathered.
    expect(kinds(await expectTorchRoundTrip('torch-gru2-hn'))).toEqual(['InputLayer', 'GRU', 'GRU', 'Dense']);
    const rnn = await expectTorchRoundTrip('torch-rnn-last');
    expect(kinds(rnn)).toEqual(['InputLayer', 'SimpleRNN', 'Dense']);
    expect((rnn.layers[1] as SimpleRNN).activation.name).toBe('tanh');
  });
});

/** A fixture's model changed by `edit` at its first node of op `op`, then loaded. */
function loadEdited(name: string, op: string, edit: (node: NodeProto, model: ModelProto) => void): () => unknown {
  const model = fromBinary(ModelProtoSchema, torchFixture(name).bytes);
  const node = model.graph?.node.find((n) => n.opType === op) as NodeProto;
  edit(node, model);
  return () => loadOnnx(toBinary(ModelProtoSchema, model));
}

const text = (name: string, value: string) => create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.STRING, s: new TextEncoder().encode(value) });

describe('PyTorch recurrent forms that are refused, with the reason', () => {
  it('an initial state that is not provably zeros: filled with 1, or a graph input', () => {
    const ones = loadEdited('torch-lstm-last', 'ConstantOfShape', (n) => {
      const value = n.attribute.find((a) => a.name === 'value')?.t;
      if (value !== undefined) value.rawData = new Uint8Array(Float32Array.of(1).buffer);
    });
    expect(ones).toThrow(ConfigError);
    expect(ones).toThrow(/node \/rnn\/LSTM \(LSTM\) has an initial state .* not provably zeros \(\/rnn\/ConstantOfShape \(ConstantOfShape\) fills with a non-zero value\)/);
    const given = loadEdited('torch-gru-seq', 'GRU', (n) => { n.input[5] = 'x'; });
    expect(given).toThrow(/initial state x that is not provably zeros \(x is a graph input\)/);
  });

  it('clip, an activation with no semiflow form, LSTM activations Keras cannot take, and h_n[-1] of two directions', () => {
    const clip = loadEdited('torch-lstm-last', 'LSTM', (n) => { n.attribute.push(create(AttributeProtoSchema, { name: 'clip', type: AttributeProto_AttributeType.FLOAT, f: 3 })); });
    expect(clip).toThrow(/node \/rnn\/LSTM \(LSTM\) has activations \[\], clip or input_forget with no semiflow form/);
    const elu = loadEdited('torch-rnn-last', 'RNN', (n) => {
      n.attribute = n.attribute.filter((a) => a.name !== 'activations');
      n.attribute.push(create(AttributeProtoSchema, { name: 'activations', type: AttributeProto_AttributeType.STRINGS, strings: [new TextEncoder().encode('Elu')] }));
    });
    expect(elu).toThrow(/node \/rnn\/RNN \(RNN\) has activations \[Elu\], clip or input_forget with no semiflow form/);
    // Keras's LSTM has one activation for the candidate (g) and the output (h).
    const mixed = loadEdited('torch-lstm-last', 'LSTM', (n) => {
      n.attribute.push(create(AttributeProtoSchema, { name: 'activations', type: AttributeProto_AttributeType.STRINGS, strings: ['Sigmoid', 'Tanh', 'Relu'].map((a) => new TextEncoder().encode(a)) }));
    });
    expect(mixed).toThrow(/has activations \[Sigmoid, Tanh, Relu\]/);
    const backward = loadEdited('torch-lstm-hn', 'LSTM', (n) => { n.attribute.push(text('direction', 'bidirectional')); });
    expect(backward).toThrow(/h_n\[-1\] of a bidirectional layer is its backward state alone/);
  });
});
