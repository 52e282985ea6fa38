import { describe, expect, it } from 'vitest';
import { Bidirectional, GRU, LSTM, SimpleRNN } from 'semiflow';
import type { Functional, Sequential } from 'semiflow';
import { torchRoundTrip } from './onnx-torch-fixture.ts';

// PyTorch's batch_first recurrent models (scripts/torch-onnx-fixtures.py): zero initial states computed from the
// batch size, out[:, -1] and h_n[-1], two directions, two layers; imported, checked against PyTorch's output, and
// exported again into ONNX Runtime.

const kinds = (net: Sequential | Functional): string[] => net.layers.map((l) => l.constructor.name);

describe('PyTorch recurrent fixtures through loadOnnx', () => {
  it('nn.LSTM read at out[:, -1] then nn.Linear: an LSTM returning its last output, then Dense', async () => {
    const net = await torchRoundTrip('torch-lstm-last');
    expect(kinds(net)).toEqual(['InputLayer', 'LSTM', 'Dense']);
    expect((net.layers[1] as LSTM).returnSequences).toBe(false);
  });

  it('nn.GRU returning its whole sequence: a GRU with resetAfter (linear_before_reset 1)', async () => {
    const net = await torchRoundTrip('torch-gru-seq');
    const gru = net.layers[1] as GRU;
    expect(kinds(net)).toEqual(['InputLayer', 'GRU']);
    expect([gru.resetAfter, gru.returnSequences]).toEqual([true, true]);
  });

  it('nn.GRU and nn.LSTM classifiers on h_n[-1]', async () => {
    expect(kinds(await torchRoundTrip('torch-gru-hn'))).toEqual(['InputLayer', 'GRU', 'Dense']);
    expect(kinds(await torchRoundTrip('torch-lstm-hn'))).toEqual(['InputLayer', 'LSTM', 'Dense']);
  });

  it('a bidirectional nn.LSTM: its sequence through a Linear per step, and its concatenated last step', async () => {
    const seq = await torchRoundTrip('torch-bilstm-seq');
    expect(kinds(seq)).toEqual(['InputLayer', 'Bidirectional', 'Dense']);
    expect((seq.layers[1] as Bidirectional).mergeMode).toBe('concat');
    const last = await torchRoundTrip('torch-bilstm-last');
    expect(kinds(last)).toEqual(['InputLayer', 'Bidirectional', 'Reshape', 'Cropping2D', 'Reshape', 'Dense']);
  });

  it('a 2-layer nn.LSTM (two ONNX LSTM nodes, zero states sliced per layer) and nn.RNN (tanh)', async () => {
    expect(kinds(await torchRoundTrip('torch-lstm2-last'))).toEqual(['InputLayer', 'LSTM', 'LSTM', 'Dense']);
    const rnn = await torchRoundTrip('torch-rnn-last');
    expect(kinds(rnn)).toEqual(['InputLayer', 'SimpleRNN', 'Dense']);
    expect((rnn.layers[1] as SimpleRNN).activation.name).toBe('tanh');
  });
});
