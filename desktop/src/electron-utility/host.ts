// The host's entry under Electron: runs in a utilityProcess (plain Node, no window), forked by electron-main with
// `--data <userData> [--centres … --home …] [--cipher]`. The main process transfers one MessagePortMain in its first
// message; the host serves the bridge's handler map over it (desktop/src/node/host/port-server.ts).
import type { MessagePortMain } from 'electron';
import { parseArgs } from 'node:util';
import { servePort } from '../node/host/port-server';
import { defaultSettings } from '../node/host/settings';

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: false,
  options: {
    data: { type: 'string' },
    centres: { type: 'string' },
    home: { type: 'string' },
    cipher: { type: 'boolean', default: false },
  },
});

const log = (level: string, message: string) => console.error(`[host ${level}] ${message}`);

process.parentPort.once('message', (event) => {
  const port = event.ports[0] as MessagePortMain | undefined;
  if (!port || typeof values.data !== 'string') {
    log('error', 'started without a port or --data; exiting');
    process.exit(2);
  }
  const { ready } = servePort(
    {
      post: (message) => port.postMessage(message),
      onMessage: (listener) => port.on('message', (e) => listener(e.data)),
    },
    {
      dataDir: values.data,
      defaults: defaultSettings(
        typeof values.centres === 'string' ? values.centres : undefined,
        typeof values.home === 'string' ? values.home : undefined,
      ),
      cipher: values.cipher === true,
      log,
    },
  );
  port.start();
  ready.then(
    () => process.parentPort.postMessage({ type: 'ready' }),
    (err: unknown) => {
      log('error', `could not start: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
});
