// The window's side of the board worker: starts the worker, relays its cache calls to the host bridge, and hands
// what it reports (orders, connection state, events, presence) to the listeners the session thunk installs.
import type { BoardState, ConnectionEvent } from '@twinline/board-client';
import type { BridgeClient } from '../bridge-client';
import type { BoardRow } from '../features/board/types';
import type { CustomerSyncProgress } from '../customers/sync';
import type { PresenceByOrder } from '../features/presence/collect';
import type { PortLike } from '../../common/port-rpc';
import { RELAYED_BRIDGE_CALLS } from './protocol';
import type { RelayedBridgeCall, WindowMethods, WorkerMethods } from './protocol';
import { connectTyped } from './rpc';
import type { TypedPeer } from './rpc';

export interface BoardListeners {
  orders(batch: { upserts: BoardRow[]; removed: string[] }): void;
  /** The worker's documents are loaded and every order in them has been sent. */
  loaded(): void;
  /** The worker reloads `doc` from the centre after a refused write (its rows are sent again, then `loaded`). */
  reloading(p: { doc: string; reason: string }): void;
  customers(p: CustomerSyncProgress): void;
  state(s: BoardState): void;
  event(e: ConnectionEvent): void;
  presence(p: PresenceByOrder): void;
  roster(p: { doc: string }): void;
}

export type BoardWorker = TypedPeer<WorkerMethods> & { terminate(): void };

/** Connects to a board worker over `port` (a real Worker in the app, an in-memory pair in tests). */
export function connectBoardWorker(
  port: PortLike,
  bridge: Pick<BridgeClient, 'call'>,
  listeners: BoardListeners,
  terminate: () => void = () => undefined,
): BoardWorker {
  const local: WindowMethods = {
    bridge({ name, payload }) {
      if (!RELAYED_BRIDGE_CALLS.includes(name)) throw new Error(`the board worker may not call ${String(name)}`);
      return bridge.call(name as RelayedBridgeCall, payload as never);
    },
    orders: (batch) => listeners.orders(batch),
    loaded: () => listeners.loaded(),
    reloading: (p) => listeners.reloading(p),
    customers: (p) => listeners.customers(p),
    state: (s) => listeners.state(s),
    event: (e) => listeners.event(e),
    presence: (p) => listeners.presence(p),
    roster: (p) => listeners.roster(p),
  };
  const peer = connectTyped<WindowMethods, WorkerMethods>(port, local);
  return {
    ...peer,
    terminate() {
      peer.fail('board worker stopped');
      terminate();
    },
  };
}

/** Starts the board's Web Worker. */
export function startBoardWorker(bridge: Pick<BridgeClient, 'call'>, listeners: BoardListeners): BoardWorker {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'board' });
  worker.addEventListener('error', (e) => console.error('board worker failed', e.message));
  return connectBoardWorker(
    {
      post: (message) => worker.postMessage(message),
      onMessage: (listener) => worker.addEventListener('message', (e) => listener(e.data)),
    },
    bridge,
    listeners,
    () => worker.terminate(),
  );
}
