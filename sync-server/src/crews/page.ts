// Serves the crews' mobile page (packages/crew-page, built by Vite into its dist/) at /crew/. The link a crew opens is
// `/crew/#<token>`: the token stays in the fragment, which the browser never sends, so it is in no request or log.
// Without a build the centre says so, with the command that makes one.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

export const CREW_PAGE_DIST = resolve(import.meta.dirname, '../../../packages/crew-page/dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
};

/** Only same-origin scripts, styles and requests; photos previewed from blob: URLs. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; " +
  "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const MISSING = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>外勤页面未构建</title>
<p>外勤页面尚未构建 / The crew page has not been built on this centre.</p>
<pre>bash scripts/pnpm.sh --filter @twinline/crew-page build</pre></html>`;

export function crewPage(dir = CREW_PAGE_DIST) {
  const root = resolve(dir);
  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== '/crew' && !url.pathname.startsWith('/crew/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return true;
    }
    if (url.pathname === '/crew') {
      // The browser keeps the fragment (the link's token) across the redirect.
      res.writeHead(301, { location: '/crew/' }).end();
      return true;
    }
    if (!existsSync(join(root, 'index.html'))) {
      res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(MISSING);
      return true;
    }
    let path: string;
    try {
      path = decodeURIComponent(url.pathname.slice('/crew'.length));
    } catch {
      res.writeHead(400).end();
      return true;
    }
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return true;
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return true;
    }
    const hashed = file.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      // Built assets carry a content hash in their names; the page itself is always asked for again.
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-security-policy': CSP,
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
