// A pool worker: instantiates the module on the shared memory, then sleeps on SEQ and drains each job.
import { parentPort, workerData } from 'node:worker_threads';
import { SEQ, drain } from './claim.mjs';

const { module, memory, control, entry, worker } = workerData;
const ctl = new Int32Array(control);
const run = new WebAssembly.Instance(module, { env: { memory } }).exports[entry];
parentPort.postMessage('ready');
for (let seen = 0; ;) {
  Atomics.wait(ctl, SEQ, seen);
  seen = Atomics.load(ctl, SEQ);
  drain(ctl, seen, run, worker);
}
