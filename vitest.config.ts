import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Property sweeps run 50 cases per op, and grad-of-grad of conv2d is the slowest of them.
    testTimeout: 120_000,
  },
});
