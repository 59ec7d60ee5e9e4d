// Request/response over a message port, both directions at once. Under Electron, the main process calls the host
// ('bridge': relay a renderer call) and the host calls the main process ('cipher.*': safeStorage lives only there).
// The port is abstracted to post + onMessage so Electron's MessagePortMain, Node's worker_threads MessagePort and a
// test double all fit.

export interface PortLike {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

type Wire =
  | { t: 'req'; id: number; m: string; p: unknown }
  | { t: 'res'; id: number; ok: true; v: unknown }
  | { t: 'res'; id: number; ok: false; e: string };

export interface Peer {
  call(method: string, params: unknown, timeoutMs?: number): Promise<unknown>;
  /** Rejects every pending call (e.g. the other side exited). */
  fail(reason: string): void;
}

export function connectPeer(port: PortLike, serve: (method: string, params: unknown) => Promise<unknown>): Peer {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer?: unknown }>();

  port.onMessage((raw) => {
    const msg = raw as Wire;
    if (typeof msg !== 'object' || msg === null || typeof msg.id !== 'number') return;
    if (msg.t === 'req' && typeof msg.m === 'string') {
      serve(msg.m, msg.p).then(
        (v) => port.post({ t: 'res', id: msg.id, ok: true, v } satisfies Wire),
        (err: unknown) =>
          port.post({
            t: 'res',
            id: msg.id,
            ok: false,
            e: err instanceof Error ? err.message : String(err),
          } satisfies Wire),
      );
    } else if (msg.t === 'res') {
      const waiter = pending.get(msg.id);
      if (!waiter) return;
      pending.delete(msg.id);
      if (waiter.timer !== undefined) clearTimeout(waiter.timer as ReturnType<typeof setTimeout>);
      if (msg.ok) waiter.resolve(msg.v);
      else waiter.reject(new Error(msg.e));
    }
  });

  return {
    call(method, params, timeoutMs = 30_000) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        // timeoutMs <= 0: wait as long as it takes (the other side answers or fail() is called).
        const timer =
          timeoutMs > 0
            ? setTimeout(() => {
                pending.delete(id);
                reject(new Error(`${method}: no answer within ${timeoutMs} ms`));
              }, timeoutMs)
            : undefined;
        pending.set(id, { resolve, reject, timer });
        port.post({ t: 'req', id, m: method, p: params } satisfies Wire);
      });
    },
    fail(reason) {
      for (const [id, waiter] of pending) {
        pending.delete(id);
        if (waiter.timer !== undefined) clearTimeout(waiter.timer as ReturnType<typeof setTimeout>);
        waiter.reject(new Error(reason));
      }
    },
  };
}
