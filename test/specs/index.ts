import { elementwiseSpecs } from './elementwise.ts';
import type { SpecTable } from './spec.ts';

export const specs: Partial<SpecTable> = { ...elementwiseSpecs };
