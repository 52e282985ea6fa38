// Test helper: Debian's headless Chromium driven by playwright-core, with the network machinery switched off.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM_INSTALL_HINT = 'install it with `apt-get install -y --no-install-recommends chromium` (Debian/Ubuntu), as .ci/run does';

/** The first executable named chromium on PATH. */
export function findChromium(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'chromium');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** No sandbox (containers run as root), no GPU, and nothing that would phone home on a closed network. */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: ARGS });
}

/** Chromium's path, or a skip (a failure with SEMIFLOW_REQUIRE_CHROMIUM=1, as CI sets) when it is not installed. */
export function chromiumOrSkip(context: { skip: (note: string) => void }, testFile: string): string {
  const executable = findChromium();
  if (executable === undefined) {
    if (process.env.SEMIFLOW_REQUIRE_CHROMIUM === '1') {
      throw new Error(`SEMIFLOW_REQUIRE_CHROMIUM=1 but no \`chromium\` executable is on PATH; ${CHROMIUM_INSTALL_HINT}`);
    }
    const note = `no \`chromium\` executable on PATH; ${CHROMIUM_INSTALL_HINT}, or set SEMIFLOW_REQUIRE_CHROMIUM=1 to make this a failure`;
    console.warn(`${testFile} skipped: ${note}`);
    context.skip(note);
  }
  return executable as string;
}
