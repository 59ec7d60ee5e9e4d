// The end-to-end stack: two real centres (sync-server processes), one desktop host per console (browser mode, its
// own SQLite cache) and Debian's Chromium driven by Playwright. Everything binds to 127.0.0.1.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { login as apiLogin, startTwins, tempDir } from '../sync-server/test/harness';
import { serveStatic } from '../scripts/static-server';
import type { CentreProcess } from '../sync-server/test/harness';
import { api } from '../sync-server/test/sip-centres';
import type { SipCentre, TwinName } from '../sync-server/test/sip-centres';

export const ROOT = resolve(import.meta.dirname, '..');
export const ARTIFACTS = join(ROOT, 'e2e/artifacts');

/** Chromium flags that work on these machines (FACTS.md): no sandbox as root, no background networking. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

export interface HostProcess {
  dataDir: string;
  open: string;
  child: ChildProcess;
  stderr: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts the desktop host in browser mode on its own data dir; resolves with the URL to open. */
export async function startHost(opts: {
  dataDir?: string;
  /** `sip`: the centre's SIP WebSocket, when the console's phone is to reach it (the CSP allows only these). */
  centres: { name: string; url: string; sip?: string }[];
  home: string;
}): Promise<HostProcess> {
  const dataDir = opts.dataDir ?? tempDir('twinline-console-');
  const args = [
    '--import',
    'tsx',
    'desktop/src/node/host/main.ts',
    '--data',
    dataDir,
    '--centres',
    opts.centres.map((c) => `${c.name}=${c.url}${c.sip ? `;sip=${c.sip}` : ''}`).join(','),
    '--home',
    opts.home,
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const open = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`host did not start: ${stderr}`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { open?: string };
        if (!parsed.open) return;
        clearTimeout(timer);
        res(parsed.open);
      } catch {
        // not the JSON line
      }
    });
    void exited.then(() => rej(new Error(`host exited: ${stderr}`)));
  });
  return {
    dataDir,
    open,
    child,
    stderr: () => stderr,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * Both centres plus a browser; `console(home)` opens a new console (host + page) whose home is that centre. `flags`
 * go to both centres (e.g. `--demo-customers 20000`).
 */
export async function startStack(opts: { flags?: string[] } = {}) {
  const twins = await startTwins({ logLevel: 'info', flags: opts.flags });
  const browser = await launchBrowser();
  const hosts: HostProcess[] = [];
  const centres = () => [
    { name: 'fuzhou', url: twins.fuzhou.url },
    { name: 'xiamen', url: twins.xiamen.url },
  ];
  async function openConsole(home: 'fuzhou' | 'xiamen', dataDir?: string): Promise<{ host: HostProcess; page: Page }> {
    const ordered = home === 'fuzhou' ? centres() : centres().reverse();
    const host = await startHost({ centres: ordered, home, dataDir });
    hosts.push(host);
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN' });
    page.on('pageerror', (e) => console.error(`[page ${home}] ${e.message}`));
    await page.goto(host.open);
    return { host, page };
  }
  return {
    twins,
    browser,
    openConsole,
    async stop() {
      await browser.close().catch(() => undefined);
      await Promise.all(hosts.map((h) => h.stop()));
      await Promise.all([twins.fuzhou.stop(), twins.xiamen.stop()]);
    },
  };
}

export async function login(page: Page, username: string, password = 'Twinline!2026'): Promise<void> {
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

// ---- telephony: centres with their SIP servers, the caller and agent pages ------------------------------------------

/** The built caller and bare agent pages (`pnpm --filter @twinline/caller build`, run by the root e2e script). */
export const CALLER_DIST = join(ROOT, 'packages/caller/dist');

export { serveStatic };

/**
 * Kills a centre's Kamailio (SIGKILL to its process group, as a crash would), leaving the centre itself running:
 * the SIP server fails mid-shift. The centre logs the group's pid when Kamailio starts listening.
 */
export function killSip(centre: CentreProcess): void {
  const line = [...centre.logs].reverse().find((l) => l.msg === 'kamailio listening');
  if (!line || typeof line.pid !== 'number') throw new Error(`${centre.name}: no running Kamailio in the log`);
  try {
    process.kill(-line.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Sets an agent "ready" (POST /api/agent/state), so call routing offers it calls; also ends its after-call work. */
export async function makeReady(centre: CentreProcess, user: string): Promise<void> {
  const r = await api(centre, '/api/agent/state', { token: await apiLogin(centre, user), body: { state: 'ready' } });
  if (r.status !== 200) throw new Error(`make ${user} ready: ${r.status} ${JSON.stringify(r.body)}`);
}

/** The console host's centres with their SIP servers, the home centre first (startHost's `centres`). */
export function sipCentres(sip: Record<TwinName, SipCentre>, home: TwinName) {
  const names: TwinName[] = home === 'fuzhou' ? ['fuzhou', 'xiamen'] : ['xiamen', 'fuzhou'];
  return names.map((n) => ({ name: n, url: sip[n].centre.url, sip: sip[n].ws }));
}

/** Opens the bare agent phone (agent.html) on `page`, signs `user` in at `at` and waits until it is registered. */
export async function signInAgentPhone(page: Page, webUrl: string, at: SipCentre, user: string): Promise<Page> {
  await page.goto(`${webUrl}agent.html?centre=${encodeURIComponent(at.centre.http)}`);
  await page.getByTestId('agent-username').fill(user);
  await page.getByTestId('agent-password').fill('Twinline!2026');
  await page.getByTestId('agent-signin').click();
  await page.locator('[data-testid="agent-registration"][data-state="registered"]').waitFor({ timeout: 10_000 });
  return page;
}

/** Opens the customer phone (index.html) with this number on `at`'s SIP server, optionally dialling a menu digit. */
export async function connectCallerPhone(page: Page, webUrl: string, at: SipCentre, number: string, digit = '') {
  await page.goto(`${webUrl}index.html?ws=${encodeURIComponent(at.ws)}&number=${number}&digit=${digit}`);
  await page.locator('[data-testid="caller-registration"][data-state="registered"]').waitFor({ timeout: 10_000 });
  return page;
}
