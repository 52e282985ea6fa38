import type { SpecTable } from './spec.ts';

export const reduceMovementSpecs = {} satisfies Partial<SpecTable>;
