// Twin centres WITH their SIP servers for tests: two real centre processes (pnpm centre --sip-…), each the other's
// replication peer and SIP twin, on fixed free ports so either can be restarted on the same addresses; signed-in
// agents with a softphone (test/sip-client.ts) and the agent-state API.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseRoutingConfig } from '@twinline/routing';
import type { RoutingConfig } from '@twinline/routing';
import { demoRoutingConfig } from '@twinline/routing/testkit';
import { findKamailio } from '../src/sip/kamailio';
import { SipCredentialsSchema } from '../src/sip/contract';
import type { SipCredentials } from '../src/sip/contract';
import { eventually, freePort, login, startCentreProcess, tempDir } from './harness';
import type { CentreProcess } from './harness';
import { WsPhone } from './sip-client';

export const kamailioInstalled = (() => {
  try {
    findKamailio();
    return true;
  } catch {
    return false;
  }
})();

export type TwinName = 'fuzhou' | 'xiamen';

export interface SipCentre {
  name: TwinName;
  /** The running process (replaced by restart()). */
  centre: CentreProcess;
  ws: string;
  udp: { host: string; port: number };
  /** Stops the centre (and its Kamailio) and starts it again on the same ports and data. */
  restart(): Promise<void>;
}

/** The demo routing of a centre with test limits: every group's longest wait, and calls in progress per region. */
export function testRouting(
  centre: TwinName,
  o: { maxWaitMs?: number; regionLimits?: Record<string, number> } = {},
): RoutingConfig {
  const base = demoRoutingConfig(centre);
  return parseRoutingConfig({
    ...base,
    groups: base.groups.map((g) => ({ ...g, maxWaitMs: o.maxWaitMs ?? g.maxWaitMs })),
    regions: base.regions.map((r) => ({ ...r, maxCallsInProgress: o.regionLimits?.[r.id] ?? r.maxCallsInProgress })),
  });
}

/**
 * Starts fuzhou and xiamen with Kamailio, linked both ways; resolves once both SIP servers listen and each centre
 * may overflow to the other. `routing` gives a centre a routing configuration (else the demo's). `stop()` stops
 * both and removes their data.
 */
