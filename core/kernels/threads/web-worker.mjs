// A pool worker in a browser (a module Web Worker): the same loop as worker.mjs, started by a message.
import { SEQ, drain, spinWhile } from './claim.mjs';

self.addEventListener('message', ({ data }) => {
  const { module, memory, control, entry, worker, spinMs } = data;
  const ctl = new Int32Array(control);
  const run = new WebAssembly.Instance(module, { env: { memory } }).exports[entry];
  self.postMessage('ready');
  for (let seen = 0; ;) {
    spinWhile(ctl, SEQ, seen, spinMs);
    Atomics.wait(ctl, SEQ, seen);
    seen = Atomics.load(ctl, SEQ);
    drain(ctl, seen, run, worker);
  }
}, { once: true });
