// The small residual CNN of examples/mnist-resnet.ts, built with the functional API. bench/baselines/resnet_torch.py
// builds the same network in PyTorch.
import { Activation, Add, BatchNormalization, Conv2D, Dense, GlobalAveragePooling2D, input, model } from 'semiflow';
import type { Functional, SymbolicTensor } from 'semiflow';

export interface ResnetShape {
  /** Channels of the stem conv at 28×28. */
  stem: number;
  /** Channels of each stage; every stage starts with a stride-2 block, so they run at 14×14, 7×7, ... */
  widths: readonly number[];
  /** Residual blocks per stage. */
  blocks: number;
}

export const RESNET: ResnetShape = { stem: 16, widths: [32, 64], blocks: 1 };

/** conv → BN, with no conv bias (BN's beta is the offset). */
function convBn(x: SymbolicTensor, filters: number, kernel: number, strides: number): SymbolicTensor {
  const conv = new Conv2D(filters, kernel, { strides, padding: 'same', useBias: false }).apply(x);
  return new BatchNormalization().apply(conv);
}

const relu = (x: SymbolicTensor): SymbolicTensor => new Activation('relu').apply(x);

/** relu(x' + shortcut), x' = BN(conv3×3(relu(BN(conv3×3(x))))); a 1×1 conv + BN projects the shortcut when the shape changes. */
function residualBlock(x: SymbolicTensor, filters: number, strides: number): SymbolicTensor {
  const branch = convBn(relu(convBn(x, filters, 3, strides)), filters, 3, 1);
  const channels = x.shape[x.shape.length - 1];
  const shortcut = strides === 1 && channels === filters ? x : convBn(x, filters, 1, strides);
  return relu(new Add().apply([branch, shortcut]));
}

/** Stem conv at 28×28, then the stages (each halving the resolution in its first block), GAP and a softmax. */
export function buildResnet(seed: number, shape: ResnetShape = RESNET): Functional {
  const images = input({ shape: [28, 28, 1], name: 'images' });
  let x = relu(convBn(images, shape.stem, 3, 1));
  for (const width of shape.widths) {
    for (let b = 0; b < shape.blocks; b++) x = residualBlock(x, width, b === 0 ? 2 : 1);
  }
  const pooled = new GlobalAveragePooling2D().apply(x);
  const classes = new Dense(10, { activation: 'softmax' }).apply(pooled);
  return model({ inputs: images, outputs: classes, seed });
}
