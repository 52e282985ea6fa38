import { activationSpecs } from './activations.ts';
import { elementwiseSpecs } from './elementwise.ts';
import { lossSpecs } from './losses.ts';
import { reduceMovementSpecs } from './reduce-movement.ts';
import type { SpecTable } from './spec.ts';
import { structureSpecs } from './structure.ts';
import { windowLinalgSpecs } from './window-linalg.ts';

/** Typed as the full table: an op or primitive without an entry is a compile error. */
export const specs: SpecTable = { ...elementwiseSpecs, ...activationSpecs, ...reduceMovementSpecs, ...windowLinalgSpecs, ...structureSpecs, ...lossSpecs };
