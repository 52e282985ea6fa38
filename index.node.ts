// What `import 'semiflow'` gives under Node: the framework (index.ts) on Node's platform, so that GEMM threads
// use worker_threads, progress goes to stdout, and model.save(dir) / loadModel(dir) use the file system.
import './platform/node/register.ts';

export * from './index.ts';
