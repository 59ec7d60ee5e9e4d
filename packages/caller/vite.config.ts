// Two pages, one build (dist/): the simulated customer telephone (index.html) and a bare agent phone (agent.html)
// for trying the softphone without the console. Served as static files (e2e/stack.ts serveStatic).
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: './',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: resolve(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      input: { caller: resolve(here, 'index.html'), agent: resolve(here, 'agent.html') },
    },
  },
});
