import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOKEN_HEADER } from '../../common/bridge';
import { BridgeError } from '../../common/bridge';
import { createBridgeClient } from '../../browser/bridge-client';
import type { Host } from './host';
import { serveHost } from './serve';
import type { Served } from './serve';
import { b64, editedDoc, hostKit, unb64 } from './testkit';

const kit = hostKit();
let host: Host;
let served: Served;
let rendererDir: string;

beforeEach(async () => {
  const dir = kit.dir();
  rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(
    join(rendererDir, 'index.html'),
    '<!doctype html>\n<html>\n  <head>\n    <meta charset="utf-8" />\n  </head>\n  <body><div id="root"></div></body>\n</html>\n',
  );
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("twinline")');
  writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
  host = await kit.open(join(dir, 'data'));
  served = await serveHost({
    dispatch: host.dispatch,
    rendererDir,
    settings: () => host.handlers['settings.get']({}),
    bodyLimit: 64 * 1024,
  });
});
afterEach(async () => {
  await served.close();
  await kit.cleanup();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/** Raw HTTP, so tests can send any Host, Origin or body (fetch would not let them). */
function http(
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer; host?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: served.port,
        method,
        path,
        headers: { host: opts.host ?? `127.0.0.1:${served.port}`, ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const call = (name: string, body: unknown, headers: Record<string, string> = {}) =>
  http('POST', `/bridge/${name}`, {
    headers: { 'content-type': 'application/json', [TOKEN_HEADER]: served.token, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('browser mode: the host over HTTP', () => {
  it('prints a loopback URL and a long random token', () => {
    expect(served.url).toBe(`http://127.0.0.1:${served.port}/`);
    expect(served.token.length).toBeGreaterThanOrEqual(40);
  });

  it('serves an operation as JSON with a valid token', async () => {
    const res = await call('cache.status', {});
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json).toMatchObject({ docs: 0 });
  });

  it('401 for a missing or wrong token', async () => {
    const missing = await http('POST', '/bridge/cache.status', {
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({
      error: { code: 'unauthorized', message: `missing or wrong ${TOKEN_HEADER} header` },
    });
    const wrong = await call('cache.status', {}, { [TOKEN_HEADER]: 'x'.repeat(served.token.length) });
    expect(wrong.status).toBe(401);
    const short = await call('cache.status', {}, { [TOKEN_HEADER]: 'abc' });
    expect(short.status).toBe(401);
    // An unknown operation is not revealed to a caller without the token.
    expect((await call('nope.nothing', {}, { [TOKEN_HEADER]: 'abc' })).status).toBe(401);
  });

  it('404 for an unknown operation', async () => {
    const res = await call('cache.dropEverything', {});
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: { code: 'unknown_op', message: 'unknown operation cache.dropEverything' } });
    expect((await call('constructor', {})).status).toBe(404);
  });

  it('400 with a clear message for bad JSON and for payloads off the schema', async () => {
    const bad = await call('drafts.put', '{"id": "d1", ');
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ error: { code: 'bad_input', message: 'body is not valid JSON' } });
    const off = await call('drafts.put', { id: 'd1', json: '{}', updatedAt: 'yesterday' });
    expect(off.status).toBe(400);
    expect(off.json).toMatchObject({ error: { code: 'bad_input', message: expect.stringContaining('updatedAt') } });
    expect((await call('drafts.list', {})).json).toEqual({ drafts: [] });
  });

  it('413 for a body over the limit, and nothing is written', async () => {
    const { updates } = editedDoc(1);
    const huge = { doc: 'region/fuzhou', updates: [b64(updates[0]!), 'A'.repeat(100 * 1024)] };
    const res = await call('cache.appendUpdates', huge);
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ error: { code: 'too_large' } });
    expect(await host.handlers['cache.status']({})).toMatchObject({ docs: 0 });
    // Streamed without a content-length: counted as it arrives.
    const chunked = await http('POST', '/bridge/cache.appendUpdates', {
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: served.token, 'transfer-encoding': 'chunked' },
      body: JSON.stringify(huge),
    });
    expect(chunked.status).toBe(413);
    expect(await host.handlers['cache.status']({})).toMatchObject({ docs: 0 });
  });

  it('403 for a foreign Origin (a web page elsewhere) and for a foreign Host (DNS rebinding)', async () => {
    const foreign = await call('cache.status', {}, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.json).toMatchObject({ error: { code: 'forbidden' } });
    expect((await call('cache.status', {}, { origin: 'null' })).status).toBe(403);
    expect((await call('cache.status', {}, { origin: `http://127.0.0.1:${served.port}` })).status).toBe(200);
    expect((await call('cache.status', {}, { origin: `http://localhost:${served.port}` })).status).toBe(200);
    const rebound = await http('GET', '/', { host: `evil.example:${served.port}` });
    expect(rebound.status).toBe(403);
  });

  it('415 unless the body is declared JSON; 405 for GET on an operation', async () => {
    expect((await call('cache.status', '{}', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await http('GET', '/bridge/cache.status', { headers: { [TOKEN_HEADER]: served.token } })).status).toBe(405);
  });

  it('serves index.html with a strict CSP naming the centres, and echoes the token only to a page that has it', async () => {
    const page = await http('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    // Each centre's sync and HTTP endpoints, and its SIP server for the softphone.
    expect(csp).toContain(
      "connect-src 'self' ws://127.0.0.1:4401 http://127.0.0.1:4401 ws://127.0.0.1:5480 ws://127.0.0.1:4402",
    );
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.text).not.toContain(served.token);

    const withToken = await http('GET', `/?token=${served.token}`);
    expect(withToken.text).toContain(`<meta name="twinline-host-token" content="${served.token}" />`);
    expect(withToken.headers['content-security-policy']).toBe(csp);
    expect((await http('GET', '/?token=wrong')).text).not.toContain('twinline-host-token');

    const js = await http('GET', '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('does not serve files outside the renderer directory', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/missing.js']) {
      const res = await http('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.text).not.toContain('outside the renderer');
    }
  });

  it('the renderer client works over HTTP: typed calls, board round trip, BridgeError on refusal', async () => {
    const client = createBridgeClient({ hostUrl: served.url, token: served.token });
    expect(client.mode).toBe('browser');
    const { doc, updates } = editedDoc(4);
    await client.call('cache.appendUpdates', { doc: 'region/putian', updates: updates.map(b64) });
    const loaded = await client.call('cache.loadDoc', { doc: 'region/putian' });
    const copy = new Y.Doc();
    for (const u of loaded.updates) Y.applyUpdate(copy, unb64(u));
    expect(copy.getMap('orders').toJSON()).toEqual(doc.getMap('orders').toJSON());
    expect((await client.call('settings.get')).homeCentre).toBe('fuzhou');
    expect(await client.call('cache.status')).toMatchObject({ docs: 1 });

    const refused = await client.call('settings.set', { language: 'fr' as 'en' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BridgeError);
    expect(refused).toMatchObject({ code: 'bad_input', message: expect.stringContaining('language') });

    const noToken = createBridgeClient({ hostUrl: served.url, token: 'wrong' });
    await expect(noToken.call('cache.status')).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
