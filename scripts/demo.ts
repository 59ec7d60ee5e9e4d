// The main job: both centres with demo data, each the other's twin. (The SIP servers and the console join in later
// issues.) Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

const centres = [
  { name: 'fuzhou', port: 4401, peer: 'ws://127.0.0.1:4402', orders: 400 },
  { name: 'xiamen', port: 4402, peer: 'ws://127.0.0.1:4401', orders: 0 },
];

const children: ChildProcess[] = centres.map((c) => {
  const args = ['sync-server/src/main.ts', '--name', c.name, '--port', String(c.port), '--peer', c.peer, '--demo'];
  if (c.orders) args.push('--demo-orders', String(c.orders));
  args.push('--data', resolve(ROOT, '.data', c.name));
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    console.error(`demo: centre ${c.name} exited (${signal ?? code}); stopping the demo`);
    stop(1);
  });
  return child;
});

let stopping = false;
function stop(code = 0): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 1000);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

console.error(`
Twinline demo
  fuzhou centre  http://127.0.0.1:4401/health   (metrics at /metrics)
  xiamen centre  http://127.0.0.1:4402/health
  log in:        curl -s -X POST http://127.0.0.1:4401/api/login -d '{"username":"lead.fz","password":"Twinline!2026"}'
  demo accounts: see README.md. Data lives in .data/ (delete it to start afresh). Ctrl-C stops.
`);
