// fit writes a step's update into the arrays of the previous step's weights and Adam slots when nobody else holds
// them (models/step-arrays.ts, optim/in-place.ts): it must give the same bits as new arrays, and never change a
// tensor that anyone was handed (getWeights, a weight's value, optimizerProgress, a custom layer's call).
import { afterEach, describe, expect, it } from 'vitest';
import { Dense, Layer, Sequential, adam, oneHot, randomNormal, sgd } from 'semiflow';
import type { Tensor } from 'semiflow';
import { configureGemm } from '../core/kernels/fast/matmul.ts';
import type { Weight } from '../layers/layer.ts';

const x = randomNormal([48, 12], { seed: 3 });
const y = oneHot(Array.from({ length: 48 }, (_, i) => (i * 7) % 3), 3);

function mlp(optimizer = adam()): Sequential {
  const model = new Sequential({ seed: 5 });
  model.add(new Dense(40, { activation: 'relu', inputShape: [12] }));
  model.add(new Dense(3, { activation: 'softmax' }));
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  return model;
}

const kernelOf = (model: Sequential): Weight => model.layers.filter((l) => l instanceof Dense)[0].weights[0];
const bits = (t: Tensor): number[] => Array.from(new Uint32Array(Float32Array.from(t.storage).buffer));
const fitSteps = (model: Sequential, onBatchEnd?: (b: number) => void) =>
  model.fit(x, y, { batchSize: 8, epochs: 2, shuffle: true, verbose: 0, callbacks: onBatchEnd === undefined ? [] : [{ onBatchEnd }] });

describe('fit updates in place only what nobody else holds', () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  it('reuses the arrays of the weights from the second step on, and gives the bits of new arrays', async () => {
    const quiet = mlp();
    const arrays: unknown[] = [];
    // peek() is fit's own read: it does not hand the weight out.
    await fitSteps(quiet, () => arrays.push(kernelOf(quiet).peek().storage));
    expect(new Set(arrays.slice(1)).size).toBe(1);
    expect(arrays[0]).toBe(arrays[1]);

    // Reading every weight after each batch hands them out, so every step makes new arrays.
    const watched = mlp();
    const seen: unknown[] = [];
    await fitSteps(watched, () => seen.push(watched.getWeights()[0].storage));
    expect(new Set(seen).size).toBe(seen.length);
    expect(watched.getWeights().map(bits)).toEqual(quiet.getWeights().map(bits));
  });

  const slotsOf = (model: Sequential): Tensor[] => Object.values(model.optimizerProgress?.state.slots ?? {})
    .flatMap((s) => Object.values(s as Record<string, Record<string, Tensor>>).flatMap((l) => Object.values(l)));
  const reads: [string, (model: Sequential) => Tensor[]][] = [
    ['getWeights', (model) => model.getWeights()],
    ["a weight's value", (model) => [kernelOf(model).value]],
    ['optimizerProgress', slotsOf],
  ];
  it.each(reads)('never changes a tensor handed out by %s', async (_, read) => {
    const model = mlp();
    const kept: { tensors: Tensor[]; copies: number[][] }[] = [];
    await fitSteps(model, (b) => {
      if (b !== 2) return;
      const tensors = read(model);
      kept.push({ tensors, copies: tensors.map(bits) });
    });
    expect(kept[0].tensors.length).toBeGreaterThan(0);
    for (const { tensors, copies } of kept) expect(tensors.map(bits)).toEqual(copies);
  });

  it('keeps updating in place while a callback sets the learning rate, with the bits of new arrays', async () => {
    const model = mlp(sgd({ learningRate: 0.05, momentum: 0.9 }));
    const arrays: unknown[] = [];
    await fitSteps(model, (b) => {
      model.learningRate = 0.05 + 0.01 * b;
      arrays.push(kernelOf(model).peek().storage);
    });
    expect(new Set(arrays.slice(1)).size).toBe(1);
    const reference = mlp(sgd({ learningRate: 0.05, momentum: 0.9 }));
    await fitSteps(reference, (b) => {
      reference.learningRate = 0.05 + 0.01 * b;
      reference.getWeights();
    });
    expect(model.getWeights().map(bits)).toEqual(reference.getWeights().map(bits));
  });

  it('never overwrites the weights a custom layer computed with', async () => {
    const seenByUser: { t: Tensor; copy: number[] }[] = [];
    class Scale extends Layer {
      private w: Weight | undefined;
      protected override build(): void {
        this.w = this.addWeight('w', [12], 'ones');
      }
      protected override call(input: Tensor): Tensor {
        const w = (this.w as Weight).value;
        seenByUser.push({ t: w, copy: bits(w) });
        return input.mul(w);
      }
    }
    const model = new Sequential({ seed: 5 });
    model.add(new Scale({ inputShape: [12] }));
    model.add(new Dense(3, { activation: 'softmax' }));
    model.compile({ optimizer: adam({ learningRate: 0.1 }), loss: 'categoricalCrossentropy' });
    await fitSteps(model);
    expect(seenByUser.length).toBeGreaterThan(5);
    for (const { t, copy } of seenByUser) expect(bits(t)).toEqual(copy);
  });

  it("keeps Adam's leaves in its module between in-place steps, also when steps alternate with the GEMM threads' module", async () => {
    // Odd batches on the threads' module (every leaf split), even ones on the standalone module: each must see the
    // values the other wrote, so the standalone module's kept copy of a leaf must be dropped after a threads' step.
    const configs = [{ threads: 1 }, { threads: 2, threadMinFlops: 0, adaptiveThreads: false }];
    const run = async (handOut: boolean): Promise<number[][]> => {
      const model = mlp();
      restore = configureGemm(configs[0]);
      await fitSteps(model, (b) => {
        restore?.();
        restore = configureGemm(configs[(b + 1) % 2]);
        if (handOut) model.getWeights();
      });
      restore?.();
      restore = undefined;
      return model.getWeights().map(bits);
    };
    expect(await run(false)).toEqual(await run(true));
  });

  it('gives the same weights for one seed on 1 and 2 threads', async () => {
    const run = async (threads: number): Promise<number[][]> => {
      restore = configureGemm(threads === 1 ? { threads: 1 } : { threads, threadMinFlops: 0, adaptiveThreads: false });
      const model = mlp();
      await fitSteps(model);
      restore();
      restore = undefined;
      return model.getWeights().map(bits);
    };
    expect(await run(2)).toEqual(await run(1));
  });
});
