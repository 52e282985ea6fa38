/**
 * The part of the WebAssembly JS API this project uses, typed here: the project compiles against
 * ES2022 and Node's types, and only lib.dom declares WebAssembly.
 */

/** A compiled module (opaque; it can be posted to a worker). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

export interface WasmMemory<B extends ArrayBufferLike = SharedArrayBuffer> {
  readonly buffer: B;
  /** Grows by `pages` of 64 KiB; returns the previous size in pages. */
  grow(pages: number): number;
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: {
    new (descriptor: { initial: number; maximum: number; shared: true }): WasmMemory;
    new (descriptor: { initial: number }): WasmMemory<ArrayBuffer>;
  };
  Instance: new (module: WasmModule, imports: { env: { memory: WasmMemory<ArrayBufferLike> } }) => { readonly exports: Record<string, unknown> };
}

export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** An instance of `module` on `memory`, and its export `name` as a function. */
export function instantiateExport<F>(module: WasmModule, memory: WasmMemory, name: string): F {
  return new wasmApi.Instance(module, { env: { memory } }).exports[name] as F;
}

export const PAGE_BYTES = 65536;
/** Byte offsets are compared as signed i32, so a memory stays under 2 GiB. */
export const MAXIMUM_PAGES = 32767;

/** Grows `memory` to at least `bytes`; false when that is past MAXIMUM_PAGES. Growing a plain memory detaches its old views. */
export function growTo(memory: WasmMemory<ArrayBufferLike>, bytes: number): boolean {
  if (bytes > MAXIMUM_PAGES * PAGE_BYTES) return false;
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
  return true;
}
