// predict runs a model of built-in layers in passes of at most 128 rows, with the bits of one pass per batch;
// a user's layer or activation (which might mix rows) keeps one pass per batch.
import { describe, expect, it } from 'vitest';
import { Conv2D, Dense, Flatten, Layer, MaxPooling2D, Sequential, mean, noGrad, randomUniform, setKernel, sub } from 'semiflow';
import type { Kernel, Tensor } from 'semiflow';
import { fastKernels } from '../core/kernels/fast/index.ts';
import { computesRowByRow } from '../models/row-wise.ts';

/** Subtracts the batch's mean: its output for a row depends on the other rows. */
class CenterBatch extends Layer {
  protected call(x: Tensor): Tensor {
    return sub(x, mean(x, 0, true));
  }
}

function cnn(extra?: Layer, activation: string | ((x: Tensor) => Tensor) = 'softmax'): Sequential {
  const model = new Sequential({ seed: 3 });
  model.add(new Conv2D(4, 3, { activation: 'relu', inputShape: [8, 8, 1] }));
  model.add(new MaxPooling2D(2));
  model.add(new Flatten());
  if (extra) model.add(extra);
  model.add(new Dense(5, { activation }));
  return model;
}

/** The rows of op(A) in every matmul while fn runs. */
function matmulRows(fn: () => void): number[] {
  const rows: number[] = [];
  const spy: Kernel<'matmul'> = (inputs, shapes, params, out) => {
    rows.push(out.shape[out.shape.length - 2]);
    return (fastKernels.matmul as Kernel<'matmul'>)(inputs, shapes, params, out);
  };
  const restore = setKernel('matmul', spy);
  try {
    fn();
  } finally {
    restore();
  }
  return rows;
}

const bits = (t: Tensor) => Array.from(new Uint32Array(t.storage.buffer, t.storage.byteOffset, t.size));

describe('predict in passes', () => {
  const x = randomUniform([300, 8, 8, 1], { seed: 5 });

  it('runs built-in layers in passes of at most 128 rows, with the same bits as one pass over the batch', () => {
    const model = cnn();
    expect(computesRowByRow(model.layers)).toBe(true);
    const whole = noGrad(() => model.forward(x));
    let predicted: Tensor | undefined;
    const rows = matmulRows(() => {
      predicted = model.predict(x, { batchSize: 300, verbose: 0 });
    });
    expect(Math.max(...rows)).toBeLessThanOrEqual(128 * 6 * 6);
    expect(rows.length).toBeGreaterThan(2);
    expect(bits(predicted as Tensor)).toEqual(bits(whole));
    expect(bits(model.predict(x, { batchSize: 7, verbose: 0 }))).toEqual(bits(whole));
  });

  it('keeps one pass per batch with a layer or an activation of the user', () => {
    for (const model of [cnn(new CenterBatch()), cnn(undefined, (t: Tensor) => sub(t, mean(t, 0, true)))]) {
      expect(computesRowByRow(model.layers)).toBe(false);
      const whole = noGrad(() => model.forward(x));
      let predicted: Tensor | undefined;
      const rows = matmulRows(() => {
        predicted = model.predict(x, { batchSize: 300, verbose: 0 });
      });
      expect(rows).toContain(300 * 6 * 6);
      expect(bits(predicted as Tensor)).toEqual(bits(whole));
    }
  });
});
