// The contract of a custom layer's call(): a Tensor with one row per input row. A breach is a typed error naming
// the layer, what it returned and what was expected, in fit, evaluate and predict alike.
import { describe, expect, it } from 'vitest';
import { Dense, Layer, Sequential, ShapeError, ValueError, randomNormal } from 'semiflow';
import type { Tensor } from 'semiflow';
import { thrown } from './thrown.ts';

/** Drops the last row of every batch after `healthyCalls` calls (the dry run that builds the model is one). */
class DropsRows extends Layer {
  calls = 0;
  constructor(private readonly healthyCalls: number) {
    super({ name: 'drops_rows' });
  }
  protected call(x: Tensor): Tensor {
    this.calls++;
    return this.calls <= this.healthyCalls ? x : x.slice([0, 0], [x.shape[0] - 1, x.shape[1]]);
  }
}

class ReturnsNumber extends Layer {
  constructor() {
    super({ name: 'returns_number' });
  }
  protected call(x: Tensor): Tensor {
    return x.sum().item() as unknown as Tensor;
  }
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

function modelWith(layer: Layer): Sequential {
  const net = new Sequential({ seed: 1 });
  net.add(new Dense(4, { inputShape: [3] }));
  net.add(layer);
  net.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return net;
}

const x = randomNormal([8, 3], { seed: 1 });
const y = randomNormal([8, 4], { seed: 2 });

describe('custom layer contract', () => {
  it('a call() that drops batch rows is named in fit, evaluate and predict, not blamed on the targets', async () => {
    const rowsMessage = /drops_rows: call\(\) must return one row per input row \(batch 8, input \[8,4\]\), got shape \[7,4\]/;
    const fitError = await rejection(modelWith(new DropsRows(1)).fit(x, y, { batchSize: 8, verbose: 0 }));
    expect(fitError).toBeInstanceOf(ShapeError);
    expect(fitError.message).toMatch(rowsMessage);
    const evaluateError = thrown(() => modelWith(new DropsRows(1)).evaluate(x, y, { batchSize: 8, verbose: 0 }));
    expect(evaluateError).toBeInstanceOf(ShapeError);
    expect(evaluateError.message).toMatch(rowsMessage);
    const predictError = thrown(() => modelWith(new DropsRows(1)).predict(x, { batchSize: 8, verbose: 0 }));
    expect(predictError).toBeInstanceOf(ShapeError);
    expect(predictError.message).toMatch(rowsMessage);
  });

  it('a call() that drops rows is caught when the model is built, too', () => {
    const error = thrown(() => modelWith(new DropsRows(0)));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toMatch(/drops_rows: call\(\) must return one row per input row \(batch 1, input \[1,4\]\), got shape \[0,4\]/);
  });

  it('a call() that returns a number gets a ValueError naming the layer and the value', () => {
    const error = thrown(() => modelWith(new ReturnsNumber()));
    expect(error).toBeInstanceOf(ValueError);
    expect(error.message).toMatch(/^returns_number: call\(\) must return a Tensor or a list of them, got (the )?number/);
  });

  it('a call() that returns a scalar tensor is refused', () => {
    class Scalar extends Layer {
      protected call(t: Tensor): Tensor {
        return t.sum();
      }
    }
    const error = thrown(() => new Scalar({ name: 'to_scalar' }).apply(x));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toContain('to_scalar: call() must return one row per input row (batch 8, input [8,3]), got a scalar');
  });
});
