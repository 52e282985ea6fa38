import { ConfigError, ShapeError, describeValue, fmtShape } from '../core/errors.ts';
import { reshape } from '../core/ops/index.ts';
import { checkOptionKeys } from '../core/options.ts';
import type { Shape } from '../core/shape.ts';
import type { Tensor } from '../core/tensor.ts';
import { markBuiltIn } from './built-in.ts';
import type { AnyLayer, CallOptions, LayerOptions, Weight } from './layer.ts';
import { Layer } from './layer.ts';

/**
 * Applies a layer to every time step of [batch, time, ...]: the steps become rows, [batch·time, ...], the layer runs
 * once on them, and the result is folded back to [batch, time, ...]. One set of weights serves every step; they are
 * this layer's weights (`time_distributed_1/kernel` in a saved model, as tfjs names them).
 */
export class TimeDistributed extends Layer {
  override supportsMasking = true;
  readonly layer: AnyLayer;
  private ownsBuild = false;

  constructor(layer: AnyLayer, options: LayerOptions = {}) {
    super(options);
    checkOptionKeys(options, ['name', 'trainable', 'inputShape'], this.name);
    if (!(layer instanceof Layer)) throw new ConfigError(`${this.name}: expected a Layer to apply at each step, got ${describeValue(layer)}`);
    this.layer = layer;
  }

  override get weights(): readonly Weight[] {
    return this.layer.weights;
  }

  protected override build(inputShape: Shape): void {
    this.ownsBuild = !this.layer.built;
    this.buildSublayer(this.layer, this.stepRows(inputShape));
  }

  /** Forgets the wrapped layer's build too, if this layer made it (a layer built before it was wrapped keeps its weights). */
  override resetBuild(): void {
    super.resetBuild();
    if (this.ownsBuild) this.layer.resetBuild();
    this.ownsBuild = false;
  }

  protected call(x: Tensor, options: CallOptions): Tensor {
    const [batch, time] = x.shape;
    const { training, rng } = options;
    const out = this.layer.apply(reshape(x, this.stepRows(x.shape)), { ...(training === undefined ? {} : { training }), ...(rng === undefined ? {} : { rng }) });
    if (Array.isArray(out)) throw new ConfigError(`${this.name}: ${this.layer.name} gives ${out.length} outputs; TimeDistributed applies a layer with one`);
    return reshape(out, [batch, time, ...out.shape.slice(1)]);
  }

  /** [batch, time, ...rest] as the rows of the wrapped layer: [batch·time, ...rest]. */
  private stepRows(shape: Shape): number[] {
    if (shape.length < 3) throw new ShapeError(`${this.name}: expected input [batch,time,...] of rank 3 or more, got ${fmtShape(shape)}`);
    return [shape[0] * shape[1], ...shape.slice(2)];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: { className: this.layer.constructor.name, config: this.layer.getConfig() } };
  }
}

markBuiltIn(TimeDistributed);
