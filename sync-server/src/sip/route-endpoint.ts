// The centre's side of the Kamailio contract: POST /sip/route (who takes this hotline call) and POST /sip/event
// (registrations, call ends). Only Kamailio may call them: from loopback, with the key derived from the shared secret.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../log';
import { HttpError, readJson, sendJson } from '../http';
import { RouteAnswerSchema, RouteRequestSchema, SipEventSchema } from './contract';
import type { RouteAnswer, RouteRequest, SipEvent } from './contract';

/**
 * Decides who takes a hotline call. It may take its time (the caller hears ringing while the call waits in a
 * queue), but must settle within `decideTimeoutMs`; `signal` aborts when the caller hangs up first.
 */
export type Decide = (request: RouteRequest, context: { signal: AbortSignal }) => Promise<RouteAnswer>;

export interface SipEndpointOptions {
  /** The HTTP Basic password Kamailio presents (user "kamailio"); see sipApiKeyFrom. */
  apiKey: string;
  decide: Decide;
  /** Registrations and call events, after validation; errors thrown here are logged, not returned to Kamailio. */
  onEvent?: (event: SipEvent) => void;
  log: Logger;
  /**
   * A decision not made by then refuses the call with 503 (default 40 s). Kept below Kamailio's own HTTP timeout for
   * the route query (TWL_ROUTE_TIMEOUT: the hold time less 5 s; sip/cli.ts sets the hold time 10 s above this) so
   * the caller always hears why.
   */
  decideTimeoutMs?: number;
}

export interface SipEndpoint {
  /** Handles /sip/route and /sip/event; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** Calls whose decision is still pending (queued calls). */
  pendingCalls(): number;
}

const CANCELLED: RouteAnswer = { action: 'reject', code: 487, reason: 'Request Terminated' };

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export function createSipEndpoint(o: SipEndpointOptions): SipEndpoint {
  const decideTimeoutMs = o.decideTimeoutMs ?? 40_000;
  const expected = Buffer.from(`Basic ${Buffer.from(`kamailio:${o.apiKey}`).toString('base64')}`);
  const pending = new Map<string, AbortController>();

  function admit(req: IncomingMessage): void {
    if (!isLoopback(req.socket.remoteAddress)) throw new HttpError(403, 'only the local SIP server may call /sip/*');
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new HttpError(401, 'wrong or missing SIP server key');
  }

  async function route(request: RouteRequest): Promise<RouteAnswer> {
    const started = performance.now();
    pending.get(request.callId)?.abort();
    const controller = new AbortController();
    pending.set(request.callId, controller);
    const cancelled = new Promise<RouteAnswer>((resolve) =>
      controller.signal.addEventListener('abort', () => resolve(CANCELLED), { once: true }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<RouteAnswer>((resolve) => {
      timer = setTimeout(() => {
        o.log.warn({ callId: request.callId }, 'sip route: no decision in time');
        resolve({ action: 'reject', code: 503, reason: 'No Decision In Time' });
      }, decideTimeoutMs);
    });
    let answer: RouteAnswer;
    try {
      const decided = o.decide(request, { signal: controller.signal }).then((a) => RouteAnswerSchema.parse(a));
      answer = await Promise.race([decided, cancelled, timedOut]);
    } catch (error) {
      o.log.error({ err: error, callId: request.callId }, 'sip route: decide failed');
      answer = { action: 'reject', code: 503, reason: 'Routing Failed' };
    } finally {
      clearTimeout(timer);
      if (pending.get(request.callId) === controller) pending.delete(request.callId);
      controller.abort();
    }
    o.log.info(
      {
        callId: request.callId,
        caller: request.caller,
        digit: request.digit,
        fromTwin: request.fromTwin,
        answer,
        ms: Math.round((performance.now() - started) * 100) / 100,
      },
      'sip route',
    );
    return answer;
  }

  function event(e: SipEvent): void {
    if (e.event === 'cancel' || e.event === 'bye' || e.event === 'failed') pending.get(e.callId)?.abort();
    o.log.debug({ sipEvent: e }, 'sip event');
    try {
      o.onEvent?.(e);
    } catch (error) {
      o.log.error({ err: error, sipEvent: e }, 'sip event handler failed');
    }
  }

  return {
    pendingCalls: () => pending.size,
    async handle(req, res, url) {
      if (url.pathname !== '/sip/route' && url.pathname !== '/sip/event') return false;
      admit(req);
      if (req.method !== 'POST') throw new HttpError(405, 'POST only');
      if (url.pathname === '/sip/route') {
        sendJson(res, 200, await route(await readJson(req, RouteRequestSchema)));
      } else {
        event(await readJson(req, SipEventSchema));
        res.writeHead(204);
        res.end();
      }
      return true;
    },
  };
}
