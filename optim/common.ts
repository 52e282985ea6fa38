import { ConfigError } from '../core/errors.ts';
import type { Tensor } from '../core/tensor.ts';
import { clipByGlobalNorm, clipByNorm, clipByValue } from './clip.ts';
import type { CommonOptions } from './optimizer.ts';
import { NON_NEGATIVE, POSITIVE, checkNumber } from './options.ts';

export const COMMON_KEYS: readonly string[] = ['weightDecay', 'clipnorm', 'clipvalue', 'globalClipnorm'];

/** The validated common options: what the shared update driver needs from them. */
export interface CommonSettings {
  readonly weightDecay: number;
  /** The clip to run on the gradients before the update, or the identity. */
  readonly clip: (grads: Tensor[]) => Tensor[];
  readonly config: Readonly<Record<string, number | null>>;
}

export function commonSettings(who: string, options: CommonOptions, defaultWeightDecay: number): CommonSettings {
  const { weightDecay = defaultWeightDecay, clipnorm, clipvalue, globalClipnorm } = options;
  checkNumber(who, 'weightDecay', weightDecay, NON_NEGATIVE);
  const given = Object.entries({ clipnorm, clipvalue, globalClipnorm }).filter(([, v]) => v !== undefined);
  // Keras allows one clip only: two would leave their order ambiguous.
  if (given.length > 1) {
    throw new ConfigError(`${who}: only one of clipnorm, clipvalue and globalClipnorm can be set, got ${given.map(([k]) => k).join(' and ')}`);
  }
  for (const [key, value] of given) checkNumber(who, key, value, POSITIVE);
  const clip = clipnorm !== undefined ? (g: Tensor[]) => clipByNorm(g, clipnorm)
    : clipvalue !== undefined ? (g: Tensor[]) => clipByValue(g, clipvalue)
    : globalClipnorm !== undefined ? (g: Tensor[]) => clipByGlobalNorm(g, globalClipnorm)
    : (g: Tensor[]) => g;
  return {
    weightDecay,
    clip,
    config: { weightDecay, clipnorm: clipnorm ?? null, clipvalue: clipvalue ?? null, globalClipnorm: globalClipnorm ?? null },
  };
}
