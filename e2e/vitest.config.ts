import { defineConfig } from 'vitest/config';

// End-to-end tests: real centre processes, the desktop host in browser mode and Debian's Chromium.
// One file at a time: each starts its own centres and browser, and CI has two cores.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: ['verbose'],
  },
});
