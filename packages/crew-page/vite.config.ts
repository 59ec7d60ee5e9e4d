// The crews' mobile page: one small static build (dist/) that a centre serves at /crew/ (sync-server/src/crews/page.ts).
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
    // Phones a few years old: Chrome/WebView 90+, Safari 14+.
    target: ['es2020', 'chrome90', 'safari14'],
    sourcemap: true,
    // No inline scripts: the centre serves the page under a CSP without 'unsafe-inline'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
