// Test support for board-client's tests against real centre processes (not exported from the package).
import { afterAll, beforeAll } from 'vitest';
import { WebSocket } from 'ws';
import { startTwins } from '../../../sync-server/test/harness';
import { BoardConnection } from './connection';
import type { BoardConnectionOptions } from './connection';

export type Twins = Awaited<ReturnType<typeof startTwins>>;

/** Node 20 has no global WebSocket: y-websocket gets the `ws` package. */
export const WS = WebSocket as unknown as typeof globalThis.WebSocket;

/** Centre list for BoardConnection, in the order given (home first). */
export const at = (...cs: { name: string; url: string }[]) => cs.map((c) => ({ name: c.name, url: c.url }));

/**
 * Starts both centres before the file's tests and stops them, and every connection opened with `open`, after.
 * `env.twins` is filled in by the time the tests' own beforeAll hooks run.
 */
export function consolesOnTwins() {
  const conns: BoardConnection[] = [];
  const env = {
    twins: undefined as unknown as Twins,
    open(o: Omit<BoardConnectionOptions, 'WebSocketPolyfill'>): BoardConnection {
      const c = new BoardConnection({ WebSocketPolyfill: WS, ...o });
      conns.push(c);
      return c;
    },
  };
  beforeAll(async () => {
    env.twins = await startTwins();
  }, 90_000);
  afterAll(async () => {
    await Promise.all(conns.map((c) => c.destroy()));
    await Promise.all([env.twins.fuzhou.stop(), env.twins.xiamen.stop()]);
  });
  return env;
}
