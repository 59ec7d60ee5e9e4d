// `pnpm --filter @twinline/desktop start`: runs the built app in Electron, or says clearly why it cannot.
// The Electron binary is downloaded by electron's own install script, which pnpm 10 does not run (electron is not in
// onlyBuiltDependencies on purpose: the download host is unreachable on the build machines). On a machine with
// access: `node node_modules/electron/install.js` inside desktop/, or ELECTRON_SKIP_BINARY_DOWNLOAD unset with npm.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const desktop = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(desktop, 'package.json'));

// Resolve the binary the way electron's index.js does, but without its fallback of downloading on require().
const pkg = dirname(require.resolve('electron/package.json'));
const pathTxt = join(pkg, 'path.txt');
const relative = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : undefined;
const electron = process.env.ELECTRON_OVERRIDE_DIST_PATH
  ? join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron')
  : relative && join(pkg, 'dist', relative);
if (!electron || !existsSync(electron)) {
  console.error(`twinline: the Electron binary is not installed (${electron ?? pathTxt} is missing), so the desktop
  app cannot start here. pnpm 10 does not run electron's download script, on purpose.
  The same console runs in a browser instead (from the repository root):
    node --import tsx desktop/src/node/host/main.ts --data .data/desktop --port 4480
  and open the "open" URL it prints in Chromium.
  On a machine that can reach Electron's download host: cd desktop && node node_modules/electron/install.js
  (or point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron ${JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version}).`);
  process.exit(1);
}

for (const built of [
  'dist/electron-main/main.cjs',
  'dist/preload/preload.cjs',
  'dist/host/host.cjs',
  'dist/renderer/index.html',
]) {
  if (!existsSync(join(desktop, built))) {
    console.error(
      `twinline: ${built} is missing; run the build first (bash scripts/pnpm.sh --filter @twinline/desktop build).`,
    );
    process.exit(1);
  }
}

const child = spawn(electron, [desktop, ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
