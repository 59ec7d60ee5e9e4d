import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'sync-server/**/*.test.ts', 'desktop/src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real centre processes on loopback; keep the 2-core CI machine unsaturated.
    maxWorkers: 2,
    // Every test by name, so a skipped test's title (which says why) shows in CI's output.
    reporters: ['verbose'],
  },
});
