import { readFile } from 'node:fs/promises';
import { FileError } from '../core/errors.ts';
import { writeFileAtomic } from '../models/write-atomic.ts';
import type { Model } from '../models/model.ts';
import type { ToOnnxOptions } from './to-onnx.ts';

// Node's file forms of toOnnx and loadOnnx, exported by semiflow/node. The ONNX code (and onnx-buf) is imported
// only when one of them is called, so semiflow/node works without the optional onnx-buf.

/** Writes toOnnx(model) to `path` atomically: a reader sees the previous file or the new one, never half of one. */
export async function saveOnnx(model: Model, path: string, options?: ToOnnxOptions): Promise<void> {
  const { toOnnx } = await import('./to-onnx.ts');
  const bytes = toOnnx(model, options);
  try {
    await writeFileAtomic(path, bytes);
  } catch (error) {
    throw new FileError(`saveOnnx: cannot write ${path}: ${(error as Error).message}`, path, 'save', { cause: error });
  }
}

/** loadOnnx of the bytes of the file at `path`. */
export async function loadOnnxFile(path: string): Promise<Model> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new FileError(`loadOnnxFile: cannot read ${path}: ${(error as Error).message}`, path, 'load', { cause: error });
  }
  const { loadOnnx } = await import('./load-onnx.ts');
  return loadOnnx(bytes);
}
