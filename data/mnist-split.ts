import { ValueError, fmtShape } from '../core/errors.ts';
import { Tensor } from '../core/tensor.ts';
import type { IdxArray } from './idx.ts';

/** One MNIST split, as tensors ready to train on. */
export interface MnistSplit {
  /** [N,H,W,1] float32 (or [N,H·W] with flat), pixel / 255 in [0,1]. */
  images: Tensor;
  /** [N] float32 holding the integer class 0..9. */
  labels: Tensor;
  /** The same classes as bytes. */
  labelValues: Uint8Array;
  /** [N,10] float32, a 1 at each label. */
  oneHot: Tensor;
}

const CLASSES = 10;

/** Where a split's images and labels came from, and how many of them to keep (sizeName: the option that asked). */
export interface MnistSplitOptions {
  size?: number | undefined;
  sizeName?: string;
  imagesName?: string;
  labelsName?: string;
  /** Images as rows [N, H·W] rather than [N,H,W,1]. */
  flat?: boolean;
}

/**
 * An MNIST split from its decoded IDX files (see parseIdx): checked (uint8 [N,H,W] images, N labels in 0..9), the
 * first `size` examples kept, pixels scaled to [0,1]. loadMnist reads the files in Node; a page fetches them.
 */
export function mnistSplit(images: IdxArray, labels: IdxArray, options: MnistSplitOptions = {}): MnistSplit {
  const { size, flat = false, sizeName = 'size', imagesName: imagesPath = 'the images', labelsName: labelsPath = 'the labels' } = options;
  if (images.type !== 'uint8' || images.dims.length !== 3) {
    throw new ValueError(`loadMnist: ${imagesPath} should hold uint8 images [N,H,W], found ${images.type} ${fmtShape(images.dims)}`);
  }
  if (labels.type !== 'uint8' || labels.dims.length !== 1) {
    throw new ValueError(`loadMnist: ${labelsPath} should hold uint8 labels [N], found ${labels.type} ${fmtShape(labels.dims)}`);
  }
  const [available, height, width] = images.dims;
  if (labels.dims[0] !== available) {
    throw new ValueError(`loadMnist: ${imagesPath} holds ${available} images but ${labelsPath} holds ${labels.dims[0]} labels`);
  }
  const bad = labels.data.findIndex((v) => v >= CLASSES);
  if (bad >= 0) {
    throw new ValueError(`loadMnist: ${labelsPath} has label ${labels.data[bad]} at index ${bad} (expected a class in 0..${CLASSES - 1})`);
  }
  if (size !== undefined && size > available) {
    throw new ValueError(`loadMnist: ${sizeName} ${size} exceeds the ${available} examples in ${imagesPath}`);
  }

  const n = size ?? available;
  const pixels = images.data.subarray(0, n * height * width);
  const imageValues = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) imageValues[i] = pixels[i] / 255;
  const labelValues = Uint8Array.from(labels.data.subarray(0, n));
  const oneHot = new Float32Array(n * CLASSES);
  for (let i = 0; i < n; i++) oneHot[i * CLASSES + labelValues[i]] = 1;
  return {
    images: new Tensor(imageValues, flat ? [n, height * width] : [n, height, width, 1]),
    labels: new Tensor(Float32Array.from(labelValues), [n]),
    labelValues,
    oneHot: new Tensor(oneHot, [n, CLASSES]),
  };
}
