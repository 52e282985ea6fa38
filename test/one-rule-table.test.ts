import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vjpRules } from '../core/vjp.ts';
import { referenceKernels } from '../core/kernels/index.ts';
import { shapeRules } from '../core/prim-shapes.ts';

const root = join(import.meta.dirname, '..');
const sourceDirs = ['core', 'layers', 'models', 'optim', 'data', 'examples', 'bench'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('derivative formulas live in one file', () => {
  const files = sourceDirs.flatMap((d) => {
    try {
      return sourceFiles(join(root, d));
    } catch {
      return [];
    }
  }).concat(join(root, 'index.ts'));

  it('only core/vjp.ts defines vjp rules, and only the tape reads them', () => {
    // A definition is a rule table or a value typed as a rule; `as VjpRule<...>` in the tape only reads one.
    const defining = files.filter((f) => /(?<!as )VjpRule<|vjpRules\s*[:=]/.test(readFileSync(f, 'utf8').replace(/^import .*$/gm, '')));
    expect(defining.map((f) => relative(root, f))).toEqual(['core/vjp.ts']);
    const importing = files.filter((f) => /from '\.{1,2}\/(core\/)?vjp\.ts'/.test(readFileSync(f, 'utf8')));
    expect(importing.map((f) => relative(root, f))).toEqual(['core/autodiff.ts']);
  });

  it('customGrad is for users only: no layer, loss or op of the library calls it', () => {
    // Only its own file mentions a call, and only the root index imports it (to export it).
    const calling = files.filter((f) => /\bcustomGrad\s*[(<]/.test(readFileSync(f, 'utf8')));
    expect(calling.map((f) => relative(root, f))).toEqual(['core/custom-grad.ts']);
    const importing = files.filter((f) => /from '[./]+(core\/)?custom-grad\.ts'/.test(readFileSync(f, 'utf8')));
    expect(importing.map((f) => relative(root, f))).toEqual(['index.ts']);
  });

  it('every primitive has a rule, a shape rule and a kernel, and nothing else does', () => {
    // The primitives are the keys of PrimParams, read from its source: the tables must list exactly those.
    const source = readFileSync(join(root, 'core/primitives.ts'), 'utf8');
    const body = /export interface PrimParams \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
    const prims = [...body.matchAll(/^ {2}(\w+):/gm)].map((m) => m[1]).sort();
    expect(prims.length).toBeGreaterThan(0);
    for (const table of [vjpRules, shapeRules, referenceKernels]) expect(Object.keys(table).sort()).toEqual(prims);
  });
});
