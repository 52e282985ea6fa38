// A tensor a user can reach never changes: fit, evaluate and predict recycle memory through the buffer pool, but
// only memory that no user code has seen. Every tensor user code gets hold of is snapshotted and checked later.
import { describe, expect, it } from 'vitest';
import { Dense, Layer, Sequential, mul, oneHot, randomNormal, tanh, valueAndGrad, sum } from 'semiflow';
import type { Callback, Loss, Tensor } from 'semiflow';
import { meanSquaredError } from 'semiflow';

interface Snapshot {
  tensor: Tensor;
  bytes: Uint8Array;
  where: string;
}

const bytesOf = (t: Tensor): Uint8Array => new Uint8Array(t.storage.buffer, t.storage.byteOffset, t.storage.byteLength);

/** Every tensor handed to or made by user code, with a copy of its bytes at that moment. */
class Keeper {
  readonly kept: Snapshot[] = [];
  keep(t: Tensor, where: string): Tensor {
    this.kept.push({ tensor: t, bytes: bytesOf(t).slice(), where });
    return t;
  }
  changed(): string[] {
    return this.kept.filter((s) => !Buffer.from(bytesOf(s.tensor)).equals(Buffer.from(s.bytes))).map((s) => s.where);
  }
}

/** A custom layer that keeps its input, an intermediate and its output. */
class Inspect extends Layer {
  constructor(private readonly keeper: Keeper) {
    super();
  }
  protected call(x: Tensor): Tensor {
    this.keeper.keep(x, 'custom layer input');
    const doubled = this.keeper.keep(mul(x, 2), 'custom layer intermediate');
    return this.keeper.keep(tanh(doubled), 'custom layer output');
  }
}

function model(keeper: Keeper): Sequential {
  const net = new Sequential({ seed: 3 });
  // 64 rows x 32 units = 2,048 values per activation: large enough for the pool.
  net.add(new Dense(32, { inputShape: [16], activation: (z: Tensor) => keeper.keep(tanh(keeper.keep(z, 'activation input')), 'activation output') }));
  net.add(new Inspect(keeper));
  net.add(new Dense(32));
  return net;
}

/** A user's loss that keeps both of its arguments. */
const keepingLoss = (keeper: Keeper): Loss => {
  const mse = meanSquaredError();
  return { name: 'keptMse', config: {}, compute: (yTrue, yPred) => mse.compute(keeper.keep(yTrue, 'loss yTrue'), keeper.keep(yPred, 'loss yPred')) };
};

describe('tensors a user can reach never change', () => {
  it('through fit, evaluate, predict, callbacks and valueAndGrad, byte for byte after many more steps', async () => {
    const keeper = new Keeper();
    const net = model(keeper);
    net.compile({ optimizer: 'adam', loss: keepingLoss(keeper) });
    const x = randomNormal([256, 16], { seed: 1 });
    const y = randomNormal([256, 32], { seed: 2 });
    const watcher: Callback = {
      onBatchEnd: (_batch, logs) => {
        for (const w of net.getWeights()) keeper.keep(w, 'weight seen in a callback');
        expect(Number.isFinite(logs?.loss)).toBe(true);
      },
      onEpochEnd: () => {
        keeper.keep(net.predict(x.slice([0, 0], [64, 16]), { batchSize: 64, verbose: 0 }), 'predict output in a callback');
        const [value, grads] = valueAndGrad((w: Tensor) => sum(tanh(w)))(net.getWeights()[0]);
        keeper.keep(value, 'valueAndGrad value');
        keeper.keep(grads, 'valueAndGrad gradient');
      },
    };
    await net.fit(x, y, { epochs: 2, batchSize: 64, verbose: 0, callbacks: watcher });
    net.evaluate(x, y, { batchSize: 64, verbose: 0 });
    keeper.keep(net.predict(x, { batchSize: 64, verbose: 0 }), 'predict output');
    const seen = keeper.kept.length;
    // Many more steps, each drawing arrays from the pool.
    await net.fit(x, y, { epochs: 6, batchSize: 64, verbose: 0 });
    expect(new Set(keeper.kept.slice(0, seen).map((s) => s.where))).toEqual(new Set([
      'activation input', 'activation output', 'custom layer input', 'custom layer intermediate', 'custom layer output',
      'loss yTrue', 'loss yPred', 'weight seen in a callback', 'predict output in a callback', 'valueAndGrad value',
      'valueAndGrad gradient', 'predict output',
    ]));
    expect(keeper.changed()).toEqual([]);
  });

  it('a built-in model still reuses its memory (the pool is not simply off)', async () => {
    const { bufferPoolStats } = await import('../core/buffer-scope.ts');
    const net = new Sequential({ seed: 1 });
    net.add(new Dense(64, { inputShape: [16], activation: 'relu' }));
    net.add(new Dense(10, { activation: 'softmax' }));
    net.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const x = randomNormal([512, 16], { seed: 1 });
    const y = oneHot(Array.from({ length: 512 }, (_, i) => i % 10), 10);
    const before = bufferPoolStats().reused;
    await net.fit(x, y, { epochs: 1, batchSize: 128, verbose: 0 });
    expect(bufferPoolStats().reused).toBeGreaterThan(before);
  });

  it('every layer semiflow exports is marked built-in, so none of them loses the pool by accident', async () => {
    const root: Record<string, unknown> = await import('semiflow');
    const { isBuiltInCall } = await import('../layers/built-in.ts');
    const layerClasses = Object.entries(root).filter(([name, v]) => name !== 'Layer' && typeof v === 'function' && v.prototype instanceof Layer);
    expect(layerClasses.length).toBeGreaterThan(5);
    for (const [name, cls] of layerClasses) expect([name, isBuiltInCall((cls as { prototype: { call: object } }).prototype.call)]).toEqual([name, true]);
  });

  it('shapes are frozen', () => {
    const t = randomNormal([2, 3], { seed: 1 });
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(() => { (t.shape as number[])[0] = 5; }).toThrow(TypeError);
  });
});