export async function startSipTwins(
  o: {
    routing?: Partial<Record<TwinName, RoutingConfig>>;
    logLevel?: string;
    /** More command-line flags for both centres, e.g. ['--demo-customers', '2000']. */
    flags?: string[];
  } = {},
) {
  const port = { fuzhou: await freePort(), xiamen: await freePort() };
  const ws = { fuzhou: await freePort(), xiamen: await freePort() };
  const udp = { fuzhou: await freePort(), xiamen: await freePort() };
  const dir = tempDir('twinline-routing-');
  const twinOf = (n: TwinName): TwinName => (n === 'fuzhou' ? 'xiamen' : 'fuzhou');
  const flags = (n: TwinName) => {
    const t = twinOf(n);
    const f = [
      '--sip-ws-port',
      String(ws[n]),
      '--sip-udp-port',
      String(udp[n]),
      '--sip-twin',
      `udp:127.0.0.1:${udp[t]}`,
      '--sip-twin-ws',
      `${t}=ws://127.0.0.1:${ws[t]}`,
    ];
    if (o.flags) f.push(...o.flags);
    const routing = o.routing?.[n];
    if (routing) {
      const file = join(dir, `${n}-routing.json`);
      writeFileSync(file, JSON.stringify(routing, null, 2));
      f.push('--routing-config', file);
    }
    return f;
  };
  const launch = async (n: TwinName, dataDir?: string) => {
    const c = await startCentreProcess({
      name: n,
      port: port[n],
      peer: `ws://127.0.0.1:${port[twinOf(n)]}`,
      dataDir,
      flags: flags(n),
      logLevel: o.logLevel,
    });
    await c.waitForLog((l) => l.msg === 'kamailio listening');
    return c;
  };
  const [fz, xm] = await Promise.all([launch('fuzhou'), launch('xiamen')]);
  const make = (n: TwinName, c: CentreProcess): SipCentre => {
    const s: SipCentre = {
      name: n,
      centre: c,
      ws: `ws://127.0.0.1:${ws[n]}`,
      udp: { host: '127.0.0.1', port: udp[n] },
      async restart() {
        await s.centre.stop();
        s.centre = await launch(n, s.centre.dataDir);
        await twinUp(s);
      },
    };
    return s;
  };
  const fuzhou = make('fuzhou', fz);
  const xiamen = make('xiamen', xm);
  const stop = async () => {
    await Promise.all([fuzhou.centre.stop(), xiamen.centre.stop()]);
    for (const d of [dir, fuzhou.centre.dataDir, xiamen.centre.dataDir]) rmSync(d, { recursive: true, force: true });
  };
  try {
    await Promise.all([twinUp(fuzhou), twinUp(xiamen)]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { fuzhou, xiamen, stop };
}

/** The centre's router knows the twin can take overflow (its replication link is up; checked every second). */
async function twinUp(s: SipCentre): Promise<void> {
  await s.centre.waitForLog((l) => l.msg === 'twin centre can take overflow', 15_000);
}

interface RouteLog {
  callId: string;
  answer: unknown;
  fromTwin: boolean;
  digit?: string;
  ms: number;
}

export const routeAnswers = (c: CentreProcess) => c.logs.filter((l) => l.msg === 'sip route') as unknown as RouteLog[];

/** A centre's 'sip route' line for a call, waited for: logs come through a pipe and may trail the SIP messages. */
export async function routeAnswerFor(c: CentreProcess, callId: string): Promise<RouteLog> {
  return (await c.waitForLog((l) => l.msg === 'sip route' && l.callId === callId, 10_000)) as unknown as RouteLog;
}

export const sipEvents = (c: CentreProcess) =>
  c.logs.filter((l) => l.msg === 'sip event').map((l) => l.sipEvent as Record<string, unknown>);

/** The router's decisions for a call, once at least `n` are logged (logs may trail the SIP messages). */
export async function decisionsOf(c: CentreProcess, callId: string, n: number) {
  await eventually(() => decisionsFor(c, callId).length >= n, `${n} decisions for ${callId} logged`);
  return decisionsFor(c, callId);
}

/** The router's decisions for a call at a centre, as logged ('call decision') so far. */
export const decisionsFor = (c: CentreProcess, callId: string) =>
  c.logs.filter((l) => l.msg === 'call decision' && l.callId === callId) as {
    decision: string;
    reason: string;
    agentId?: string;
    region: string;
    regionSource: string;
    group: string;
    sipCode?: number;
    zh: string;
    en: string;
  }[];

export async function credentials(c: CentreProcess, user: string): Promise<SipCredentials> {
  const res = await fetch(`${c.http}/api/sip/credentials`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await login(c, user)}` },
  });
  expect(res.status).toBe(200);
  return SipCredentialsSchema.parse(await res.json());
}

/** A JSON request to a centre's API; resolves with the status and the parsed body. */
export async function api(
  c: CentreProcess,
  path: string,
  o: { token?: string; body?: unknown; method?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${c.http}${path}`, {
    method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      ...(o.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A signed-in agent of a centre: its login token, its softphone (once registered), its state through the API. */
export class TestAgent {
  phone: WsPhone | null = null;
  private creds: SipCredentials | null = null;

  private constructor(
    readonly at: SipCentre,
    readonly user: string,
    readonly token: string,
  ) {}

  static async signIn(at: SipCentre, user: string): Promise<TestAgent> {
    return new TestAgent(at, user, await login(at.centre, user));
  }

  /** Registers a softphone with the centre's SIP server and waits until the centre has heard of it. */
  async register(): Promise<WsPhone> {
    this.creds ??= await credentials(this.at.centre, this.user);
    this.phone ??= await WsPhone.connect(this.at.ws);
    const r = await this.phone.register(this.user, this.creds.username, this.creds.password);
    expect(r.status).toBe(200);
    await eventually(async () => (await this.state()).phones! > 0, `${this.user}'s phone known to the centre`);
    return this.phone;
  }

  /** Unregisters the softphone (expires 0), keeping the WebSocket. */
  async unregister(): Promise<void> {
    const r = await this.phone!.register(this.user, this.creds!.username, this.creds!.password, 0);
    expect(r.status).toBe(200);
    await eventually(async () => (await this.state()).phones === 0, `${this.user}'s phone gone at the centre`);
  }

  async state(): Promise<Record<string, unknown> & { state: string; phones: number | null }> {
    const r = await api(this.at.centre, '/api/agent/state', { token: this.token });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as Record<string, unknown> & { state: string; phones: number | null };
  }

  /** Sets its own state; expects 200. */
  async set(state: 'ready' | 'not_ready' | 'signed_out', reason?: string): Promise<Record<string, unknown>> {
    const r = await api(this.at.centre, '/api/agent/state', { token: this.token, body: { state, reason } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  }

  close(): void {
    this.phone?.close();
    this.phone = null;
  }
}

/** Signs out every agent of the centre's routing who is signed in (as its team lead). */
export async function signOutEveryone(at: SipCentre, lead: string): Promise<void> {
  const token = await login(at.centre, lead);
  const snap = await api(at.centre, '/api/calls/snapshot', { token });
  expect(snap.status).toBe(200);
  for (const a of snap.body.agents as { agentId: string; state: string }[]) {
    if (a.state === 'signed_out') continue;
    const r = await api(at.centre, '/api/agent/state', { token, body: { state: 'signed_out', agent: a.agentId } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
}

/** Server-Sent Events from a centre, read with fetch: every event so far, and a wait for the next matching one. */
export async function openEvents(c: CentreProcess, token: string) {
  const controller = new AbortController();
  const res = await fetch(`${c.http}/api/agent/events?token=${encodeURIComponent(token)}`, {
    signal: controller.signal,
  });
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const waiters: { pred: (e: (typeof events)[number]) => boolean; resolve: () => void }[] = [];
  if (res.ok && res.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (!event || !data) continue;
            const e = { event, data: JSON.parse(data) as Record<string, unknown> };
            events.push(e);
            for (const w of [...waiters]) {
              if (!w.pred(e)) continue;
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve();
            }
          }
        }
      } catch {
        // aborted
      }
    })();
  }
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    events,
    next(pred: (e: (typeof events)[number]) => boolean, what: string, timeoutMs = 5000): Promise<void> {
      if (events.some(pred)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event: ${what}`)), timeoutMs);
        waiters.push({ pred, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    close: () => controller.abort(),
  };
}
