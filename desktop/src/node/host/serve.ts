// Browser mode: the host's handler map over HTTP on 127.0.0.1, plus the built renderer's static files.
//
//   POST /bridge/<name>   JSON body → 200 JSON result, or {error: {code, message}} with 400/401/403/404/413/415/500
//
// Defences, in the order they run: only loopback Host names (DNS rebinding), an Origin that is this server's own (a
// web page elsewhere cannot call in), the per-launch token in the x-twinline-token header (another local user or
// program cannot call in), a known operation, application/json, a body size limit, then the dispatcher's schemas.
// The token reaches the page only through the URL the host prints (`/?token=…`); index.html echoes it in a meta tag
// only to a request that already carries it.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { MAX_BRIDGE_BODY, TOKEN_HEADER, isBridgeName } from '../../common/bridge';
import type { BridgeErrorCode, Settings } from '../../common/bridge';
import type { Dispatch } from '../../common/dispatch';
import { contentSecurityPolicy } from '../../common/csp';

export interface ServeOptions {
  dispatch: Dispatch;
  /** The built renderer (desktop/dist/renderer). A placeholder page is served when it has no index.html. */
  rendererDir: string;
  /** Current settings, for the CSP's connect-src (the centres' URLs). */
  settings: () => Promise<Settings>;
  port?: number;
  /** Per-launch token; random 32 bytes when absent. */
  token?: string;
  /** Largest accepted request body, bytes (default MAX_BRIDGE_BODY: a batch of board updates in base64). */
  bodyLimit?: number;
}

export interface Served {
  server: Server;
  port: number;
  /** `http://127.0.0.1:<port>/` */
  url: string;
  token: string;
  close(): Promise<void>;
}

const STATUS: Record<BridgeErrorCode, number> = {
  bad_input: 400,
  unknown_op: 404,
  unauthorized: 401,
  forbidden: 403,
  too_large: 413,
  failed: 500,
  bad_output: 500,
  unavailable: 503,
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...BASE_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function sameToken(given: string | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw new HttpFailure(413, 'too_large', `body larger than ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpFailure(413, 'too_large', `body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function serveHost(opts: ServeOptions): Promise<Served> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const bodyLimit = opts.bodyLimit ?? MAX_BRIDGE_BODY;
  const rendererDir = resolve(opts.rendererDir);
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const handleBridge = async (req: IncomingMessage, res: ServerResponse, name: string) => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      throw new HttpFailure(405, 'bad_input', 'bridge operations are POST');
    }
    // A cross-origin page could send this request (a CORS "simple" one even without preflight), so check its Origin.
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) {
      throw new HttpFailure(403, 'forbidden', `origin ${origin} may not call the host`);
    }
    if (!sameToken(req.headers[TOKEN_HEADER] as string | undefined, token)) {
      throw new HttpFailure(401, 'unauthorized', `missing or wrong ${TOKEN_HEADER} header`);
    }
    if (!isBridgeName(name)) throw new HttpFailure(404, 'unknown_op', `unknown operation ${name}`);
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      throw new HttpFailure(415, 'bad_input', 'content-type must be application/json');
    }
    const body = await readBody(req, bodyLimit);
    let payload: unknown;
    try {
      payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpFailure(400, 'bad_input', 'body is not valid JSON');
    }
    const reply = await opts.dispatch(name, payload);
    if (reply.ok) sendJson(res, 200, reply.result);
    else sendJson(res, STATUS[reply.error.code], { error: reply.error });
  };

  const handleStatic = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      throw new HttpFailure(405, 'bad_input', 'static files are GET');
    }
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      throw new HttpFailure(400, 'bad_input', 'bad path');
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(rendererDir, path));
    if (file !== rendererDir && !file.startsWith(rendererDir + sep))
      throw new HttpFailure(404, 'not_found', 'not found');
    const isIndex = file === join(rendererDir, 'index.html');
    let body: Buffer;
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      body = await readFile(file);
    } catch {
      if (!isIndex) throw new HttpFailure(404, 'not_found', 'not found');
      body = Buffer.from(PLACEHOLDER);
    }
    const headers: Record<string, string | number> = {
      ...BASE_HEADERS,
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': contentSecurityPolicy(await opts.settings(), { self: true }),
    };
    if (isIndex) {
      // The token goes back into the page only for a request that already proved it has it.
      if (sameToken(url.searchParams.get('token') ?? undefined, token)) {
        body = Buffer.from(
          body
            .toString('utf8')
            .replace('</head>', `  <meta name="twinline-host-token" content="${token}" />\n  </head>`),
        );
      }
      headers['cache-control'] = 'no-store';
    }
    headers['content-length'] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const server = createServer((req, res) => {
    void (async () => {
      try {
        if (!allowedHosts().has(String(req.headers.host ?? ''))) {
          throw new HttpFailure(403, 'forbidden', 'unexpected Host header');
        }
        const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
        if (url.pathname.startsWith('/bridge/')) await handleBridge(req, res, url.pathname.slice('/bridge/'.length));
        else await handleStatic(req, res, url);
      } catch (err) {
        if (res.headersSent) return void res.destroy();
        if (err instanceof HttpFailure) {
          sendJson(res, err.status, { error: { code: err.code, message: err.message } });
          // An oversized upload: answer, then stop reading it.
          if (err.status === 413) req.destroy();
        } else {
          sendJson(res, 500, { error: { code: 'failed', message: err instanceof Error ? err.message : String(err) } });
        }
      }
    })();
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    server,
    port,
    url: `http://127.0.0.1:${port}/`,
    token,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

const PLACEHOLDER = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Twinline</title>
  </head>
  <body>
    <p>The Twinline renderer is not built yet: run <code>bash scripts/pnpm.sh --filter @twinline/desktop build</code>.</p>
  </body>
</html>
`;
