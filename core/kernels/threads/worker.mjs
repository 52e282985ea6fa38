// A pool worker: instantiates the module on the shared memory, then waits on SEQ and drains each job.
import { parentPort, workerData } from 'node:worker_threads';
import { SEQ, drain, spinWhile } from './claim.mjs';

const { module, memory, control, entry, worker, spinMs } = workerData;
const ctl = new Int32Array(control);
const run = new WebAssembly.Instance(module, { env: { memory } }).exports[entry];
parentPort.postMessage('ready');
for (let seen = 0; ;) {
  // Products come in bursts (a training step's forward and backward): a worker woken from a futex
  // starts tens of µs late, one still spinning at once.
  spinWhile(ctl, SEQ, seen, spinMs);
  Atomics.wait(ctl, SEQ, seen);
  seen = Atomics.load(ctl, SEQ);
  drain(ctl, seen, run, worker);
}
