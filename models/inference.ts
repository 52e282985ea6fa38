import { allocate } from '../core/dtype.ts';
import { ShapeError, ValueError, describeValue, fmtShape, prefixError } from '../core/errors.ts';
import { sizeOf } from '../core/shape.ts';
import { noGrad } from '../core/tape.ts';
import { Tensor } from '../core/tensor.ts';
import { sliceRows } from '../data/batches.ts';
import { checkOptionKeys, positiveInt } from '../core/options.ts';
import type { Logs } from './callbacks.ts';
import type { Compiled } from './compile.ts';
import type { Sequential } from './sequential.ts';

export interface PredictOptions {
  /** Samples per forward pass; Keras's default is 32. */
  batchSize?: number;
}

export type EvaluateOptions = PredictOptions;

const DEFAULT_BATCH = 32;

/** x and y must be tensors with one row per sample, the same number of rows. */
export function checkTargets(model: Sequential, x: Tensor, y: unknown, where: string, names = ['x', 'y']): Tensor {
  if (!(y instanceof Tensor)) throw new ValueError(`${model.name}.${where}: ${names[1]} must be a Tensor, got ${describeValue(y)}`);
  if (y.rank === 0 || y.shape[0] !== x.shape[0]) {
    throw new ShapeError(`${model.name}.${where}: ${names[0]} has ${x.shape[0]} samples but ${names[1]} ${y.rank === 0 ? 'is a scalar' : `has ${y.shape[0]}`} (shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)})`);
  }
  return y;
}

function batchSizeOf(options: PredictOptions, where: string): number {
  checkOptionKeys(options, ['batchSize'], where);
  return positiveInt(options.batchSize ?? DEFAULT_BATCH, 'batchSize', where);
}

/** The outputs for every row of x, computed batchSize rows at a time and gathered into one tensor. */
export function predictBatches(model: Sequential, x: Tensor, options: PredictOptions): Tensor {
  const where = `${model.name}.predict`;
  try {
    const batchSize = batchSizeOf(options, where);
    model.checkInput(x, 'predict');
    const rows = x.shape[0];
    const sampleShape = model.outputShape as readonly number[];
    const rowSize = sizeOf(sampleShape);
    const out = allocate(model.dtype, rows * rowSize);
    noGrad(() => {
      for (let start = 0; start < rows; start += batchSize) {
        const end = Math.min(start + batchSize, rows);
        out.set(model.forward(sliceRows(x, start, end)).storage, start * rowSize);
      }
    });
    return new Tensor(out, [rows, ...sampleShape]);
  } catch (error) {
    throw prefixError(error, where);
  }
}

/** The loss and metrics over all rows, each batch weighted by its size. Uses the training (possibly fused) loss. */
export function evaluateBatches(model: Sequential, compiled: Compiled, x: Tensor, y: Tensor, options: EvaluateOptions, where: string): Record<string, number> {
  const who = `${model.name}.${where}`;
  try {
    const batchSize = batchSizeOf(options, who);
    model.checkInput(x, where);
    checkTargets(model, x, y, where);
    const rows = x.shape[0];
    const logits = compiled.fusedLayer !== null;
    let lossTotal = 0;
    const totals = compiled.metrics.map(() => ({ total: 0, count: 0 }));
    noGrad(() => {
      for (let start = 0; start < rows; start += batchSize) {
        const end = Math.min(start + batchSize, rows);
        const yb = sliceRows(y, start, end);
        const out = model.forward(sliceRows(x, start, end), { logits });
        lossTotal += compiled.trainingLoss.compute(yb, out).item() * (end - start);
        compiled.metrics.forEach((m, i) => {
          const { total, count } = m.measure(yb, out, logits);
          totals[i].total += total;
          totals[i].count += count;
        });
      }
    });
    const logs: Record<string, number> = { loss: lossTotal / rows };
    compiled.metrics.forEach((m, i) => { logs[m.name] = totals[i].total / totals[i].count; });
    return logs satisfies Logs;
  } catch (error) {
    throw prefixError(error, who);
  }
}
