import type { SpecTable } from './spec.ts';

export const windowLinalgSpecs = {} satisfies Partial<SpecTable>;
