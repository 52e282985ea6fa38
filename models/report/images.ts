import { ConfigError, fmtShape } from '../../core/errors.ts';
import type { TypedArray } from '../../core/dtype.ts';
import { escapeHtml } from './escape.ts';
import { pngDataUri } from './png.ts';

export interface ImageShape {
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
}

/**
 * How one sample reads as an image: from `given` ([h, w] or [h, w, c]), which must hold exactly the sample's
 * values, else from a sample shape [h, w, 1|3] or [h, w]. Undefined when the samples do not look like images.
 */
export function imageShapeOf(sampleShape: readonly number[], given: readonly number[] | undefined, who: string): ImageShape | undefined {
  const size = sampleShape.reduce((a, b) => a * b, 1);
  if (given !== undefined) {
    const [height, width, channels = 1] = given;
    if (height * width * channels !== size) {
      throw new ConfigError(`${who}: imageShape ${fmtShape(given)} holds ${height * width * channels} values but each validation sample ${fmtShape(sampleShape)} has ${size}`);
    }
    return { height, width, channels: channels as 1 | 3 };
  }
  const [height, width, channels = 1] = sampleShape;
  const fits = (sampleShape.length === 3 && (channels === 1 || channels === 3)) || sampleShape.length === 2;
  return fits && height > 1 && width > 1 ? { height, width, channels: channels as 1 | 3 } : undefined;
}

/** Pixels in [0,1] are scaled by 255, pixels in [0,255] kept; anything else is stretched per image from its min to its max. */
export type PixelRange = 'unit' | 'byte' | 'stretch';

export function pixelRange(values: TypedArray): PixelRange {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo >= 0 && hi <= 1 ? 'unit' : lo >= 0 && hi <= 255 ? 'byte' : 'stretch';
}

/** Sample `index` of `values` as a PNG data: URI. */
export function imageUri(values: TypedArray, index: number, shape: ImageShape, range: PixelRange): string {
  const size = shape.height * shape.width * shape.channels;
  const sample = values.subarray(index * size, (index + 1) * size);
  let offset = 0;
  let scale = range === 'unit' ? 255 : 1;
  if (range === 'stretch') {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of sample) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    offset = Number.isFinite(lo) ? lo : 0;
    scale = hi > lo ? 255 / (hi - lo) : 0;
  }
  const pixels = Uint8Array.from(sample, (v) => Math.max(0, Math.min(255, Math.round((v - offset) * scale))));
  return pngDataUri(pixels, shape.width, shape.height, shape.channels);
}

export interface Miss {
  readonly index: number;
  readonly trueLabel: string;
  readonly predictedLabel: string;
  readonly score: number;
  readonly uri: string | undefined;
}

/** A probability as a percentage; a logit (a model trained on logits) as a number. */
const showScore = (score: number): string => (score >= 0 && score <= 1 ? `${(100 * score).toFixed(0)}%` : score.toPrecision(3));

/** One figure per misclassified sample: the image when there is one, the true and predicted label, the model's score. */
export function missGrid(misses: readonly Miss[]): string {
  return `<div class="misses">${misses.map((m) => `<figure class="miss" data-index="${m.index}">`
    + (m.uri === undefined ? '' : `<img src="${m.uri}" alt="validation sample ${m.index}">`)
    + `<figcaption><span class="true" title="true label">${escapeHtml(m.trueLabel)}</span> → `
    + `<span class="pred" title="predicted label, score ${m.score.toFixed(3)}">${escapeHtml(m.predictedLabel)}</span>`
    + `<span class="score">${showScore(m.score)}</span></figcaption></figure>`).join('')}</div>`;
}
