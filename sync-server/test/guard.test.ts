// Accounts, roles and every kind of bad input: each refused clearly, costing only its own connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { createOrder, readOrder, snapshot } from '@twinline/board';
import { connectClient, eventually, login, startCentreProcess } from './harness';
import type { CentreProcess, Client } from './harness';

const draft = {
  type: 'inquiry' as const,
  channel: 'phone' as const,
  priority: 'normal' as const,
  region: { city: 'quanzhou', county: 'licheng', areaClass: 'urban' as const },
  address: '泉州市鲤城区中山路 10 号',
  callerNumber: '059522223333',
  description: '查询电费余额',
};

/** A raw socket, to send what no honest client would; resolves with how the server closed it. */
function rawSocket(url: string): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  return new Promise((res, rej) => {
    const ws = new WebSocket(url);
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      ws.on('close', (code, reason) => r({ code, reason: reason.toString() })),
    );
    ws.on('open', () => res({ ws, closed }));
    ws.on('error', rej);
  });
}

describe('centre guard', () => {
  let centre: CentreProcess;
  let leadToken: string;
  let watcher: Client;
  let seededId: string;
  const clients: Client[] = [];
  const docUrl = (doc: string, token: string) => `${centre.url}/${doc}?token=${encodeURIComponent(token)}`;

  beforeAll(async () => {
    centre = await startCentreProcess({ name: 'xiamen' });
    leadToken = await login(centre, 'lead.xm');
    watcher = connectClient(centre, 'region/quanzhou', leadToken);
    clients.push(watcher);
    await watcher.synced();
    seededId = createOrder(watcher.doc, draft, { userId: 'lead.xm', role: 'team_lead', centre: 'xiamen' });
    await new Promise((r) => setTimeout(r, 300));
  }, 90_000);
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await centre.stop();
  });

  it('login: right password gives a token, wrong password and bad bodies get clear errors', async () => {
    const ok = await fetch(`${centre.http}/api/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'lead.xm', password: 'Twinline!2026' }),
    });
    expect(ok.status).toBe(200);
    const wrong = await fetch(`${centre.http}/api/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'lead.xm', password: 'nope' }),
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'wrong user name or password' });
    const garbage = await fetch(`${centre.http}/api/login`, { method: 'POST', body: '{"username": ' });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: string }).error).toMatch(/not valid JSON/);
    const missing = await fetch(`${centre.http}/api/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'x' }),
    });
    expect(((await missing.json()) as { error: string }).error).toMatch(/password/);
  });

  it('repeated wrong passwords lock that user name for a minute', async () => {
    for (let i = 0; i < 5; i++) {
      await fetch(`${centre.http}/api/login`, {
        method: 'POST',
        body: JSON.stringify({ username: 'agent2.xm', password: 'guess' + i }),
      });
    }
    const locked = await fetch(`${centre.http}/api/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'agent2.xm', password: 'Twinline!2026' }),
    });
    expect(locked.status).toBe(429);
  });

  it('a socket without a valid token is closed with the reason', async () => {
    for (const token of ['', 'not-a-jwt', leadToken.slice(0, -4) + 'AAAA']) {
      const { closed } = await rawSocket(docUrl('region/quanzhou', token));
      expect(await closed).toEqual({ code: 4401, reason: 'missing, invalid or expired token' });
    }
  });

  it('a dispatcher may open only its own city, and unknown documents are refused', async () => {
    const disp = await login(centre, 'disp.fuzhou-gulou');
    expect(await (await rawSocket(docUrl('region/quanzhou', disp))).closed).toEqual({
      code: 4403,
      reason: 'no access to this document',
    });
    expect(await (await rawSocket(docUrl('secrets/all', leadToken))).closed).toEqual({
      code: 4404,
      reason: 'unknown document',
    });
    const own = connectClient(centre, 'region/fuzhou', disp);
    clients.push(own);
    await own.synced();
  });

  it('a refused write is not applied, stored or relayed, and the writer is told', async () => {
    const agentToken = await login(centre, 'agent1.xm');
    const forger = connectClient(centre, 'region/quanzhou', agentToken);
    clients.push(forger);
    await forger.synced();
    // The agent forges an order in the team lead's name.
    const forged = createOrder(
      forger.doc,
      { ...draft, description: '伪造' },
      { userId: 'lead.xm', role: 'team_lead', centre: 'xiamen' },
    );
    await eventually(() => forger.denied.length > 0, 'writer told of the refusal');
    expect(forger.denied[0]).toMatch(/write refused/);
    await new Promise((r) => setTimeout(r, 300));
    expect(readOrder(watcher.doc, forged)).toBeUndefined();
    const fresh = connectClient(centre, 'region/quanzhou', leadToken);
    clients.push(fresh);
    await fresh.synced();
    expect(readOrder(fresh.doc, forged)).toBeUndefined();
    expect(readOrder(fresh.doc, seededId)).toBeDefined();
    const metrics = await (await fetch(`${centre.http}/metrics`)).text();
    expect(metrics).toMatch(/twinline_refused_writes_total\{centre="xiamen"\} [1-9]/);
  });

  it('malformed, truncated, unknown, text and oversized frames close only their own socket', async () => {
    const cases: [string, (ws: WebSocket) => void, number, RegExp][] = [
      [
        'garbage',
        (ws) => ws.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])),
        4400,
        /malformed/,
      ],
      ['truncated update', (ws) => ws.send(truncatedUpdate()), 4400, /malformed|could not be applied/],
      ['unknown type', (ws) => ws.send(Buffer.from([9, 0])), 4400, /unknown message type 9/],
      ['unknown sync step', (ws) => ws.send(Buffer.from([0, 7, 0])), 4400, /unknown sync step 7/],
      ['text frame', (ws) => ws.send('hello'), 4400, /text frame/],
      [
        'oversized',
        (ws) => ws.send(Buffer.alloc(5 * 1024 * 1024, 1)),
        1009,
        /message too big: 5242880 bytes, limit 4194304/,
      ],
    ];
    for (const [name, send, code, reason] of cases) {
      const { ws, closed } = await rawSocket(docUrl('region/quanzhou', leadToken));
      send(ws);
      const got = await closed;
      expect(got.code, `${name}: ${got.reason}`).toBe(code);
      expect(got.reason, name).toMatch(reason);
    }
    // Everyone else is still served and nothing stored was harmed.
    expect(watcher.provider.wsconnected).toBe(true);
    const after = connectClient(centre, 'region/quanzhou', leadToken);
    clients.push(after);
    await after.synced();
    expect(snapshot(after.doc).map((o) => o.order.id)).toContain(seededId);
    expect((await fetch(`${centre.http}/health`)).status).toBe(200);
  });

  it('a flood of connections from one user is capped; other users still get in', async () => {
    const agentToken = await login(centre, 'agent3.xm');
    const opened = await Promise.all(
      Array.from({ length: 20 }, () => rawSocket(docUrl('region/quanzhou', agentToken))),
    );
    const refused = await Promise.race([
      Promise.all(opened.map((o) => Promise.race([o.closed, new Promise((r) => setTimeout(() => r(null), 1000))]))),
    ]);
    const codes = (refused as ({ code: number } | null)[]).filter(Boolean).map((c) => c!.code);
    expect(codes.length).toBeGreaterThanOrEqual(4);
    expect(new Set(codes)).toEqual(new Set([4529]));
    for (const o of opened) o.ws.close();
    const other = connectClient(centre, 'region/quanzhou', leadToken);
    clients.push(other);
    await other.synced();
    expect(readOrder(other.doc, seededId)).toBeDefined();
  });
});

/** A sync update message whose update payload is cut in the middle. */
function truncatedUpdate(): Uint8Array {
  const d = new Y.Doc();
  d.getMap('orders').set('x', 'y'.repeat(100));
  const update = Y.encodeStateAsUpdate(d);
  const full = encoding.encode((e) => {
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint8Array(e, update);
  });
  return full.slice(0, full.length - 60);
}

describe('centre HTTP for the console', () => {
  let centre: CentreProcess;
  beforeAll(async () => {
    centre = await startCentreProcess({ name: 'fuzhou' });
  }, 90_000);
  afterAll(async () => {
    await centre.stop();
  });

  it('answers the console origin (loopback host, Electron scheme) with CORS headers, and nobody else', async () => {
    const preflight = await fetch(`${centre.http}/api/login`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:4480', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4480');
    const electron = await fetch(`${centre.http}/health`, { headers: { origin: 'twinline://app' } });
    expect(electron.headers.get('access-control-allow-origin')).toBe('twinline://app');
    const stranger = await fetch(`${centre.http}/api/login`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'lead.fz', password: 'Twinline!2026' }),
    });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });
});
