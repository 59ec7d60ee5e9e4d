import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { crewPage } from './page';

const dirs: string[] = [];
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function serve(dir: string): Promise<string> {
  const handle = crewPage(dir);
  const server = createServer((req, res) => {
    void handle(req, res, new URL(req.url ?? '/', 'http://x')).then((done) => done || res.writeHead(404).end());
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('the crew page at /crew/', () => {
  it('says how to build it when there is no build', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crew-page-'));
    dirs.push(dir);
    const res = await fetch(`${await serve(join(dir, 'dist'))}/crew/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('--filter @twinline/crew-page build');
  });

  it('serves the build under a strict CSP, redirects /crew and keeps out of other folders', async () => {
    const top = mkdtempSync(join(tmpdir(), 'crew-page-'));
    dirs.push(top);
    const dir = join(top, 'dist');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>外勤</title>');
    writeFileSync(join(dir, 'assets', 'main-abc.js'), 'console.log(1)');
    writeFileSync(join(top, 'secret.txt'), 'secret');
    const base = await serve(dir);
    const page = await fetch(`${base}/crew/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const js = await fetch(`${base}/crew/assets/main-abc.js`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(js.headers.get('cache-control')).toContain('immutable');
    const redirect = await fetch(`${base}/crew`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/crew/');
    expect((await fetch(`${base}/crew/..%2fsecret.txt`)).status).toBe(403);
    expect((await fetch(`${base}/crew/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/crew/`, { method: 'POST' })).status).toBe(405);
  });
});
