// The compiled addon (build/Release/semiflow_gloo.node), loaded on first use so that a missing build is a clear error.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An opaque handle on one connected Gloo group. */
export type GroupHandle = { readonly __glooGroup: unique symbol };

export interface ConnectArgs {
  rank: number;
  size: number;
  storeKind: 'redis' | 'file';
  storeHost: string;
  storePort: number;
  storePath: string;
  prefix: string;
  hostname: string;
  iface: string;
  timeoutMs: number;
}

export interface NativeGloo {
  connect(args: ConnectArgs): Promise<GroupHandle>;
  allReduceSum(group: GroupHandle, data: Float32Array): Promise<void>;
  broadcast(group: GroupHandle, data: Float32Array, root: number): Promise<void>;
  barrier(group: GroupHandle): Promise<void>;
  close(group: GroupHandle): Promise<void>;
}

/** The package's root: the nearest folder above this file with binding.gyp (src/ in the repository, dist/src/ installed). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'binding.gyp')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Where the addon is built by `npm run build:gloo` (or the package's install script). */
export const addonPath = join(packageRoot(), 'build', 'Release', 'semiflow_gloo.node');

let loaded: NativeGloo | undefined;

export function nativeGloo(): NativeGloo {
  if (loaded) return loaded;
  if (!existsSync(addonPath)) {
    throw new Error(`semiflow-gloo: the native addon is not built (${addonPath} is missing); run \`npm run build:gloo\` in semiflow's repository, or reinstall semiflow-gloo on Linux with libgloo-dev and libhiredis-dev installed`);
  }
  loaded = createRequire(import.meta.url)(addonPath) as NativeGloo;
  return loaded;
}
