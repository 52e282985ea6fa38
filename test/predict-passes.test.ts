// predict runs a model of built-in layers with large activations in passes of fewer rows, with the bits of one
// pass per batch; a small model, or a user's layer or activation (which might mix rows), keeps one pass per batch.
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

/** 30·30·64 = 57,600 values a row after the convolution: passes of 72 rows or fewer. */
function cnn(extra?: Layer, activation: string | ((x: Tensor) => Tensor) = 'softmax'): Sequential {
  const model = new Sequential({ seed: 3 });
  model.add(new Conv2D(64, 3, { activation: 'relu', inputShape: [32, 32, 1] }));
  model.add(new MaxPooling2D(2));
  model.add(new Flatten());
  if (extra) model.add(extra);
  model.add(new Dense(5, { activation }));
  return model;
}

/** The rows of op(A) in every product (matmul; affine and convAffine: Dense and Conv2D with a bias) while fn runs. */
function matmulRows(fn: () => void): number[] {
  const rows: number[] = [];
  const spy: Kernel<'matmul'> = (inputs, shapes, params, out) => {
    rows.push(out.shape[out.shape.length - 2]);
    return (fastKernels.matmul as Kernel<'matmul'>)(inputs, shapes, params, out);
  };
  const affineSpy: Kernel<'affine'> = (inputs, shapes, params, out) => {
    rows.push(out.shape[0]);
    return (fastKernels.affine as Kernel<'affine'>)(inputs, shapes, params, out);
  };
  const convSpy: Kernel<'convAffine'> = (inputs, shapes, params, out) => {
    rows.push(out.shape[0] * out.shape[1] * out.shape[2]);
    return (fastKernels.convAffine as Kernel<'convAffine'>)(inputs, shapes, params, out);
  };
  const restores = [setKernel('matmul', spy), setKernel('affine', affineSpy), setKernel('convAffine', convSpy)];
  try {
    fn();
  } finally {
    restores.forEach((restore) => restore());
  }
  return rows;
}

const bits = (t: Tensor) => Array.from(new Uint32Array(t.storage.buffer, t.storage.byteOffset, t.size));

describe('predict in passes', () => {
  const x = randomUniform([300, 32, 32, 1], { seed: 5 });
  const patches = 30 * 30;

  it('runs built-in layers with large activations in passes of fewer rows, with the same bits as one pass over the batch', () => {
    const model = cnn();
    expect(computesRowByRow(model.layers)).toBe(true);
    const whole = noGrad(() => model.forward(x));
    let predicted: Tensor | undefined;
    const rows = matmulRows(() => {
      predicted = model.predict(x, { batchSize: 300, verbose: 0 });
    });
    expect(Math.max(...rows)).toBeLessThanOrEqual(72 * patches);
    expect(rows.length).toBeGreaterThan(8);
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
      expect(rows).toContain(300 * patches);
      expect(bits(predicted as Tensor)).toEqual(bits(whole));
    }
  });

  it('keeps one pass per batch for a model whose activations are small', () => {
    const model = new Sequential({ seed: 4 });
    model.add(new Dense(64, { activation: 'relu', inputShape: [20] }));
    model.add(new Dense(3, { activation: 'softmax' }));
    const input = randomUniform([1000, 20], { seed: 6 });
    expect(computesRowByRow(model.layers)).toBe(true);
    expect(matmulRows(() => model.predict(input, { batchSize: 1000, verbose: 0 }))).toEqual([1000, 1000]);
  });
});
