import { describe, expect, it } from 'vitest';
import {
  ConfigError, ValueError, adam, applyGradients, cosineDecay, createTrainState, exponentialDecay, learningRateOf, piecewiseConstant, sgd, tensor, withLearningRate
} from 'semiflow';
import { thrown } from './thrown.ts';

describe('exponentialDecay', () => {
  it('is initial · rate^(step / decaySteps), continuous or in whole periods with staircase', () => {
    const smooth = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.96 });
    for (const step of [0, 1, 50, 99, 100, 250, 10_000]) expect(smooth(step)).toBeCloseTo(0.1 * 0.96 ** (step / 100), 15);
    const stairs = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.5, staircase: true });
    expect([0, 99, 100, 199, 200, 450].map(stairs)).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.1 * 0.5 ** 4]);
  });

  it('carries its name and options', () => {
    const schedule = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 });
    expect(schedule.name).toBe('exponentialDecay');
    expect(schedule.config).toEqual({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9, staircase: false });
    expect(Object.isFrozen(schedule.config)).toBe(true);
  });

  it("shows as its call in an optimizer's config, which summary() prints", () => {
    const opt = adam({ learningRate: exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 }) });
    expect(opt.config.learningRate).toBe('exponentialDecay(initialLearningRate=0.1, decaySteps=10, decayRate=0.9, staircase=false)');
    expect(sgd({ learningRate: piecewiseConstant({ boundaries: [5], values: [1, 0.5] }) }).config.learningRate).toBe('piecewiseConstant(boundaries=[5], values=[1, 0.5])');
  });
});

describe('piecewiseConstant', () => {
  it('holds values[i] on (boundaries[i-1], boundaries[i]], the boundary step itself belonging to the left piece', () => {
    const schedule = piecewiseConstant({ boundaries: [100, 200], values: [1, 0.5, 0.1] });
    expect([0, 99, 100, 101, 200, 201, 1e6].map(schedule)).toEqual([1, 1, 1, 0.5, 0.5, 0.1, 0.1]);
    expect(schedule.config).toEqual({ boundaries: [100, 200], values: [1, 0.5, 0.1] });
  });

  it('keeps its own copy of the arrays', () => {
    const boundaries = [10];
    const values = [1, 2];
    const schedule = piecewiseConstant({ boundaries, values });
    boundaries[0] = 0;
    values[1] = 9;
    expect([10, 11].map(schedule)).toEqual([1, 2]);
  });
});

describe('cosineDecay', () => {
  const cos = (initial: number, step: number, decaySteps: number, alpha: number): number =>
    initial * ((1 - alpha) * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, decaySteps)) / decaySteps)) + alpha);

  it('follows half a cosine from the initial rate down to alpha · initial, then stays there', () => {
    const schedule = cosineDecay({ initialLearningRate: 0.2, decaySteps: 1000, alpha: 0.1 });
    for (const step of [0, 1, 250, 500, 999, 1000, 5000]) expect(schedule(step)).toBeCloseTo(cos(0.2, step, 1000, 0.1), 15);
    expect(schedule(0)).toBe(0.2);
    expect(schedule(500)).toBeCloseTo(0.2 * (0.9 * 0.5 + 0.1), 15);
    expect(schedule(1000)).toBeCloseTo(0.02, 15);
  });

  it('warms up linearly to warmupTarget, then decays from it, and the two pieces meet', () => {
    const schedule = cosineDecay({ initialLearningRate: 0, decaySteps: 100, warmupTarget: 0.01, warmupSteps: 10 });
    for (const step of [0, 1, 5, 9]) expect(schedule(step)).toBeCloseTo((0.01 * step) / 10, 15);
    expect(schedule(0)).toBe(0);
    expect(schedule(10)).toBe(0.01);
    for (const step of [11, 60, 110, 500]) expect(schedule(step)).toBeCloseTo(cos(0.01, step - 10, 100, 0), 15);
    // Continuity at the join: a step on either side moves by at most one warm-up increment.
    expect(Math.abs(schedule(10) - schedule(9))).toBeCloseTo(0.001, 12);
    expect(Math.abs(schedule(11) - schedule(10))).toBeLessThan(0.001);
    expect(schedule.config).toEqual({ initialLearningRate: 0, decaySteps: 100, alpha: 0, warmupTarget: 0.01, warmupSteps: 10 });
  });
});

describe('a schedule as an optimizer learning rate', () => {
  it('drives the optimizer step by step', () => {
    const schedule = piecewiseConstant({ boundaries: [1], values: [1, 0.1] });
    const opt = sgd({ learningRate: schedule });
    let p = tensor([0], undefined, 'float64');
    let state = opt.init(p);
    for (let i = 0; i < 4; i++) [p, state] = opt.update(tensor([1], undefined, 'float64'), state, p);
    // Steps 0 and 1 use 1, steps 2 and 3 use 0.1.
    expect(p.item()).toBeCloseTo(-2.2, 14);
    expect(adam({ learningRate: cosineDecay({ initialLearningRate: 1e-3, decaySteps: 10 }) }).learningRateAt(10)).toBe(0);
  });
});

