// Electron's main process: deliberately thin. It owns the window, the tray, notifications and safeStorage, forks the
// host (SQLite and everything else) into a utilityProcess, and relays the renderer's bridge calls to it after checking
// who is calling. It does no I/O of its own beyond serving the built renderer's files.
//
// Built by Vite to dist/electron-main/main.cjs (`vite build --mode main`); type-checked against electron's typings.
// The Electron binary cannot be downloaded on the build machines, so this file is checked by tsc only there.
import {
  BrowserWindow,
  MessageChannelMain,
  Menu,
  Notification,
  Tray,
  app,
  ipcMain,
  nativeImage,
  protocol,
  safeStorage,
  session,
  utilityProcess,
} from 'electron';
import type { IpcMainInvokeEvent, MessagePortMain, UtilityProcess, WebFrameMain } from 'electron';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { IPC_CHANNEL, Settings, bridge } from '../common/bridge';
import type { BridgeReply } from '../common/bridge';
import { contentSecurityPolicy } from '../common/csp';
import { parseInput } from '../common/dispatch';
import { connectPeer } from '../common/port-rpc';
import type { Peer } from '../common/port-rpc';

const SCHEME = 'twinline';
const APP_HOST = 'app';
const APP_URL = `${SCHEME}://${APP_HOST}/index.html`;
const DIST = join(__dirname, '..');
const RENDERER_DIR = join(DIST, 'renderer');
const PRELOAD = join(DIST, 'preload', 'preload.cjs');
const HOST_ENTRY = join(DIST, 'host', 'host.cjs');
/** Development only: load the renderer from Vite's dev server instead (e.g. http://127.0.0.1:5173). */
const DEV_URL = app.isPackaged ? undefined : process.env.TWINLINE_RENDERER_URL;

const TRAY_ICON =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAO0lEQVR4nGNgoDbgL8v7jw9TpBmvIcRqxmoIqZoxDEEWJAQIGkCxC4aBAQMTiBQnJKokZWINwauZHAAAQIdvSAPlKsEAAAAASUVORK5CYII=';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

// Must run before `ready`: a standard, secure scheme gets an origin of its own, so 'self' in the CSP means the app.
protocol.registerSchemesAsPrivileged([
  { scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);

let win: BrowserWindow | null = null;
let tray: Tray | null = null;
let quitting = false;

// ---------------------------------------------------------------------------------------------------------------
// The host in a utility process, restarted if it dies.

let host: { child: UtilityProcess; peer: Peer; ready: Promise<void> } | null = null;
let restarts = 0;

function cipherCall(method: string, params: unknown): Promise<unknown> {
  if (typeof params !== 'string') return Promise.reject(new Error('cipher takes a string'));
  if (method === 'cipher.encrypt') return Promise.resolve(safeStorage.encryptString(params).toString('base64'));
  if (method === 'cipher.decrypt') return Promise.resolve(safeStorage.decryptString(Buffer.from(params, 'base64')));
  return Promise.reject(new Error(`unknown method ${method}`));
}

function hostArgs(): string[] {
  const args = ['--data', app.getPath('userData')];
  // Pass through `--centres name=ws://…,… --home name` given to the app (same syntax as browser mode).
  for (const flag of ['--centres', '--home']) {
    const i = process.argv.indexOf(flag);
    const value = i >= 0 ? process.argv[i + 1] : undefined;
    if (value) args.push(flag, value);
  }
  // On Linux without a keyring safeStorage falls back to a fixed key ('basic_text'): no better than the 0600 file.
  const weak = process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text';
  if (safeStorage.isEncryptionAvailable() && !weak) args.push('--cipher');
  return args;
}

function startHost(): NonNullable<typeof host> {
  const child = utilityProcess.fork(HOST_ENTRY, hostArgs(), { serviceName: 'Twinline host', stdio: 'inherit' });
  const { port1, port2 } = new MessageChannelMain();
  const peer = connectPeer(
    {
      post: (message) => port1.postMessage(message),
      onMessage: (listener) => port1.on('message', (e) => listener(e.data)),
    },
    cipherCall,
  );
  port1.start();
  child.postMessage({ type: 'port' }, [port2 as MessagePortMain]);
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m: unknown) => {
      if ((m as { type?: unknown })?.type === 'ready') {
        restarts = 0;
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`host exited with code ${code}`)));
  });
  ready.catch(() => undefined);
  child.once('exit', () => {
    peer.fail('the host process exited');
    port1.close();
    host = null;
    if (!quitting && restarts < 5) {
      restarts++;
      setTimeout(() => (host = startHost()), 500 * restarts);
    }
  });
  return { child, peer, ready };
}

