// The renderer's one way to reach the host, typed from the handler map (desktop/src/common/bridge.ts):
//
//   const bridge = createBridgeClient();
//   const { updates } = await bridge.call('cache.loadDoc', { doc: 'region/fuzhou' });
//
// Under Electron it uses `window.twinline` (the preload's IPC relay); in a plain browser it POSTs to the host that
// served the page, with the per-launch token from the page's `?token=` (or the meta tag the host echoes it into).
// Every result is validated against the map's output schema before the caller sees it; failures throw BridgeError.
import { BridgeError, BridgeFailure, bridge, TOKEN_HEADER } from '../common/bridge';
import type { BridgeInput, BridgeName, BridgeOutput, BridgeReply, TwinlinePreloadApi } from '../common/bridge';
import { parseOutput } from '../common/dispatch';

declare global {
  interface Window {
    /** Present only inside Electron (the preload adds it); the same renderer also runs in a plain browser. */
    twinline?: TwinlinePreloadApi;
  }
}

/** Operations whose input is all-optional may be called without a payload. */
type PayloadArgs<N extends BridgeName> =
  Record<string, never> extends BridgeInput<N> ? [payload?: BridgeInput<N>] : [payload: BridgeInput<N>];

export interface BridgeClient {
  readonly mode: 'electron' | 'browser';
  call<N extends BridgeName>(name: N, ...args: PayloadArgs<N>): Promise<BridgeOutput<N>>;
}

export interface BridgeClientEnv {
  preload?: TwinlinePreloadApi;
  /** Browser mode: the host's base URL (default the page's origin) and token. */
  hostUrl?: string;
  token?: string;
  fetch?: typeof fetch;
}

/** The token, from `?token=` or `<meta name="twinline-host-token">`; kept in sessionStorage so a reload finds it. */
export function tokenFromPage(): string | undefined {
  if (typeof document === 'undefined') return undefined;
  const fromQuery = new URLSearchParams(location.search).get('token') ?? undefined;
  const fromMeta = document.querySelector<HTMLMetaElement>('meta[name="twinline-host-token"]')?.content || undefined;
  let fromSession: string | undefined;
  try {
    fromSession = sessionStorage.getItem('twinline-host-token') ?? undefined;
  } catch {
    fromSession = undefined;
  }
  const token = fromQuery ?? fromMeta ?? fromSession;
  if (token) {
    try {
      sessionStorage.setItem('twinline-host-token', token);
    } catch {
      // storage disabled: the token stays in the URL
    }
  }
  return token;
}

function unwrap<N extends BridgeName>(name: N, reply: BridgeReply): BridgeOutput<N> {
  if (!reply.ok) throw new BridgeError(reply.error.code, reply.error.message);
  const out = parseOutput(name, reply.result);
  if (!out.ok) throw new BridgeError(out.error.code, out.error.message);
  return out.result;
}

export function createBridgeClient(env: BridgeClientEnv = {}): BridgeClient {
  const preload = env.preload ?? (typeof window !== 'undefined' ? window.twinline : undefined);
  if (preload) {
    return {
      mode: 'electron',
      call: async (name, ...args) => {
        if (!Object.hasOwn(bridge, name)) throw new BridgeError('unknown_op', `unknown operation ${String(name)}`);
        return unwrap(name, await preload.invoke(name, (args[0] ?? {}) as never));
      },
    };
  }
  const doFetch = env.fetch ?? fetch;
  const base = env.hostUrl ?? (typeof location !== 'undefined' ? location.origin : 'http://127.0.0.1');
  const token = env.token ?? tokenFromPage();
  return {
    mode: 'browser',
    call: async (name, ...args) => {
      if (!Object.hasOwn(bridge, name)) throw new BridgeError('unknown_op', `unknown operation ${String(name)}`);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers[TOKEN_HEADER] = token;
      let res: Response;
      try {
        res = await doFetch(new URL(`/bridge/${name}`, base), {
          method: 'POST',
          headers,
          body: JSON.stringify(args[0] ?? {}),
          credentials: 'omit',
          cache: 'no-store',
        });
      } catch (err) {
        throw new BridgeError('unavailable', `host unreachable: ${(err as Error).message}`);
      }
      const body: unknown = await res.json().catch(() => undefined);
      if (res.ok) return unwrap(name, { ok: true, result: body });
      const failure = BridgeFailure.safeParse((body as { error?: unknown } | undefined)?.error);
      if (failure.success) throw new BridgeError(failure.data.code, failure.data.message);
      throw new BridgeError('unavailable', `host answered HTTP ${res.status}`);
    },
  };
}
