// semiflow as its users get it: `npm pack`, installed from the tarball into a fresh project, used from plain
// JavaScript (ES modules and CommonJS) under node, Bun and Deno, type-checked from strict TypeScript, and bundled
// for the browser.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const consumer = join(repo, 'test/consumer');
const work = mkdtempSync(join(tmpdir(), 'semiflow-package-'));
const project = join(work, 'user');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** The test runner resolves 'semiflow' to the sources (NODE_OPTIONS); a user's node must not. */
const env = { ...process.env, NODE_OPTIONS: '' };
const lockVersion = (name: string): string =>
  (JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> }).packages[`node_modules/${name}`].version;

const run = (command: string, args: string[], cwd = project, extraEnv: Record<string, string> = {}): string =>
  execFileSync(command, args, { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 180_000, stdio: ['ignore', 'pipe', 'pipe'] });

/** Bun and Deno as the npm registry ships them (binaries in optional dependencies), pinned. */
const ENGINES = ['bun@1.4.5', 'deno@2.9.6'];
let tarball: string;
let enginesMissing: string | undefined;

beforeAll(() => {
  // prepack builds dist/ first.
  run(npm, ['pack', '--silent', '--pack-destination', work], repo);
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) as string);
  execFileSync('mkdir', [project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user', version: '1.0.0', private: true, type: 'module' }));
  // The registry is reachable, but what is in npm's cache is taken first: fast-check and @types/node are the repo's.
  run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, `fast-check@${lockVersion('fast-check')}`, `@types/node@${lockVersion('@types/node')}`]);
  for (const file of readdirSync(consumer)) copyFileSync(join(consumer, file), join(project, file));
  try {
    run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-save', ...ENGINES]);
  } catch (error) {
    enginesMissing = `npm could not install ${ENGINES.join(' and ')}: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`;
  }
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the tarball', () => {
  it('holds the built package and neither sources nor tests; its only dependency is immer', () => {
    const files = run('tar', ['-tzf', tarball]).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/onnx.js');
    expect(files).toContain('dist/core/kernels/threads/worker.mjs');
    expect(files).toContain('dist/core/kernels/threads/web-worker.mjs');
    expect(files.filter((f) => /^(test|bench|\.ci|docs|examples)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules/semiflow/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).toEqual(['immer']);
    console.log(`tarball: ${(readFileSync(tarball).length / 1024).toFixed(1)} KiB, ${files.length} files`);
  });
});

describe('plain JavaScript with node', () => {
  it('imports semiflow and semiflow/testing as ES modules, trains, saves, loads and checks a gradient', () => {
    const out = JSON.parse(run(process.execPath, ['train.mjs'])) as {
      first: number; last: number; accuracy: number; sameAfterLoad: boolean; gradOk: boolean; backend: { platform: string; simd: boolean };
    };
    expect(out.last).toBeLessThan(out.first * 0.7);
    expect(out.accuracy).toBeGreaterThan(0.8);
    expect(out.sameAfterLoad).toBe(true);
    expect(out.gradOk).toBe(true);
    expect(out.backend).toMatchObject({ platform: 'node', simd: true });
  });

  const [major, minor] = process.versions.node.split('.').map(Number);
  const requireEsm = major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
  it.skipIf(!requireEsm)('requires semiflow from CommonJS (Node 20.19+ loads ES modules with require)', () => {
    const out = JSON.parse(run(process.execPath, ['train.cjs'])) as { first: number; last: number };
    expect(out.last).toBeLessThan(out.first);
  });
});

