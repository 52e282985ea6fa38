import { ConfigError } from '../core/errors.ts';
import { cast, mul } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';

// How a mask flows from layer to layer, shared by Sequential, Functional and the symbolic dry run. A mask is
// [batch, time], 1 for a real step and 0 for padding (see CallOptions.mask). When no layer makes a mask, every
// mask is undefined and nothing here computes anything.

/** One mask per tensor: undefined where none flows. */
export type MaskList = readonly (Tensor | undefined)[];

/** What this file reads of a layer (a structural view, so that layer.ts can import this file). */
interface MaskedLayer {
  readonly name: string;
  readonly supportsMasking: boolean;
  computeMask(x: Tensor, mask: Tensor | undefined): Tensor | undefined;
  /** A layer that takes a list (a merge layer) combines its inputs' masks here. */
  mergeMasks?(inputs: readonly Tensor[], masks: MaskList): Tensor | undefined;
}

/**
 * The mask a call receives, given its inputs' masks and the names of the layers that made those inputs. A layer
 * that does not support masking is refused a mask (tfjs does the same; tf.keras 2 drops it silently, which treats
 * the padded steps as data). A layer that takes a list sees no mask in its call, only in mergeMasks.
 */
export function maskForCall(layer: MaskedLayer, masks: MaskList, takesList: boolean, sources: readonly string[] = []): Tensor | undefined {
  const first = masks.findIndex((m) => m !== undefined);
  if (first < 0) return undefined;
  if (!layer.supportsMasking) {
    const from = sources[first] === undefined ? '' : ` (from ${sources[first]})`;
    throw new ConfigError(`${layer.name}: does not support masking, but its input${from} carries a mask; ignoring it would treat the padded steps as data. Consume the mask first (a recurrent layer) or drop it (no maskZero, no Masking layer)`);
  }
  return takesList ? undefined : masks[first];
}

/**
 * The masks of a call's outputs: computeMask gives the first output's (mergeMasks for a layer taking a list) and
 * the other outputs carry none, as the states of Keras's recurrent layers.
 */
export function outputMasks(layer: MaskedLayer, x: Tensor | readonly Tensor[], masks: MaskList, count: number): MaskList {
  const first = Array.isArray(x)
    ? (masks.every((m) => m === undefined) ? undefined : layer.mergeMasks?.(x as readonly Tensor[], masks))
    : layer.computeMask(x as Tensor, masks[0]);
  return count === 1 ? [first] : [first, ...new Array<undefined>(count - 1)];
}

/** Keras's rule for merged masks: a step is real when it is real in every input that has a mask. */
export function andMasks(masks: MaskList): Tensor | undefined {
  const present = masks.filter((m): m is Tensor => m !== undefined);
  if (present.length === 0) return undefined;
  return present.slice(1).reduce((acc, m) => mul(acc, m.dtype === acc.dtype ? m : cast(m, acc.dtype)), present[0]);
}
