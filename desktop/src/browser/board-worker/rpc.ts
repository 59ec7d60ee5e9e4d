// Typed request/response on top of common/port-rpc for the window and the board worker: `call('act', {...})` is
// checked against the other side's method table, and `serve(table)` against one's own.
import { connectPeer } from '../../common/port-rpc';
import type { PortLike } from '../../common/port-rpc';

type Table = Record<string, (p: never) => unknown>;
type Params<F> = F extends (p: infer P) => unknown ? P : never;

export interface TypedPeer<Remote extends Table> {
  call<K extends keyof Remote & string>(method: K, params: Params<Remote[K]>): Promise<Awaited<ReturnType<Remote[K]>>>;
  fail(reason: string): void;
}

export function connectTyped<Local extends Table, Remote extends Table>(
  port: PortLike,
  local: { [K in keyof Local]: (p: Params<Local[K]>) => ReturnType<Local[K]> | Promise<Awaited<ReturnType<Local[K]>>> },
): TypedPeer<Remote> {
  const peer = connectPeer(port, async (method, params) => {
    if (!Object.hasOwn(local, method)) throw new Error(`no method ${method}`);
    return (local[method] as (p: unknown) => unknown)(params);
  });
  return {
    // No timeout: the worker's work (loading a 20,000-order cache) takes as long as it takes.
    call: (method, params) => peer.call(method, params, 0) as never,
    fail: (reason) => peer.fail(reason),
  };
}
