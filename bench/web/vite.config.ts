// The browser bench's page on Vite's dev server, cross-origin isolated (COOP/COEP) so that both semiflow and
// tfjs-wasm can run threads. bench/web-run.ts starts it and drives Chromium.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../..');
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: here,
  resolve: { alias: [{ find: /^semiflow$/, replacement: join(repo, 'index.ts') }] },
  // The tfjs baseline script lives in ../shared/baselines, beside the repository.
  server: { headers: isolation, host: '127.0.0.1', fs: { allow: [repo, join(repo, '../shared/baselines')] } },
});
