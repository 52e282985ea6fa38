// npm run build: tsc emits dist/ (tsconfig.build.json); the worker scripts are plain JavaScript that tsc does not
// copy, so they are copied beside the compiled pool, with claim.d.mts for the declarations that import it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
const threads = 'core/kernels/threads';
for (const file of readdirSync(join(root, threads)).filter((f) => f.endsWith('.mjs') || f.endsWith('.d.mts'))) {
  copyFileSync(join(root, threads, file), join(root, 'dist', threads, file));
}
