import { allocate } from '../../core/buffer-pool.ts';
import type { DType } from '../../core/dtype.ts';
import { ConfigError, ValueError, describeValue } from '../../core/errors.ts';
import { sizeOf } from '../../core/shape.ts';
import { Tensor } from '../../core/tensor.ts';
import { isJsonObject } from './names.ts';

// Binary packing as in the tfjs weights manifest: tensors back to back, each row-major, little-endian,
// described by {name, shape, dtype} in the same order.

export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** Bytes per value of each dtype. */
export const BYTES: Readonly<Record<DType, number>> = { float32: 4, float64: 8 };

/** The bytes of `tensors`, each stored as the dtype its spec gives (weights.bin is float32 for tfjs). */
export function packTensors(entries: readonly { name: string; tensor: Tensor; dtype: DType }[]): { specs: WeightSpec[]; bytes: Uint8Array } {
  const total = entries.reduce((n, e) => n + e.tensor.size * BYTES[e.dtype], 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const { tensor, dtype } of entries) {
    const values = tensor.storage;
    if (dtype === 'float32') {
      for (let i = 0; i < values.length; i++, offset += 4) view.setFloat32(offset, values[i], true);
    } else {
      for (let i = 0; i < values.length; i++, offset += 8) view.setFloat64(offset, values[i], true);
    }
  }
  return { specs: entries.map((e) => ({ name: e.name, shape: [...e.tensor.shape], dtype: e.dtype })), bytes };
}

/** Checks a manifest's weight entries: names, non-negative integer shapes, and a dtype semiflow reads. */
export function readSpecs(value: unknown, file: string): WeightSpec[] {
  if (!Array.isArray(value)) throw new ConfigError(`${file}: the weights manifest must list weights, got ${describeValue(value)}`);
  return value.map((spec: unknown, i) => {
    const where = `${file}: weight ${i}`;
    if (!isJsonObject(spec)) throw new ConfigError(`${where} must be {name, shape, dtype}, got ${describeValue(spec)}`);
    const { name, shape, dtype } = spec;
    if (typeof name !== 'string') throw new ConfigError(`${where} has no name`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
      throw new ConfigError(`${where} (${name}) has shape ${describeValue(shape)}; expected non-negative integers`);
    }
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new ConfigError(`${where} (${name}) has dtype ${describeValue(dtype)}; semiflow reads float32 and float64`);
    }
    if (spec.quantization !== undefined && spec.quantization !== null) throw new ConfigError(`${where} (${name}) is quantized, which semiflow does not read`);
    return { name, shape: shape as number[], dtype };
  });
}

/** The bytes a list of specs takes. */
export function byteLength(specs: readonly WeightSpec[]): number {
  return specs.reduce((n, s) => n + sizeOf(s.shape) * BYTES[s.dtype], 0);
}

/** Splits `bytes` into tensors of `dtype` (float32 for a float32 model) after checking that the length is exact. */
export function unpackTensors(specs: readonly WeightSpec[], bytes: Uint8Array, file: string, dtypeOf: (spec: WeightSpec) => DType): Tensor[] {
  const expected = byteLength(specs);
  if (bytes.length !== expected) {
    const hint = bytes.length < expected ? 'truncated' : 'longer than the manifest says';
    throw new ValueError(`${file}: has ${bytes.length} bytes but the manifest describes ${expected} (${specs.length} weights); the file is ${hint}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  return specs.map((spec) => {
    const size = sizeOf(spec.shape);
    const out = allocate(dtypeOf(spec), size);
    if (spec.dtype === 'float32') {
      for (let i = 0; i < size; i++, offset += 4) out[i] = view.getFloat32(offset, true);
    } else {
      for (let i = 0; i < size; i++, offset += 8) out[i] = view.getFloat64(offset, true);
    }
    return new Tensor(out, spec.shape);
  });
}