async function callHost(name: string, payload: unknown): Promise<BridgeReply> {
  const current = host ?? (host = startHost());
  try {
    await current.ready;
    return (await current.peer.call('bridge', { name, payload })) as BridgeReply;
  } catch (err) {
    return { ok: false, error: { code: 'unavailable', message: `host unavailable: ${(err as Error).message}` } };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The bridge relay: one IPC channel, the caller checked on every call.

function isTrustedFrame(frame: WebFrameMain | null): boolean {
  if (!frame || frame.parent !== null || !win || frame !== win.webContents.mainFrame) return false;
  try {
    const url = new URL(frame.url);
    if (DEV_URL) return url.origin === new URL(DEV_URL).origin;
    return url.protocol === `${SCHEME}:` && url.host === APP_HOST;
  } catch {
    return false;
  }
}

async function relay(event: IpcMainInvokeEvent, name: unknown, payload: unknown): Promise<BridgeReply> {
  if (!isTrustedFrame(event.senderFrame)) {
    return { ok: false, error: { code: 'forbidden', message: 'caller is not the Twinline window' } };
  }
  // Validate here too, so a malformed call never crosses into the host; the host validates again on its side.
  const input = parseInput(String(name), payload);
  if (!input.ok) return input;
  if (name === 'notify') return notify(input.result);
  return callHost(String(name), payload);
}

function notify(input: unknown): BridgeReply {
  const { title, body } = bridge.notify.input.parse(input);
  if (!Notification.isSupported()) return { ok: true, result: { shown: false } };
  const n = new Notification({ title, body, silent: false });
  n.on('click', showWindow);
  n.show();
  return { ok: true, result: { shown: true } };
}

// ---------------------------------------------------------------------------------------------------------------
// The renderer's files, over twinline://app/, with the CSP on every response.

async function currentCsp(): Promise<string> {
  const reply = await callHost('settings.get', {});
  const settings = reply.ok ? Settings.safeParse(reply.result) : undefined;
  return contentSecurityPolicy(settings?.success ? settings.data : undefined, { self: false });
}

async function serveRenderer(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
  let path = decodeURIComponent(url.pathname);
  if (path === '/' || path === '') path = '/index.html';
  const file = normalize(join(RENDERER_DIR, path));
  if (!file.startsWith(RENDERER_DIR + sep)) return new Response('not found', { status: 404 });
  try {
    const body = await readFile(file);
    return new Response(body, {
      headers: {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': await currentCsp(),
        'x-content-type-options': 'nosniff',
      },
    });
  } catch {
    return new Response('not found', { status: 404 });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Window, tray, hardening.

function showWindow(): void {
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

function createWindow(): BrowserWindow {
  const w = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    title: 'Twinline',
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  w.once('ready-to-show', () => w.show());
  // Closing the window keeps the console in the tray (a hotline must not miss notifications); the tray's Quit quits.
  w.on('close', (e) => {
    if (!quitting && tray) {
      e.preventDefault();
      w.hide();
    }
  });
  w.on('closed', () => (win = null));
  void w.loadURL(DEV_URL ?? APP_URL);
  return w;
}

function createTray(): Tray {
  const t = new Tray(nativeImage.createFromDataURL(TRAY_ICON));
  t.setToolTip('Twinline 孪线');
  t.setContextMenu(
    Menu.buildFromTemplate([
      { label: '显示 Twinline / Show', click: showWindow },
      { type: 'separator' },
      {
        label: '退出 / Quit',
        click: () => {
          quitting = true;
          app.quit();
        },
      },
    ]),
  );
  t.on('click', showWindow);
  return t;
}

function harden(): void {
  // Every web contents, now and later: no new windows, no navigation away, no <webview>, no permission prompts.
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // The CSP also on anything fetched over http(s) (the dev server; the centres' responses are not documents).
  ses.webRequest.onHeadersReceived((details, callback) => {
    void currentCsp().then((csp) =>
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } }),
    );
  });
}

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', showWindow);
  app.on('before-quit', () => (quitting = true));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => host?.child.kill());

  ipcMain.handle(IPC_CHANNEL, relay);

  void app.whenReady().then(() => {
    harden();
    protocol.handle(SCHEME, serveRenderer);
    host = startHost();
    host.ready.catch((err: unknown) => console.error(`twinline: ${(err as Error).message}`));
    win = createWindow();
    tray = createTray();
  });
}

main();
