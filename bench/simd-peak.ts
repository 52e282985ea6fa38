// The WebAssembly SIMD peak of this machine: GFLOP/s of a loop of independent f32x4 multiply-adds with no memory
// traffic, on 1 thread and on 2 at once. It is the ceiling any WebAssembly GEMM here can reach, against which
// the GEMM bench's figures are read. Usage: npx tsx -C semiflow-src bench/simd-peak.ts [--seconds 1]
import { Worker } from 'node:worker_threads';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { FunctionBuilder, encodeModule, i32, v128 } from '../core/kernels/wasm/emit.ts';
import { relaxedSimd } from '../core/kernels/wasm/relaxed-simd.ts';
import { wasmApi } from '../core/kernels/wasm/api.ts';
import type { WasmModule } from '../core/kernels/wasm/api.ts';

/** Independent accumulators: more than an FMA's latency (4 cycles) times its throughput (2 per cycle). */
const CHAINS = 12;

/**
 * spin(n): n rounds of CHAINS multiply-adds of four lanes, acc = acc·x + y, fused or as mul then add. Each product
 * depends on its accumulator, so no engine can hoist it out of the loop.
 */
function peakModule(fused: boolean): Uint8Array {
  const f = new FunctionBuilder([i32]);
  const round = f.local(i32);
  const x = f.local(v128);
  const y = f.local(v128);
  const acc = Array.from({ length: CHAINS }, () => f.local(v128));
  f.i32(0).loadV128().set(x).i32(16).loadV128().set(y);
  f.forRange(round, () => f.i32(0), () => f.get(0), 1, () => {
    for (const a of acc) {
      if (fused) f.get(a).get(x).get(y).relaxedMaddF32x4().set(a);
      else f.get(a).get(x).mulF32x4().get(y).addF32x4().set(a);
    }
  });
  f.i32(32);
  f.get(acc[0]);
  for (const a of acc.slice(1)) f.get(a).addF32x4();
  f.storeV128();
  return encodeModule({ memory: { initialPages: 1, shared: false }, exports: { spin: f } });
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const memory = new WebAssembly.Memory({ initial: 1 });
const f = new Float32Array(memory.buffer);
f.set([0.9999999, 0.9999999, 1, 1, 1e-7, 1e-7, 1e-7, 1e-7]);
const { spin } = new WebAssembly.Instance(workerData.module, { env: { memory } }).exports;
spin(1e5);
parentPort.on('message', (rounds) => {
  const t0 = performance.now();
  spin(rounds);
  parentPort.postMessage((performance.now() - t0) / 1000);
});
`;

/** GFLOP/s of `threads` workers each spinning for about `seconds`, counted over the slowest one. */
async function measure(module: WasmModule, threads: number, seconds: number): Promise<number> {
  const workers = Array.from({ length: threads }, () => new Worker(WORKER, { eval: true, workerData: { module } }));
  try {
    const run = (rounds: number): Promise<number[]> => Promise.all(workers.map((w) => new Promise<number>((resolve) => {
      w.once('message', resolve);
      w.postMessage(rounds);
    })));
    const probeRounds = 1e6;
    const probe = Math.max(...await run(probeRounds));
    const rounds = Math.max(probeRounds, Math.round((probeRounds * seconds) / probe));
    const elapsed = Math.max(...await run(rounds));
    return (threads * rounds * CHAINS * 8) / elapsed / 1e9;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '1' } } });
const seconds = Number(values.seconds);
const fma = relaxedSimd();
console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}; relaxed SIMD ${fma ? 'on' : 'off'}`);
for (const fused of fma ? [true, false] : [false]) {
  const module = new wasmApi.Module(peakModule(fused));
  const one = await measure(module, 1, seconds);
  const two = await measure(module, 2, seconds);
  const kind = fused ? 'f32x4.relaxed_madd' : 'f32x4.mul + f32x4.add';
  console.log(`${kind}: ${one.toFixed(1)} GFLOP/s on 1 thread, ${two.toFixed(1)} on 2 threads`);
}
