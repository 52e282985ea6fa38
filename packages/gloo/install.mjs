// Builds the addon with node-gyp against the headers of the running Node (--nodedir), so nothing is downloaded.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const nodedir = dirname(dirname(process.execPath));
const fail = (why) => {
  console.error(`semiflow-gloo: ${why}`);
  process.exit(1);
};

if (process.platform !== 'linux') fail('Gloo is built for Linux only.');
if (!existsSync(join(nodedir, 'include/node/node_api.h'))) {
  fail(`Node's headers are not in ${nodedir}/include/node (install Node with its headers, e.g. Debian's nodejs or libnode-dev).`);
}
if (!existsSync('/usr/include/gloo/allreduce.h')) {
  fail('libgloo headers are missing: apt-get install -y libgloo-dev libhiredis-dev');
}
// npm sets npm_config_node_gyp inside scripts; otherwise take the node-gyp bundled with npm next to this node.
const gyp = process.env.npm_config_node_gyp ?? join(nodedir, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
if (!existsSync(gyp)) fail(`node-gyp not found at ${gyp}`);
const run = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`], { cwd: here, stdio: 'inherit' });
process.exit(run.status ?? 1);
