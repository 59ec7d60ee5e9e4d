// The main job: both centres with demo data, each the other's twin, each with its SIP server (Kamailio), the console
// in browser mode (its Node host serving the built renderer on 127.0.0.1:4480) and the simulated customer phone
// (127.0.0.1:4490). Ctrl-C stops all.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { serveStatic } from './static-server';

const ROOT = resolve(import.meta.dirname, '..');

const centres = [
  { name: 'fuzhou', port: 4401, peer: 'ws://127.0.0.1:4402', orders: 400, sipWs: 5480, sipUdp: 5460 },
  { name: 'xiamen', port: 4402, peer: 'ws://127.0.0.1:4401', orders: 0, sipWs: 5482, sipUdp: 5462 },
];

console.error('demo: building the console (renderer, preload, main, host)…');
const build = spawnSync('bash', ['scripts/pnpm.sh', '--filter', '@twinline/desktop', 'build'], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const children: ChildProcess[] = [];
let stopping = false;
function stop(code = 0): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 1000);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

function run(name: string, args: string[], stdout: 'inherit' | 'pipe' = 'inherit'): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    stdio: ['ignore', stdout, 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`demo: ${name} exited (${signal ?? code}); stopping the demo`);
    stop(1);
  });
  children.push(child);
  return child;
}

for (const c of centres) {
  const args = ['sync-server/src/main.ts', '--name', c.name, '--port', String(c.port), '--peer', c.peer, '--demo'];
  args.push('--dispatch-ms', '2000'); // automatic dispatch to the county's station and, where it is set, its crew
  args.push('--demo-customers', '200000'); // the screen-pop directory, the same in both centres (filled in the background)
  if (c.orders) args.push('--demo-orders', String(c.orders));
  args.push('--data', resolve(ROOT, '.data', c.name));
  const twin = centres.find((o) => o !== c)!;
  args.push('--sip-ws-port', String(c.sipWs), '--sip-udp-port', String(c.sipUdp));
  args.push('--sip-twin', `udp:127.0.0.1:${twin.sipUdp}`, '--sip-twin-ws', `${twin.name}=ws://127.0.0.1:${twin.sipWs}`);
  run(`centre ${c.name}`, args);
}

// The customer's phone: calls 95598 through a centre's SIP server (ws=…), from a number (number=…).
const callerPages = await serveStatic(resolve(ROOT, 'packages/caller/dist'), 4490);

const host = run(
  'console host',
  [
    'desktop/src/node/host/main.ts',
    '--data',
    resolve(ROOT, '.data/console'),
    '--port',
    '4480',
    '--centres',
    'fuzhou=ws://127.0.0.1:4401;sip=ws://127.0.0.1:5480,xiamen=ws://127.0.0.1:4402;sip=ws://127.0.0.1:5482',
    '--home',
    'fuzhou',
  ],
  'pipe',
);
createInterface({ input: host.stdout! }).on('line', (line) => {
  let open: string | undefined;
  try {
    open = (JSON.parse(line) as { open?: string }).open;
  } catch {
    open = undefined;
  }
  if (!open) return console.log(line);
  console.error(`
Twinline demo
  console        ${open}
                 (open it in Chromium; log in as lead.fz, agent1.fz, disp.fuzhou-gulou … password Twinline!2026)
  fuzhou centre  http://127.0.0.1:4401/health   (metrics at /metrics)
  xiamen centre  http://127.0.0.1:4402/health
  caller phone   ${callerPages.url}?ws=ws://127.0.0.1:5482&number=05922123456   (a Xiamen customer calling 95598)
                 agents take calls after choosing 就绪 / Ready in the console's phone bar
  Data lives in .data/ (delete it to start afresh). Ctrl-C stops everything.
`);
});
