// semiflow-gloo: a Communicator for semiflow's data-parallel fit over Gloo, the CPU collective library under
// PyTorch's torch.distributed (Debian's libgloo), through a Node-API addon.
export { GlooCommunicator } from './src/gloo-communicator.ts';
export { communicatorFromEnv } from './src/from-env.ts';
export type { GlooOptions } from './src/options.ts';

import { GlooCommunicator } from './src/gloo-communicator.ts';
import type { GlooOptions } from './src/options.ts';

/** Joins a Gloo group: `connectGloo({ rank, size, store: 'redis://host:6379' })`. */
export function connectGloo(options: GlooOptions): Promise<GlooCommunicator> {
  return GlooCommunicator.connect(options);
}
