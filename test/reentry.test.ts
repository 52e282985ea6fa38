// One fit per model at a time, and a loss that stops being finite is said once.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, Dense, Sequential, TerminateOnNaN, randomNormal, sgd } from 'semiflow';
import type { Callback } from 'semiflow';

afterEach(() => {
  vi.restoreAllMocks();
});

function net(seed = 1): Sequential {
  const model = new Sequential({ name: 'twice', seed });
  model.add(new Dense(8, { inputShape: [4], activation: 'tanh' }));
  model.add(new Dense(2));
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return model;
}

const x = randomNormal([64, 4], { seed: 1 });
const y = randomNormal([64, 2], { seed: 2 });
const silent = { verbose: 0 } as const;

describe('no re-entry', () => {
  it('a second fit while the first runs (a forgotten await) is refused, and the first trains exactly as alone', async () => {
    const model = net();
    const first = model.fit(x, y, { epochs: 3, batchSize: 16, ...silent });
    const second = model.fit(x, y, { epochs: 3, batchSize: 16, ...silent });
    const [a, b] = await Promise.allSettled([first, second]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    const reason = (b as PromiseRejectedResult).reason as Error;
    expect(reason).toBeInstanceOf(ConfigError);
    expect(reason.message).toMatch(/^twice\.fit: twice is already training: a fit\(\) on it has not finished/);
    const alone = net();
    await alone.fit(x, y, { epochs: 3, batchSize: 16, ...silent });
    expect(model.getWeights().map((w) => Array.from(w.storage))).toEqual(alone.getWeights().map((w) => Array.from(w.storage)));
    // Once the first has finished, fit works again.
    await expect(model.fit(x, y, silent)).resolves.toBeDefined();
  });

  it('a fit or compile from inside a callback is refused; evaluate and predict there are allowed', async () => {
    const model = net();
    const seen: string[] = [];
    const nested: Callback = {
      onEpochEnd: async () => {
        seen.push(`evaluate ${Number.isFinite(model.evaluate(x, y, silent).loss)}`);
        seen.push(`predict ${model.predict(x, silent).shape.join('x')}`);
        try {
          model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
        } catch (error) {
          seen.push(`compile ${(error as Error).constructor.name}`);
        }
        await model.fit(x, y, silent);
      },
    };
    await expect(model.fit(x, y, { epochs: 2, callbacks: nested, ...silent })).rejects.toThrow(/^twice\.fit: twice is already training/);
    expect(seen).toEqual(['evaluate true', 'predict 64x2', 'compile ConfigError']);
  });
});

describe('a non-finite loss is not silent', () => {
  it('a huge learning rate warns once, naming the epoch, the batch and the way to stop there', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const model = new Sequential({ name: 'hot', seed: 1 });
    model.add(new Dense(8, { inputShape: [4] }));
    model.add(new Dense(2));
    model.compile({ optimizer: sgd({ learningRate: 1e6 }), loss: 'meanSquaredError' });
    const history = await model.fit(x, y, { epochs: 3, batchSize: 16, ...silent });
    expect(history.history.loss.some((l) => !Number.isFinite(l))).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/^hot\.fit: the loss is (NaN|Infinity) at epoch 1, batch \d+; .*TerminateOnNaN.*debugNumerics\(true\)/);
  });

  it('inputs of 1e30 (finite, so the data check passes) warn the same way', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const model = new Sequential({ seed: 1 });
    model.add(new Dense(2, { inputShape: [4] }));
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await model.fit(x.mul(1e30), y, { epochs: 1, batchSize: 16, ...silent });
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('with TerminateOnNaN, fit stops instead and does not warn', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const model = net();
    model.compile({ optimizer: sgd({ learningRate: 1e6 }), loss: 'meanSquaredError' });
    const stop = new TerminateOnNaN();
    await model.fit(x, y, { epochs: 3, batchSize: 16, callbacks: stop, ...silent });
    expect(stop.stoppedAt).not.toBeNull();
    expect(warn).not.toHaveBeenCalled();
  });

  it('a finite run does not warn', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await net().fit(x, y, { epochs: 2, ...silent });
    expect(warn).not.toHaveBeenCalled();
  });
});
