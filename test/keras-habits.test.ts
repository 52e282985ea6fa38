// Issue 15, point 7: what a Keras user typed and semiflow refused or did badly.
import { describe, expect, it } from 'vitest';
import {
  Conv2D, Dense, MaxPooling2D, Sequential, adam, avgPool2d, conv2d, conv2dTranspose, maxPool2d, randomNormal, zeros,
} from 'semiflow';
import type { PaddingName } from 'semiflow';
import { loadMnist } from 'semiflow/node';

describe('padding in any case, as Keras lowercases it', () => {
  const x = randomNormal([2, 5, 5, 3], { seed: 1 });
  const kernel = randomNormal([3, 3, 3, 4], { seed: 2 });

  it('the ops take SAME, Same and VALID and compute what same and valid do', () => {
    for (const [upper, lower] of [['SAME', 'same'], ['Same', 'same'], ['VALID', 'valid']] as [PaddingName, PaddingName][]) {
      expect(conv2d(x, kernel, { padding: upper, strides: 2 }).toArray()).toEqual(conv2d(x, kernel, { padding: lower, strides: 2 }).toArray());
      expect(maxPool2d(x, { poolSize: 2, padding: upper }).toArray()).toEqual(maxPool2d(x, { poolSize: 2, padding: lower }).toArray());
      expect(avgPool2d(x, { poolSize: 2, padding: upper }).toArray()).toEqual(avgPool2d(x, { poolSize: 2, padding: lower }).toArray());
      const back = randomNormal([3, 3, 4, 3], { seed: 3 });
      expect(conv2dTranspose(x, back, { padding: upper, strides: 2 }).toArray()).toEqual(conv2dTranspose(x, back, { padding: lower, strides: 2 }).toArray());
    }
  });

  it('Conv2D and MaxPooling2D take padding: SAME and store it lowercased', () => {
    const conv = new Conv2D(4, 3, { padding: 'SAME' });
    const pool = new MaxPooling2D(2, { padding: 'Same' });
    expect(conv.padding).toBe('same');
    expect(pool.padding).toBe('same');
    expect(pool.apply(conv.apply(x)).shape).toEqual([2, 3, 3, 4]);
  });
});

describe("activation: null is Keras's None, the identity", () => {
  it('Dense and Conv2D with activation null are linear', () => {
    const dense = new Dense(3, { activation: null, kernelInitializer: 'ones' });
    expect(dense.activation.name).toBe('linear');
    const x = randomNormal([2, 2], { seed: 4 }).mul(-10);
    expect(dense.apply(x).data).toEqual(x.sum(-1, true).add(zeros([2, 3])).data);
    expect(new Conv2D(2, 1, { activation: null }).activation.name).toBe('linear');
  });
});

describe('option keys from another library get a hint', () => {
  it("lr hints at learningRate; typos, prefixes and other cases at the valid name", () => {
    expect(() => adam({ lr: 0.1 } as never)).toThrow(/^adam: unknown option 'lr' \(did you mean 'learningRate'\?\); valid options are learningRate/);
    expect(() => new Dense(2, { Activation: 'relu' } as never)).toThrow(/unknown option 'Activation' \(did you mean 'activation'\?\)/);
    expect(() => new Dense(2, { use_bias: false } as never)).toThrow(/unknown option 'use_bias' \(did you mean 'useBias'\?\)/);
    expect(() => new Dense(2, { kernelInitialiser: 'ones' } as never)).toThrow(/\(did you mean 'kernelInitializer'\?\)/);
    const model = new Sequential({ layers: [new Dense(1, { inputShape: [1] })] });
    model.compile({ loss: 'meanSquaredError' });
    expect(() => model.evaluate(randomNormal([2, 1]), randomNormal([2, 1]), { batch: 1 } as never)).toThrow(/unknown option 'batch' \(did you mean 'batchSize'\?\)/);
  });

  it('a key close to nothing gets no hint', () => {
    expect(() => adam({ zzz: 1 } as never)).toThrow(/^adam: unknown option 'zzz'; valid options/);
    expect(() => new Dense(2, { xyz: 1 } as never)).toThrow(/unknown option 'xyz'; valid options/);
  });
});

describe('evaluate with a fused loss speaks of the loss the user chose', () => {
  it('targets of the wrong width name categoricalCrossentropy, not its fused form', () => {
    const model = new Sequential({ layers: [new Dense(3, { inputShape: [2], activation: 'softmax' })] });
    model.compile({ loss: 'categoricalCrossentropy' });
    let message = '';
    try {
      model.evaluate(randomNormal([4, 2]), zeros([4, 5]));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/evaluate: categoricalCrossentropy: targets \[4,5\] do not fit predictions \[4,3\]/);
    expect(message).not.toMatch(/softmax/);
  });
});

describe('loadMnist({ flat: true }) gives rows [N, 784] for a Dense model', () => {
  it('the same pixels, one row per image', () => {
    const square = loadMnist({ trainSize: 20, testSize: 5 });
    const flat = loadMnist({ trainSize: 20, testSize: 5, flat: true });
    expect(flat.train.images.shape).toEqual([20, 784]);
    expect(flat.test.images.shape).toEqual([5, 784]);
    expect(flat.train.images.storage).toEqual(square.train.images.storage);
    expect(flat.test.oneHot.storage).toEqual(square.test.oneHot.storage);
    expect(() => loadMnist({ flat: 1 } as never)).toThrow(/^loadMnist: flat must be true or false, got number 1/);
  });
});
