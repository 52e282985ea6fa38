// withBufferScope: training steps give the same bits with and without it, kept tensors survive later scopes,
// and the memory of everything else is handed out again.
import { describe, expect, it } from 'vitest';
import { Conv2D, Dense, Flatten, MaxPooling2D, Rng, Sequential, ValueError, applyGradients, createTrainState, leaves, oneHot, randomUniform, valueAndGrad, zeros } from 'semiflow';
import type { Tensor, TrainState, Tree } from 'semiflow';
import { allocate } from '../core/buffer-pool.ts';
import { bufferPoolStats, releaseBufferPool, withBufferScope } from '../core/buffer-scope.ts';
import { thrown } from './thrown.ts';

type State = TrainState<Tree>;

/** A small CNN and its training step as fit runs it: forward, tape gradient, Adam. */
function trainer(): { first: State; step: (state: State, i: number) => { loss: number; state: State } } {
  const model = new Sequential({ seed: 7 });
  model.add(new Conv2D(8, 3, { activation: 'relu', inputShape: [12, 12, 1] }));  // the dense kernel, 200x10, is pooled
  model.add(new MaxPooling2D(2));
  model.add(new Flatten());
  model.add(new Dense(10, { activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const compiled = model.compiled as NonNullable<typeof model.compiled>;
  const x = randomUniform([64, 12, 12, 1], { seed: 3 });
  const y = oneHot(Array.from({ length: 64 }, (_, i) => (i * 7) % 10), 10);
  const lossOf = (params: Tree, rng: Rng): Tensor =>
    compiled.trainingLoss.compute(y, model.forward(x, { training: true, rng, logits: true, params: params as never }));
  const grads = valueAndGrad(lossOf);
  return {
    first: createTrainState(model.trainableParams(), compiled.optimizer, 1) as State,
    step: (state, i) => {
      const [loss, g] = grads(state.params, new Rng(i));
      return { loss: loss.item(), state: applyGradients(state, g, compiled.optimizer) };
    },
  };
}

/** The bytes of every tensor of a tree. */
const bits = (tree: Tree): number[][] =>
  leaves(tree).map((t) => Array.from(new Uint8Array(t.storage.buffer, t.storage.byteOffset, t.storage.byteLength)));

/** Every tensor of the new state: what a training step must keep. */
const keepState = (r: { state: State }): Tree => [r.state.params, r.state.optimizerState.slots];

describe('withBufferScope', () => {
  it('trains to the same bits with and without a scope per step, and reuses the memory', () => {
    const { first, step } = trainer();
    let plain = first;
    let scoped = first;
    const losses: [number, number][] = [];
    const before = bufferPoolStats();
    for (let i = 0; i < 4; i++) {
      const p = step(plain, i);
      const s = withBufferScope(() => step(scoped, i), keepState);
      plain = p.state;
      scoped = s.state;
      losses.push([s.loss, p.loss]);
    }
    losses.forEach(([s, p]) => expect(s).toBe(p));
    expect(bits(scoped.params)).toEqual(bits(plain.params));
    expect(bits(scoped.optimizerState.slots)).toEqual(bits(plain.optimizerState.slots));
    expect(bufferPoolStats().reused).toBeGreaterThan(before.reused);
  });

  it('leaves kept tensors intact while later scopes recycle everything else', () => {
    const { first, step } = trainer();
    const kept = withBufferScope(() => step(first, 0), keepState).state;
    const snapshot = bits([kept.params, kept.optimizerState.slots]);
    let state = kept;
    for (let i = 1; i < 4; i++) state = withBufferScope(() => step(state, i), keepState).state;
    expect(bits([kept.params, kept.optimizerState.slots])).toEqual(snapshot);
  });

  it('hands a dead array out again, zeroed, and never one behind a kept tensor', () => {
    const size = 5000;
    const dead = withBufferScope(() => zeros([size]).add(1), () => []);
    withBufferScope(() => {
      const drawn = [allocate('float32', size), allocate('float32', size), allocate('float32', size)];
      expect(drawn).toContain(dead.storage);
      drawn.forEach((a) => expect(a.every((v) => Object.is(v, 0))).toBe(true));
      return [];
    }, () => []);
    const alive = withBufferScope(() => zeros([size]).add(2), (t) => t);
    withBufferScope(() => {
      const drawn = Array.from({ length: 8 }, () => allocate('float32', size));
      expect(drawn).not.toContain(alive.storage);
      drawn.forEach((a) => a.fill(9));
      return [];
    }, () => []);
    expect(alive.storage.every((v) => v === 2)).toBe(true);
  });

  it('keeps an inner scope’s kept tensor until the outer scope ends', () => {
    const size = 4096;
    const outer = withBufferScope(() => {
      const inner = withBufferScope(() => zeros([size]).add(5), (t) => t);
      withBufferScope(() => zeros([size]).add(6), () => []);
      expect(Array.from(inner.storage).every((v) => v === 5)).toBe(true);
      return inner.add(1);
    }, (t) => t);
    expect(Array.from(outer.storage).every((v) => v === 6)).toBe(true);
  });

  it('pools nothing outside a scope, recycles nothing when fn throws, and rejects an async fn', () => {
    releaseBufferPool();
    zeros([4096]).add(1);
    expect(bufferPoolStats().freeBytes).toBe(0);
    expect(thrown(() => withBufferScope(() => {
      zeros([4096]).add(1);
      throw new Error('boom');
    }, () => [])).message).toBe('boom');
    expect(bufferPoolStats().freeBytes).toBe(0);
    expect(thrown(() => withBufferScope(async () => zeros([1]), () => []))).toBeInstanceOf(ValueError);
    withBufferScope(() => zeros([4096]).add(1), () => []);
    expect(bufferPoolStats().freeBytes).toBeGreaterThan(0);
    releaseBufferPool();
    expect(bufferPoolStats().freeBytes).toBe(0);
  });

  it('drops free arrays of a size no scope asked for in two scopes', () => {
    releaseBufferPool();
    withBufferScope(() => zeros([3000]).add(1), () => []);
    const oneSize = bufferPoolStats().freeBytes;
    expect(oneSize).toBeGreaterThan(0);
    withBufferScope(() => zeros([2000]).add(1), () => []);
    expect(bufferPoolStats().freeBytes).toBeGreaterThan(oneSize);
    withBufferScope(() => zeros([2000]).add(1), () => []);
    expect(bufferPoolStats().freeBytes).toBeLessThan(oneSize);
    releaseBufferPool();
  });
});
