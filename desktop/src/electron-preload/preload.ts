// The preload: exposes exactly one object, `window.twinline = { invoke(name, payload) }`, whose accepted names are
// the bridge's handler map (no second list). Runs sandboxed with contextIsolation, so it can only reach
// `contextBridge` and `ipcRenderer`; Vite bundles it (with the map) into dist/preload/preload.cjs.
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CHANNEL, bridgeNames } from '../common/bridge';
import type { BridgeReply, TwinlinePreloadApi } from '../common/bridge';

const names = new Set<string>(bridgeNames);

const api: TwinlinePreloadApi = {
  invoke: (name, payload) => {
    if (!names.has(name)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'unknown_op', message: `unknown operation ${String(name)}` },
      });
    }
    return ipcRenderer.invoke(IPC_CHANNEL, name, payload) as Promise<BridgeReply<never>>;
  },
};

contextBridge.exposeInMainWorld('twinline', api);
