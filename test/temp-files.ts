// A temp directory per test file, made before its tests and removed after them, and fixture files written into it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface TempFiles {
  /** A path inside the directory (nothing is created). */
  path(name: string): string;
  /** Writes bytes to name in the directory and returns its path. */
  fixture(name: string, bytes: Uint8Array): string;
}

export function tempFiles(prefix: string): TempFiles {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const path = (name: string): string => join(dir, name);
  return {
    path,
    fixture: (name, bytes) => {
      writeFileSync(path(name), bytes);
      return path(name);
    },
  };
}
