import { defineConfig } from 'vitest/config';

export default defineConfig({
  // 'semiflow' resolves to the TypeScript sources under this condition (package.json exports); users get dist/.
  resolve: { conditions: ['semiflow-src'] },
  ssr: { resolve: { conditions: ['semiflow-src'] } },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/node-platform.setup.ts'],
    // Scripts the tests start with `node --import tsx` resolve 'semiflow' to the sources too.
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=semiflow-src`.trim() },
    // Property sweeps run 50 cases per op, and grad-of-grad of conv2d is the slowest of them.
    testTimeout: 120_000,
  },
});
