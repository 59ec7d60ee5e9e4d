// Browser mode: `node --import tsx desktop/src/node/host/main.ts --data <dir> --port <p>
//   [--centres fuzhou=ws://127.0.0.1:4401,xiamen=ws://127.0.0.1:4402 --home fuzhou]`
// Prints ONE JSON line when listening: {"url": "...", "token": "...", "open": "<url>?token=<token>"}; open `open` in
// a browser (Chromium). Logs go to stderr. Ctrl-C / SIGTERM closes the cache cleanly.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { openHost } from './host';
import { serveHost } from './serve';
import { defaultSettings } from './settings';

const HELP = `twinline desktop host (browser mode)

  --data <dir>          where cache.sqlite and secrets.json live (required)
  --port <port>         port on 127.0.0.1 (default 0: any free port)
  --centres <list>      name=ws://host:port,... (default the demo's fuzhou 4401 and xiamen 4402)
  --home <name>         home centre (default the first)
  --renderer <dir>      built renderer (default desktop/dist/renderer)

Secrets (the login token) are kept in <data>/secrets.json with mode 0600: weaker than Electron's safeStorage.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      port: { type: 'string', default: '0' },
      centres: { type: 'string' },
      home: { type: 'string' },
      renderer: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (!values.data) throw new Error('--data <dir> is required (see --help)');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: ${values.port} is not a port`);

  const log = (level: string, message: string) => console.error(`[host ${level}] ${message}`);
  const host = await openHost({
    dataDir: resolve(values.data),
    defaults: defaultSettings(values.centres, values.home),
    log,
  });
  const served = await serveHost({
    dispatch: host.dispatch,
    settings: () => host.handlers['settings.get']({}),
    rendererDir: resolve(values.renderer ?? resolve(import.meta.dirname, '../../../dist/renderer')),
    port,
  });
  const status = await host.cache.status();
  if (status.recoveredFrom) log('warn', `started with a fresh cache; the unreadable one is at ${status.recoveredFrom}`);
  console.log(JSON.stringify({ url: served.url, token: served.token, open: `${served.url}?token=${served.token}` }));

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void served
      .close()
      .then(() => host.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log('error', String(err));
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`twinline host: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
