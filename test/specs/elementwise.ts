import fc from 'fast-check';
import { add, arbBroadcastShapes, arbShape, arbTensor, exp } from '../../index.ts';
import type { SpecTable } from './spec.ts';
import { elementwiseReference } from './spec.ts';

export const elementwiseSpecs = {
  exp: {
    cases: arbShape().chain((shape) => arbTensor(shape)).map((x) => ({
      inputs: [x],
      run: (a) => exp(a),
      reference: (a) => elementwiseReference([a], Math.exp),
    })),
    gradient: 'checked',
    secondOrder: true,
  },
  add: {
    cases: arbBroadcastShapes()
      .chain(([s, t]) => fc.tuple(arbTensor(s), arbTensor(t)))
      .map(([x, y]) => ({
        inputs: [x, y],
        run: (a, b) => add(a, b),
        reference: (a, b) => elementwiseReference([a, b], (u, v) => u + v),
      })),
    gradient: 'checked',
    secondOrder: true,
  },
} satisfies Partial<SpecTable>;
