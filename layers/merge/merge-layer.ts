import { atSite } from '../../core/debug-numerics.ts';
import { ShapeError, ValueError, describeValue, fmtShape, prefixError } from '../../core/errors.ts';
import { sameShape } from '../../core/shape.ts';
import { Tensor } from '../../core/tensor.ts';
import type { ApplyOptions } from '../layer.ts';
import { Layer } from '../layer.ts';
import type { SymbolicTensor } from '../symbolic.ts';
import { isSymbolic } from '../symbolic.ts';
import type { MaskList } from '../mask-flow.ts';
import { andMasks } from '../mask-flow.ts';

/**
 * The base of the layers that combine a list of tensors into one (Add, Concatenate, …). They have no weights;
 * apply takes the list, checks its shapes against each other and calls merge().
 */
export abstract class MergeLayer extends Layer {
  /** How many tensors the layer takes: Subtract takes exactly 2, the others 2 or more. */
  protected readonly arity: { min: number; max: number } = { min: 2, max: Infinity };

  /** Masks pass through a merge, combined by mergeMasks. */
  override supportsMasking = true;

  /** The output's mask from the inputs' (undefined where an input has none): a step is real where it is real in all (Keras). */
  mergeMasks(_inputs: readonly Tensor[], masks: MaskList): Tensor | undefined {
    return andMasks(masks);
  }

  /** The combination itself, composed of ops. */
  protected abstract merge(inputs: readonly Tensor[]): Tensor;

  override apply(x: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor;
  override apply(x: Tensor | readonly Tensor[], options?: ApplyOptions): Tensor;
  override apply(x: Tensor | readonly Tensor[] | SymbolicTensor | readonly SymbolicTensor[]): Tensor | SymbolicTensor {
    if (isSymbolic(x)) return super.apply(x);
    const { min, max } = this.arity;
    const count = min === max ? `${min}` : `at least ${min}`;
    if (!Array.isArray(x) || !x.every((t) => t instanceof Tensor)) {
      throw new ValueError(`${this.name}: expected a list of ${count} tensors, got ${describeValue(x)}`);
    }
    const inputs = x as readonly Tensor[];
    if (inputs.length < min || inputs.length > max) throw new ValueError(`${this.name}: expected a list of ${count} tensors, got ${inputs.length}`);
    this.checkShapes(inputs.map((t) => t.shape));
    this.ensureBuilt(inputs[0].shape, inputs[0].dtype);
    try {
      return atSite(`layer ${this.name}`, () => this.merge(inputs));
    } catch (error) {
      throw prefixError(error, this.name);
    }
  }

  /** Elementwise merges need equal shapes; Concatenate relaxes its axis. */
  protected checkShapes(shapes: readonly (readonly number[])[]): void {
    const other = shapes.findIndex((s) => !sameShape(s, shapes[0]));
    if (other >= 0) {
      throw new ShapeError(`${this.name}: expected inputs of one shape, got ${fmtShape(shapes[0])} (input 0) and ${fmtShape(shapes[other])} (input ${other})`);
    }
  }

  /** Reached only through a single tensor, which apply refuses: a merge always takes a list. */
  protected call(x: Tensor): Tensor {
    return this.apply([x]);
  }
}