describe('a learning-rate override in the training state', () => {
  it('replaces a schedule with a constant until cleared, leaving the old state as it was', () => {
    const schedule = exponentialDecay({ initialLearningRate: 1, decaySteps: 1, decayRate: 0.5 });
    const optimizer = sgd({ learningRate: schedule });
    const params = { w: tensor([0], undefined, 'float64') };
    const grads = { w: tensor([1], undefined, 'float64') };
    let state = createTrainState(params, optimizer, 1);
    expect(state.learningRate).toBeNull();
    state = applyGradients(state, grads, optimizer);             // rate 1 at step 0
    const overridden = withLearningRate(state, 0.25);
    expect(state.learningRate).toBeNull();
    expect(Object.isFrozen(overridden)).toBe(true);
    expect(learningRateOf(overridden, optimizer)).toBe(0.25);
    let next = applyGradients(overridden, grads, optimizer);     // 0.25 instead of the schedule's 0.5
    next = applyGradients(next, grads, optimizer);               // still 0.25
    expect(next.params.w.item()).toBe(-1.5);
    const back = applyGradients(withLearningRate(next, null), grads, optimizer);  // the schedule at step 3: 0.125
    expect(back.params.w.item()).toBe(-1.625);
    expect(() => withLearningRate(state, Number.NaN)).toThrow(/withLearningRate: a learning-rate override must be a finite number >= 0, got NaN/);
    expect(() => optimizer.update(grads, optimizer.init(params), params, -1)).toThrow(/^sgd: a learning-rate override must be/);
  });
});

describe('schedule options are checked, naming the schedule and the option', () => {
  it('exponentialDecay', () => {
    expect(thrown(() => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 })).message)
      .toBe('exponentialDecay: decaySteps must be a positive finite number, got 0');
    expect(thrown(() => exponentialDecay({ initialLearningRate: -1, decaySteps: 1, decayRate: 0.5 }))).toBeInstanceOf(ValueError);
    expect(thrown(() => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: Number.NaN })).message).toMatch(/^exponentialDecay: decayRate must be/);
    expect(thrown(() => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5, staircase: 1 as never })).message)
      .toBe('exponentialDecay: staircase must be true or false, got 1');
    expect(thrown(() => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1 } as never)).message).toBe('exponentialDecay: the option decayRate is required');
    expect(thrown(() => exponentialDecay(undefined as never)).message).toBe('exponentialDecay: the option initialLearningRate is required');
    const typo = thrown(() => exponentialDecay({ initial_learning_rate: 0.1, decaySteps: 1, decayRate: 0.5 } as never));
    expect(typo).toBeInstanceOf(ConfigError);
    expect(typo.message).toMatch(/^exponentialDecay: unknown option 'initial_learning_rate' \(did you mean 'initialLearningRate'\?\)/);
  });

  it('piecewiseConstant', () => {
    expect(thrown(() => piecewiseConstant({ boundaries: [10, 20], values: [1, 2] })).message)
      .toBe('piecewiseConstant: values must have one more entry than boundaries (3), got 2');
    expect(thrown(() => piecewiseConstant({ boundaries: [10, 10], values: [1, 2, 3] })).message)
      .toBe('piecewiseConstant: boundaries must be strictly increasing, got 10 then 10 at index 1');
    expect(thrown(() => piecewiseConstant({ boundaries: [10], values: [1, -2] })).message)
      .toBe('piecewiseConstant: values[1] must be a finite number >= 0, got -2');
    expect(thrown(() => piecewiseConstant({ boundaries: [Number.NaN], values: [1, 2] })).message).toMatch(/^piecewiseConstant: boundaries\[0\] must be/);
    expect(thrown(() => piecewiseConstant({ boundaries: 5 as never, values: [1] }))).toBeInstanceOf(ValueError);
  });

  it('cosineDecay', () => {
    expect(thrown(() => cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, alpha: 1.5 })).message)
      .toBe('cosineDecay: alpha must be a number in [0, 1], got 1.5');
    const warmup = thrown(() => cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, warmupSteps: 5 }));
    expect(warmup).toBeInstanceOf(ConfigError);
    expect(warmup.message).toBe('cosineDecay: warmupSteps 5 needs a warmupTarget, the rate the warm-up climbs to');
    expect(thrown(() => cosineDecay({ initialLearningRate: 0, decaySteps: 10 })).message)
      .toBe('cosineDecay: initialLearningRate must be a positive finite number, got 0');
    expect(thrown(() => cosineDecay({ initialLearningRate: 0, decaySteps: 10, warmupTarget: -1, warmupSteps: 2 })).message)
      .toBe('cosineDecay: warmupTarget must be a positive finite number, got -1');
    expect(thrown(() => cosineDecay({ initialLearningRate: 0.1, decaySteps: -3 })).message).toMatch(/^cosineDecay: decaySteps must be/);
  });
});