describe('Bun and Deno, installed from the npm registry', () => {
  const engine = (name: string, args: string[]) => (context: { skip: (note: string) => void }) => {
    if (enginesMissing !== undefined) {
      if (process.env.SEMIFLOW_REQUIRE_ENGINES === '1') throw new Error(enginesMissing);
      console.warn(`package.test.ts: ${name} skipped: ${enginesMissing}`);
      context.skip(enginesMissing);
    }
    type Run = { losses: number[]; accuracy: number; backend: { threads: number; fma: boolean } };
    const other = JSON.parse(run(join(project, 'node_modules/.bin', name), [...args, 'engines.mjs'])) as Run;
    expect(other.losses.at(-1)).toBeLessThan(other.losses[0] / 4);
    // relaxed_madd may fuse or not, as each engine chooses: bit equality across engines holds for the SIMD128 GEMM,
    // whose multiply and add each round once everywhere.
    const plain = { SEMIFLOW_FMA: '0' };
    const otherPlain = JSON.parse(run(join(project, 'node_modules/.bin', name), [...args, 'engines.mjs'], project, plain)) as Run;
    const node = JSON.parse(run(process.execPath, ['engines.mjs'], project, plain)) as Run;
    expect([node.backend.fma, otherPlain.backend.fma]).toEqual([false, false]);
    expect({ losses: otherPlain.losses, accuracy: otherPlain.accuracy }).toEqual({ losses: node.losses, accuracy: node.accuracy });
    expect(other.backend).toMatchObject({ platform: 'node', simd: true });
  };
  it('Bun imports the package and trains a model to the same losses as node', engine('bun', []));
  it('Deno imports the package and trains a model to the same losses as node', engine('deno', ['run', '--allow-read', '--allow-env']));
});

describe('TypeScript with a strict tsconfig and skipLibCheck false', () => {
  const tsc = join(repo, 'node_modules/typescript/bin/tsc');
  const check = (name: string, files: string[], options: Record<string, unknown>) => {
    const config = { compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, target: 'ES2022', ...options }, files };
    writeFileSync(join(project, name), JSON.stringify(config));
    // tsc prints the errors on stdout and exits 2 when there are any.
    try {
      run(process.execPath, [tsc, '-p', name]);
    } catch (error) {
      throw new Error(`${name}: ${(error as { stdout: string }).stdout}`);
    }
  };
  it('type-checks the root and semiflow/testing with moduleResolution node16, without @types/node or lib.dom', () => {
    check('tsconfig.node16.json', ['sample.ts'], { module: 'node16', moduleResolution: 'node16', lib: ['ES2022'], types: [] });
  });
  it('type-checks them with moduleResolution bundler', () => {
    check('tsconfig.bundler.json', ['sample.ts'], { module: 'esnext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM'], types: [] });
  });
  it('type-checks semiflow/node with @types/node', () => {
    check('tsconfig.node.json', ['sample-node.ts'], { module: 'node16', moduleResolution: 'node16', lib: ['ES2022'], types: ['node'] });
  });
});

describe('a browser bundle of the root entry', () => {
  const PAGE = "import * as sf from 'semiflow';\nglobalThis.sf = sf;\n";
  it('builds with esbuild for the browser and imports no Node built-in', async () => {
    writeFileSync(join(project, 'page.js'), PAGE);
    const result = await build({
      entryPoints: [join(project, 'page.js')], bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent',
    });
    const code = result.outputFiles[0].text;
    expect(code.match(/["'`]node:[a-z_/]+/g) ?? []).toEqual([]);
    expect(code).not.toMatch(/\brequire\(/);
    console.log(`root entry bundle: ${(code.length / 1024).toFixed(1)} KiB minified, ${(gzipSync(code).length / 1024).toFixed(1)} KiB gzipped`);
  });

  it('builds with Vite, which emits the GEMM\'s Web Worker beside the page', async () => {
    writeFileSync(join(project, 'page.js'), PAGE);
    writeFileSync(join(project, 'index.html'), '<!doctype html><script type="module" src="./page.js"></script>');
    await viteBuild({ root: project, logLevel: 'silent', configFile: false, build: { outDir: join(work, 'vite-out') } });
    const assets = readdirSync(join(work, 'vite-out/assets'));
    expect(assets.filter((f) => /^web-worker-.*\.js$/.test(f))).toHaveLength(1);
    const page = assets.find((f) => /^index-.*\.js$/.test(f)) as string;
    expect(readFileSync(join(work, 'vite-out/assets', page), 'utf8')).not.toMatch(/["'`]node:[a-z_/]+/);
  });
});
