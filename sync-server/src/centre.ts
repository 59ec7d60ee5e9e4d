// A centre server: HTTP API, y-websocket endpoint per document, twin replication, janitor. One per process.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { canRead, parseDocName } from '@twinline/board';
import type { Principal } from '@twinline/board';
import { CentreConfigSchema } from './config';
import type { CentreConfig, CentreConfigInput } from './config';
import { createLogger } from './log';
import type { Logger } from './log';
import { createMetrics } from './metrics';
import type { Metrics } from './metrics';
import { openCentreStorage } from './storage';
import type { CentreStorage } from './storage';
import { TokenService, isTwin } from './auth';
import { Rooms } from './rooms';
import { PEER_ORIGIN, LOAD_ORIGIN } from './room';
import { ClientConnection } from './client';
import { PeerReplicator } from './peer';
import { Janitor } from './janitor';
import { EscalationJob } from './escalation';
import { DispatchJob } from './dispatch';
import { seedDemo } from './demo';
import { CLOSE } from './protocol';
import { HttpError, applyCors, bearer, readJson, sendJson } from './http';
import { customerRoutes } from './http/customers';
import { figureRoutes } from './http/figures';
import { startDemoCustomers } from './customers-demo';
import { createCentreSip } from './sip/service';
import type { CentreSip } from './sip/service';
import { CallCentre, vipLookup } from './calls/call-centre';
import { callRoutes } from './calls/http';
import { routingFor } from './calls/routing-config';
import { crewRoutes } from './crews/http';
import { crewPage } from './crews/page';

const LoginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
const ArchiveQuerySchema = z.object({
  q: z.string().max(100).optional(),
  city: z.string().max(32).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export interface Centre {
  readonly config: CentreConfig;
  readonly port: number;
  readonly metrics: Metrics;
  /** Call routing and agent states (null when the centre routes no calls). */
  readonly calls: CallCentre | null;
  close(): Promise<void>;
}

export async function startCentre(input: CentreConfigInput): Promise<Centre> {
  const config = CentreConfigSchema.parse(input);
  const routing = routingFor({ centre: config.name, demo: config.demo, routing: config.routing });
  if (config.sip && !routing)
    throw new Error(
      'a centre with a SIP server needs call routing: --routing-config <file> (or --demo for fuzhou, xiamen)',
    );
  const log = createLogger(config.name, config.logLevel);
  const metrics = createMetrics(config.name);
  const storage = await openCentreStorage(config.dataDir);
  const tokens = new TokenService(config.tokenSecret, config.tokenTtlSeconds);

  // eslint-disable-next-line prefer-const
  let peer: PeerReplicator;
  // eslint-disable-next-line prefer-const
  let dispatch: DispatchJob;
  const rooms = new Rooms(storage, metrics, log, config, (doc, update, origin) => {
    if (origin !== PEER_ORIGIN && origin !== LOAD_ORIGIN) peer.push(doc, update);
    if (origin !== LOAD_ORIGIN) dispatch.poke(doc); // any change may make an order due for automatic dispatch
    if (origin === PEER_ORIGIN) crews.twinUpdate(doc, update); // copies the crew photos it names (crews/replication.ts)
  });
  peer = new PeerReplicator(
    { peerUrl: config.peer, peerSecret: config.peerSecret, resyncEveryMs: config.resyncEveryMs, centre: config.name },
    rooms,
    storage,
    metrics,
    log,
  );
  const janitor = new Janitor(rooms, storage, log, config);
  const escalation = new EscalationJob(rooms, storage, log.child({ component: 'escalation' }), {
    centre: config.name,
    policy: config.slaPolicy,
    everyMs: config.escalationEveryMs,
    twinConnected: config.peer ? () => peer.connected : null,
  });
  dispatch = new DispatchJob(rooms, storage, log.child({ component: 'dispatch' }), {
    centre: config.name,
    everyMs: config.dispatchEveryMs,
    twinConnected: config.peer ? () => peer.connected : null,
  });
  let sip: CentreSip | null = null;
  const calls = routing
    ? await CallCentre.open({
        routing,
        store: storage.calls,
        log: log.child({ component: 'calls' }),
        twinStatus: () => (config.sip?.overflowToTwin && peer.connected ? 'up' : 'down'),
        phones: config.sip ? (user) => sip?.registrations.phones(user) ?? 0 : undefined,
        isVip: vipLookup(storage.customers),
      })
    : null;
  if (config.sip && calls) {
    sip = createCentreSip({
      centre: config.name,
      sip: config.sip,
      tokenSecret: config.tokenSecret,
      tokens,
      log,
      decide: calls.decide,
      onEvent: (event) => calls.onSipEvent(event),
      decideTimeoutMs: calls.decideTimeoutMs,
    });
  }

  if (config.demo) await seedDemo(config, storage, rooms, log);

  const failedLogins = new Map<string, { count: number; since: number }>();
  const sockets = new Set<WebSocket>();
  const perUser = new Map<string, number>();

  const server: Server = createServer((req, res) => {
    handleHttp(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return sendJson(res, error.status, { error: error.message });
      log.error({ err: error, url: req.url }, 'request failed');
      sendJson(res, 500, { error: 'internal error' });
    });
  });

  const customers = customerRoutes({ directory: storage.customers, authorise });
  const figures = figureRoutes({ rooms, storage, authorise, log: log.child({ component: 'figures' }) });
  const callApi = calls ? callRoutes({ calls, authorise, tokens }) : null;
  const crews = crewRoutes({
    centre: config.name,
    rooms,
    store: storage.crews,
    directory: storage.customers,
    authorise,
    twin: {
      secret: config.peerSecret,
      url: config.peer,
      connected: () => peer.connected,
      docs: () => storage.listDocs(),
    },
    log: log.child({ component: 'crews' }),
  });
  const crewPageFiles = crewPage();

  async function authorise(req: IncomingMessage): Promise<Principal> {
    const p = await tokens.verify(bearer(req));
    if (!p) throw new HttpError(401, CLOSE.unauthorized.reason);
    return p;
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://centre');
    applyCors(req, res);
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/health') {
      return sendJson(res, 200, {
        status: 'ok',
        centre: config.name,
        peerConnected: peer.connected,
        documentsLoaded: rooms.loadedNames().length,
        connections: sockets.size,
      });
    }
    if (req.method === 'GET' && url.pathname === '/metrics') {
      const text = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(text);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/api/login') {
      const body = await readJson(req, LoginSchema);
      const key = body.username.toLowerCase();
      const fails = failedLogins.get(key);
      if (fails && fails.count >= 5 && Date.now() - fails.since < 60_000) {
        throw new HttpError(429, 'too many failed logins for this user; wait a minute');
      }
      const account = await storage.verifyLogin(body.username, body.password);
      if (!account) {
        const f = fails && Date.now() - fails.since < 60_000 ? fails : { count: 0, since: Date.now() };
        f.count++;
        failedLogins.set(key, f);
        log.warn({ user: body.username }, 'login refused');
        throw new HttpError(401, 'wrong user name or password');
      }
      failedLogins.delete(key);
      const principal: Principal = {
        userId: account.username,
        role: account.role,
        centre: account.centre,
        stationId: account.stationId ?? undefined,
        city: account.city ?? undefined,
      };
      const token = await tokens.issue({ ...principal, name: account.displayName });
      log.info({ user: account.username, role: account.role }, 'login');
      return sendJson(res, 200, {
        token,
        account: { ...principal, displayName: account.displayName },
        centre: config.name,
      });
    }
    if (sip && (await sip.handle(req, res, url))) return;
    if (req.method === 'GET' && url.pathname === '/api/me') {
      return sendJson(res, 200, await authorise(req));
    }
    if (req.method === 'GET' && url.pathname === '/api/archive') {
      const p = await authorise(req);
      const q = ArchiveQuerySchema.safeParse(Object.fromEntries(url.searchParams));
      if (!q.success)
        throw new HttpError(400, q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const city = p.role === 'dispatcher' ? p.city : q.data.city;
      if (p.role === 'dispatcher' && q.data.city && q.data.city !== p.city)
        throw new HttpError(403, 'a dispatcher searches only its own city');
      const rows = await storage.searchArchive({ text: q.data.q, city, limit: q.data.limit, offset: q.data.offset });
      return sendJson(res, 200, {
        results: rows.map((r) => ({ ...r, record: JSON.parse(r.json) as unknown, json: undefined })),
      });
    }
    if (await customers(req, res, url)) return;
    if (await figures(req, res, url)) return;
    if (callApi && (await callApi(req, res, url))) return;
    if ((await crews.handle(req, res, url)) || (await crewPageFiles(req, res, url))) return;
    throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
  }

  // ws cuts anything past twice the limit on its own (1009, no reason); up to that, the connection says why.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxMessageBytes * 2 });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void upgrade(req, socket, head).catch((error: unknown) => {
      log.error({ err: error }, 'upgrade failed');
      socket.destroy();
    });
  });

  function refuseHttp(socket: Duplex, status: number, reason: string): void {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://centre');
    if (url.pathname === '/_peer') {
      if (!isTwin(req, config.peerSecret)) {
        log.warn({ from: req.socket.remoteAddress }, 'twin link refused: bad peer secret');
        return refuseHttp(socket, 401, 'Unauthorized');
      }
      return wss.handleUpgrade(req, socket, head, (ws) => peer.accept(ws));
    }
    if (sockets.size >= config.maxConnections) {
      log.warn({ connections: sockets.size }, 'connection refused: centre full');
      return refuseHttp(socket, 503, 'Service Unavailable');
    }
    const docName = decodeURIComponent(url.pathname.slice(1));
    const principal = await tokens.verify(url.searchParams.get('token'));
    let refusal: { code: number; reason: string } | null = null;
    if (!principal) refusal = CLOSE.unauthorized;
    else if (!parseDocName(docName)) refusal = CLOSE.unknownDocument;
    else if (!canRead(principal, docName)) refusal = CLOSE.forbidden;
    else if ((perUser.get(principal.userId) ?? 0) >= config.maxConnectionsPerUser) refusal = CLOSE.tooManyForUser;
    const room = refusal ? null : await rooms.get(docName);
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (!room || !principal) {
        log.warn({ doc: docName, user: principal?.userId, reason: refusal?.reason }, 'connection refused');
        ws.close(refusal!.code, refusal!.reason);
        return;
      }
      sockets.add(ws);
      perUser.set(principal.userId, (perUser.get(principal.userId) ?? 0) + 1);
      metrics.connections.set(sockets.size);
      const conn = new ClientConnection(ws, room, principal, log, metrics, {
        awarenessPerSecond: config.awarenessPerSecond,
        maxMessageBytes: config.maxMessageBytes,
        verifyCrewEvent: crews.verifyCrewEvent,
      });
      // A socket that stops answering pings is dropped, so its presence and listeners go with it.
      let alive = true;
      ws.on('pong', () => (alive = true));
      const ping = setInterval(() => {
        if (!alive) return ws.terminate();
        alive = false;
        ws.ping();
      }, 30_000);
      ws.on('error', (error) => {
        if ((error as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
          metrics.closedForBadInput.inc({ reason: 'too_big' });
        log.warn({ user: principal.userId, doc: docName, err: error.message }, 'socket error');
      });
      ws.on('close', () => {
        clearInterval(ping);
        conn.dispose();
        sockets.delete(ws);
        const n = (perUser.get(principal.userId) ?? 1) - 1;
        if (n > 0) perUser.set(principal.userId, n);
        else perUser.delete(principal.userId);
        metrics.connections.set(sockets.size);
        rooms.release(room);
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  peer.start();
  janitor.start();
  escalation.start();
  dispatch.start();
  crews.start();
  calls?.start();
  const demoCustomers = startDemoCustomers(
    storage.customers,
    { count: config.demo ? config.demoCustomers : 0, seed: config.demoSeed },
    log,
  );
  log.info({ host: config.host, port, peer: config.peer, data: config.dataDir }, 'centre listening');

  return {
    config,
    port,
    metrics,
    calls,
    async close() {
      janitor.stop();
      await escalation.stop();
      await dispatch.stop();
      crews.stop();
      peer.stop();
      await calls?.stop();
      for (const ws of sockets) ws.close(CLOSE.shuttingDown.code, CLOSE.shuttingDown.reason);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await new Promise((r) => setTimeout(r, 100));
      for (const ws of sockets) ws.terminate();
      await closed;
      await rooms.closeAll();
      await demoCustomers.stop();
      await storage.close();
      log.info('centre stopped');
    },
  };
}

export type { CentreStorage, Logger };
