// One Vite config, one target per mode (`pnpm build` runs all four):
//   vite build                 → dist/renderer/       the React renderer (index.html + assets)
//   vite build --mode preload  → dist/preload/preload.cjs     sandboxed preload (bundles the handler map's names)
//   vite build --mode main     → dist/electron-main/main.cjs  Electron's main process
//   vite build --mode host     → dist/host/host.cjs           the host for Electron's utilityProcess
// Node targets bundle everything except Electron, Node's built-ins and the native sqlite3 module (which
// electron-builder unpacks from the asar; see electron-builder.yml).
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import type { UserConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = import.meta.dirname;
const dist = resolve(here, 'dist');
const external = ['electron', 'sqlite3', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** A single CommonJS file for Node (main, host) or the sandboxed preload. */
function nodeBundle(entry: string, outDir: string, fileName: string, platform: 'node' | 'preload'): UserConfig {
  return {
    publicDir: false,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'node22',
      minify: false,
      sourcemap: true,
      // Node targets resolve packages with Node's conditions; the preload is a browser context that only gets
      // `require('electron')`, so everything else must be inside the file.
      ssr: platform === 'node' ? entry : undefined,
      lib: platform === 'preload' ? { entry, formats: ['cjs'], fileName: () => fileName } : undefined,
      rolldownOptions: {
        input: entry,
        external,
        output: { format: 'cjs', entryFileNames: fileName, codeSplitting: false },
      },
    },
    ssr: { noExternal: true, external: ['electron', 'sqlite3'] },
  };
}

export default defineConfig(({ mode }): UserConfig => {
  switch (mode) {
    case 'preload':
      return nodeBundle(
        resolve(here, 'src/electron-preload/preload.ts'),
        resolve(dist, 'preload'),
        'preload.cjs',
        'preload',
      );
    case 'main':
      return nodeBundle(resolve(here, 'src/electron-main/main.ts'), resolve(dist, 'electron-main'), 'main.cjs', 'node');
    case 'host':
      return nodeBundle(resolve(here, 'src/electron-utility/host.ts'), resolve(dist, 'host'), 'host.cjs', 'node');
    default:
      return {
        root: resolve(here, 'src/browser'),
        // Relative asset URLs: the same build is served by the host (http://127.0.0.1) and Electron (twinline://app).
        base: './',
        publicDir: false,
        plugins: [react()],
        build: {
          outDir: resolve(dist, 'renderer'),
          emptyOutDir: true,
          target: 'es2022',
          sourcemap: true,
          // No inline scripts or data: modules: the CSP allows script-src 'self' only.
          assetsInlineLimit: 0,
          modulePreload: { polyfill: false },
          minify: process.env.TWINLINE_NO_MINIFY ? false : undefined,
        },
      };
  }
});
