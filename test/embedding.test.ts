// Embedding-style lookup: gather rows of a [vocab, dim] table by ids that repeat, trained with the library's optimizers,
// through valueAndGrad and through a small custom Layer in a Sequential. Rows whose ids never occur must stay as they were.
import { describe, expect, it } from 'vitest';
import {
  Dense, Flatten, Layer, Sequential, adam, applyGradients, createTrainState, gather, grad, mean, mul, randomNormal, sgd, square, sub,
  sum, tensor, valueAndGrad,
} from 'semiflow';
import type { Optimizer, Shape, Tensor, Weight } from 'semiflow';

const VOCAB = 10;
const DIM = 4;
/** Ids 0 to 5 occur (several of them more than once per batch); 6 to 9 never do. */
const SEEN = 6;
const batches = [
  [1, 1, 2, 3, 3, 3, 0, 5],
  [4, 4, 4, 4, 0, 2, 5, 1],
  [3, 0, 0, 1, 2, 5, 5, 4],
].map((ids) => tensor(ids));

function rows(table: Tensor, from: number, to: number): number[] {
  return Array.from(table.storage.subarray(from * DIM, to * DIM));
}

describe('gather as an embedding lookup', () => {
  it('adds up the gradient of repeated ids and gives unseen rows exactly 0', () => {
    const table = randomNormal([VOCAB, DIM], { seed: 3, dtype: 'float64' });
    const weights = randomNormal([8, DIM], { seed: 4, dtype: 'float64' });
    const g = grad((t: Tensor) => sum(mul(gather(t, batches[0]), weights)))(table);
    // Row r gets the sum of the weight rows at the positions where id r occurs.
    const expected = Array.from({ length: VOCAB }, (_, r) => Array.from({ length: DIM }, (_, d) =>
      [...batches[0].storage].reduce((s, id, k) => s + (id === r ? weights.storage[k * DIM + d] : 0), 0)));
    expected.forEach((row, r) => row.forEach((v, d) => expect(g.storage[r * DIM + d]).toBeCloseTo(v, 12)));
    expect(rows(g, SEEN, VOCAB).every((v) => v === 0)).toBe(true);
  });

  it.each([['sgd', sgd({ learningRate: 0.5 })], ['adam', adam({ learningRate: 0.05 })]] as [string, Optimizer][])(
    'trains with valueAndGrad and %s: the loss falls and unseen rows stay untouched', (_name, optimizer) => {
      const table = randomNormal([VOCAB, DIM], { seed: 1 });
      const targets = randomNormal([VOCAB, DIM], { seed: 2 });
      const loss = (params: { table: Tensor }, ids: Tensor) => mean(square(sub(gather(params.table, ids), gather(targets, ids))));
      const step = valueAndGrad(loss);
      let state = createTrainState({ table }, optimizer, 0);
      const losses: number[] = [];
      for (let epoch = 0; epoch < 60; epoch++) {
        for (const ids of batches) {
          const [value, grads] = step(state.params, ids);
          losses.push(value.item());
          state = applyGradients(state, grads, optimizer);
        }
      }
      expect(losses[losses.length - 1]).toBeLessThan(0.01 * losses[0]);
      expect(rows(state.params.table, SEEN, VOCAB)).toEqual(rows(table, SEEN, VOCAB));
      expect(rows(state.params.table, 0, SEEN)).not.toEqual(rows(table, 0, SEEN));
    });

  /** Ids [batch, length] -> vectors [batch, length, dim], as a layer of the user's own. */
  class Lookup extends Layer {
    table!: Weight;

    protected override build(): void {
      this.table = this.addWeight('table', [VOCAB, DIM], 'randomNormal');
    }

    protected call(ids: Tensor): Tensor {
      return gather(this.table.value, ids);
    }
  }

  it('trains as a custom Layer in a Sequential with fit', async () => {
    const lookup = new Lookup({ inputShape: [3] });
    const model = new Sequential({ seed: 5 });
    model.add(lookup);
    model.add(new Flatten());
    model.add(new Dense(2, { activation: 'softmax' }));
    model.compile({ optimizer: adam({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy' });
    // Class 1 when id 2 occurs in the sequence; ids 6 to 9 never occur.
    const sequences = [[0, 2, 2], [1, 1, 3], [2, 4, 5], [5, 5, 0], [3, 2, 1], [4, 0, 3], [2, 2, 2], [1, 4, 5]];
    const x = tensor(sequences);
    const y = tensor(sequences.map((s) => (s.includes(2) ? 1 : 0)));
    model.build([3]);
    const before = rows(lookup.table.value, 0, VOCAB);
    const history = await model.fit(x, y, { epochs: 40, batchSize: 4, verbose: 0, seed: 1 });
    const { loss } = history.history;
    expect(loss[loss.length - 1]).toBeLessThan(0.5 * loss[0]);
    const after = rows(lookup.table.value, 0, VOCAB);
    expect(after.slice(SEEN * DIM)).toEqual(before.slice(SEEN * DIM));
    expect(after.slice(0, SEEN * DIM)).not.toEqual(before.slice(0, SEEN * DIM));
  });
});
