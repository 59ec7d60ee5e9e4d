// Electron transport, host side: the same dispatcher as browser mode, over a message port to Electron's main process.
// Main → host: 'bridge' {name, payload} → BridgeReply. Host → main: 'cipher.encrypt' / 'cipher.decrypt' (safeStorage
// exists only in the main process). Plain Node: the Electron-specific part (process.parentPort) is in
// desktop/src/electron-utility/host.ts, so this runs under Vitest with worker_threads' MessageChannel.
import { z } from 'zod';
import type { BridgeReply } from '../../common/bridge';
import { connectPeer } from '../../common/port-rpc';
import type { PortLike } from '../../common/port-rpc';
import { openHost } from './host';
import type { Host, HostOptions } from './host';
import type { SecretCipher } from './secret-store';

const BridgeCall = z.object({ name: z.string(), payload: z.unknown() });

export interface PortHost {
  /** The opened host (rejects if it could not start). */
  ready: Promise<Host>;
}

export function servePort(
  port: PortLike,
  opts: Omit<HostOptions, 'cipher'> & {
    /** Ask the other side to encrypt secrets (Electron safeStorage). */ cipher: boolean;
  },
): PortHost {
  let host: Host | undefined;
  const peer = connectPeer(port, async (method, params): Promise<BridgeReply> => {
    if (method !== 'bridge') throw new Error(`unknown method ${method}`);
    const call = BridgeCall.safeParse(params);
    if (!call.success) return { ok: false, error: { code: 'bad_input', message: 'malformed bridge call' } };
    if (!host) return { ok: false, error: { code: 'unavailable', message: 'the host is still starting' } };
    return host.dispatch(call.data.name, call.data.payload);
  });
  const cipher: SecretCipher | undefined = opts.cipher
    ? {
        kind: 'os',
        encrypt: async (plain) => z.string().parse(await peer.call('cipher.encrypt', plain)),
        decrypt: async (data) => z.string().parse(await peer.call('cipher.decrypt', data)),
      }
    : undefined;
  const { cipher: _useCipher, ...hostOpts } = opts;
  const ready = openHost({ ...hostOpts, cipher }).then((h) => (host = h));
  return { ready };
}
