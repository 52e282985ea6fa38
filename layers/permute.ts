import { ConfigError, describeValue } from '../core/errors.ts';
import { permute } from '../core/ops/index.ts';
import { checkOptionKeys } from '../core/options.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import { markBuiltIn } from './built-in.ts';
import type { LayerOptions } from './layer.ts';
import { Layer } from './layer.ts';

/** Keras's Permute: reorders the axes of each sample; dims is a permutation of 1..rank-1 (the batch axis stays 0). */
export class Permute extends Layer {
  readonly dims: readonly number[];

  constructor(dims: readonly number[], options: LayerOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape'], this.name);
    const sorted = Array.isArray(dims) ? [...dims].sort((a, b) => a - b) : [];
    if (sorted.length === 0 || sorted.some((d, i) => d !== i + 1)) {
      throw new ConfigError(`${this.name}: dims must be a permutation of 1..n (axis 0 is the batch), like [2, 1], got ${describeValue(dims)}`);
    }
    this.dims = Object.freeze([...dims]);
  }

  protected override build(inputShape: Shape): void {
    if (inputShape.length !== this.dims.length + 1) {
      throw new ConfigError(`${this.name}: dims ${describeValue(this.dims)} permute ${this.dims.length} axes, but the input has ${inputShape.length - 1} after the batch axis`);
    }
  }

  protected call(x: Tensor): Tensor {
    return permute(x, [0, ...this.dims]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dims: this.dims };
  }
}

markBuiltIn(Permute);
