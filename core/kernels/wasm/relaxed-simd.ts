import { wasmApi } from './api.ts';
import { FunctionBuilder, encodeModule, v128 } from './emit.ts';

/** A module with one f32x4.relaxed_madd: it validates only where the engine has relaxed SIMD on. */
function probe(): Uint8Array {
  const f = new FunctionBuilder([v128, v128, v128], [v128]);
  f.get(0).get(1).get(2).relaxedMaddF32x4();
  return encodeModule({ memory: { initialPages: 1, shared: false }, exports: { madd: f } });
}

/**
 * Node 20 (V8 11.3) has relaxed SIMD behind a flag; V8 reads it at each validation and compilation, so a
 * process can turn it on for itself at run time. A no-op where the feature is already on (Node 22+) and
 * outside Node (no process.getBuiltinModule: browsers decide for themselves).
 */
function enableInNode(): void {
  const node = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
  const v8 = node.process?.getBuiltinModule?.('v8') as { setFlagsFromString(flags: string): void } | undefined;
  v8?.setFlagsFromString('--experimental-wasm-relaxed-simd');
}

let supported: boolean | undefined;

/** Whether WebAssembly relaxed SIMD compiles here, turning it on in Node 20 first (SEMIFLOW_FMA=0 answers false). */
export function relaxedSimd(): boolean {
  if (supported !== undefined) return supported;
  const env = typeof process === 'undefined' ? undefined : process.env.SEMIFLOW_FMA;
  if (env === '0') return (supported = false);
  const bytes = probe();
  if (!wasmApi.validate(bytes)) enableInNode();
  return (supported = wasmApi.validate(bytes));
}
