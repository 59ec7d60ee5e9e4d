// Test harness: real centre processes on loopback, the unmodified y-websocket client, and a TCP proxy to cut links.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { readVarString, readVarUint } from 'lib0/decoding';

const ROOT = resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

export function tempDir(prefix = 'twinline-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CentreProcess {
  name: string;
  port: number;
  dataDir: string;
  url: string;
  http: string;
  child: ChildProcess;
  logs: Record<string, unknown>[];
  /** Resolves when a log line matching `pred` appears (or already has). */
  waitForLog(pred: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface CentreOptions {
  name: string;
  port?: number;
  dataDir?: string;
  peer?: string;
  demo?: boolean;
  demoOrders?: number;
  env?: Record<string, string>;
  /** debug by default, so tests can wait for log lines; benchmarks use info. */
  logLevel?: string;
  /** Extra command-line flags, e.g. ['--retention-ms', '0']. */
  flags?: string[];
}

/** Starts `pnpm centre` as its own process and waits until it listens. */
/** One of the twin centres on its fixed port, peered with the other's (for tests that stop and restart them). */
export function startTwinCentre(
  name: 'fuzhou' | 'xiamen',
  ports: { fuzhou: number; xiamen: number },
  o: { dataDir?: string; flags?: string[] } = {},
): Promise<CentreProcess> {
  return startCentreProcess({
    name,
    port: ports[name],
    peer: `ws://127.0.0.1:${ports[name === 'fuzhou' ? 'xiamen' : 'fuzhou']}`,
    dataDir: o.dataDir,
    flags: o.flags,
  });
}

export async function startCentreProcess(o: CentreOptions): Promise<CentreProcess> {
  const port = o.port ?? (await freePort());
  const dataDir = o.dataDir ?? tempDir(`twinline-${o.name}-`);
  const args = [
    'sync-server/src/main.ts',
    '--name',
    o.name,
    '--port',
    String(port),
    '--data',
    dataDir,
    '--log-level',
    o.logLevel ?? 'debug',
  ];
  if (o.peer) args.push('--peer', o.peer);
  if (o.demo ?? true) args.push('--demo');
  if (o.demoOrders) args.push('--demo-orders', String(o.demoOrders));
  // Automatic dispatch is on by default in a centre; tests that dispatch by hand need orders to stay put, so it is off
  // here unless the test asks for it with its own --dispatch-ms.
  if (!o.flags?.includes('--dispatch-ms')) args.push('--dispatch-ms', '0');
  if (o.flags) args.push(...o.flags);
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const waiters: { pred: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] =
    [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      parsed = { msg: line };
    }
    logs.push(parsed);
    for (const w of [...waiters]) {
      if (!w.pred(parsed)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(parsed);
    }
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const waitForLog = (pred: (l: Record<string, unknown>) => boolean, timeoutMs = 20_000) => {
    const seen = logs.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((res, rej) => {
      const timer = setTimeout(
        () => rej(new Error(`${o.name}: log line not seen in ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`)),
        timeoutMs,
      );
      waiters.push({ pred, resolve: (l) => (clearTimeout(timer), res(l)) });
      void exited.then((code) => rej(new Error(`${o.name} exited with ${code}: ${stderr.slice(-2000)}`)));
    });
  };
  await waitForLog((l) => l.msg === 'centre listening', 60_000);
  return {
    name: o.name,
    port,
    dataDir,
    url: `ws://127.0.0.1:${port}`,
    http: `http://127.0.0.1:${port}`,
    child,
    logs,
    waitForLog,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

/** Two centres, each the other's peer, on fixed free ports so either can be restarted on the same address. */
export async function startTwins(opts: { demoOrders?: number; logLevel?: string; flags?: string[] } = {}) {
  const [fp, xp] = [await freePort(), await freePort()];
  const start = {
    fuzhou: (dataDir?: string) =>
      startCentreProcess({
        name: 'fuzhou',
        port: fp,
        peer: `ws://127.0.0.1:${xp}`,
        dataDir,
        demoOrders: opts.demoOrders,
        logLevel: opts.logLevel,
        flags: opts.flags,
      }),
    xiamen: (dataDir?: string) =>
      startCentreProcess({
        name: 'xiamen',
        port: xp,
        peer: `ws://127.0.0.1:${fp}`,
        dataDir,
        logLevel: opts.logLevel,
        flags: opts.flags,
      }),
  };
  const [fuzhou, xiamen] = await Promise.all([start.fuzhou(), start.xiamen()]);
  return { fuzhou, xiamen, start };
}

export async function login(centre: { http: string }, username: string, password = 'Twinline!2026') {
  const res = await fetch(`${centre.http}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { token: string; error?: string };
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${body.error}`);
  return body.token;
}

export interface Client {
  doc: Y.Doc;
  provider: WebsocketProvider;
  denied: string[];
  closes: { code: number; reason: string }[];
  synced(): Promise<void>;
  destroy(): void;
}

/** The unmodified y-websocket client, from Node. */
export function connectClient(centre: { url: string }, docName: string, token: string, doc = new Y.Doc()): Client {
  const provider = new WebsocketProvider(centre.url, docName, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 500,
  });
  const denied: string[] = [];
  const closes: { code: number; reason: string }[] = [];
  // y-websocket reports a permission-denied auth message through console.warn by default; keep it for assertions.
  provider.messageHandlers[2] = (_enc, decoder) => {
    void decoder; // [type 0 = permission denied][reason]
    const sub = readVarUint(decoder);
    if (sub === 0) denied.push(readVarString(decoder));
  };
  provider.on('connection-close', (event) => {
    if (event) closes.push({ code: event.code, reason: event.reason });
  });
  return {
    doc,
    provider,
    denied,
    closes,
    synced: () =>
      provider.synced
        ? Promise.resolve()
        : new Promise<void>((res) => provider.once('sync', (s: boolean) => s && res())),
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** Polls `check` until it returns true, or fails after `timeoutMs` with `what`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

/** A TCP proxy between the two centres' replication link; `cut()` drops every connection and refuses new ones. */
export async function tcpProxy(targetPort: number) {
  const port = await freePort();
  let open = true;
  let frozen = false;
  const held = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((inbound) => {
    if (!open) return inbound.destroy();
    if (frozen) {
      // A dead machine accepts nothing and answers nothing, but no one sends a reset either.
      held.add(inbound);
      inbound.on('error', () => held.delete(inbound));
      return;
    }
    const outbound = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    inbound.pipe(outbound).pipe(inbound);
    const drop = () => (inbound.destroy(), outbound.destroy(), pairs.delete(pair));
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const cut = () => {
    open = false;
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  /** The target goes silent without closing anything (power cut, pulled cable): bytes stop, sockets stay open. */
  const freeze = () => {
    frozen = true;
    for (const [a, b] of pairs) {
      a.unpipe();
      b.unpipe();
      a.pause();
      b.pause();
    }
  };
  return {
    port,
    cut,
    freeze,
    heal: () => void (open = true),
    close: () =>
      new Promise<void>((r) => {
        cut();
        for (const s of held) s.destroy();
        server.close(() => r());
      }),
  };
}
