// The call centre over HTTP, for the console (Bearer token of the login):
//   GET  /api/agent/state[?agent=]   an agent's state (its own; team leads may name another)
//   POST /api/agent/state            {state, reason?, agent?, note?}: an agent changes its own state; a team lead may
//                                    force not_ready or sign-out on another (never ready)
//   POST /api/agent/wrapup           {callId, code, note}: kept with the call
//   GET  /api/agent/events?token=    Server-Sent Events: `state` (the agent's own state, at once and on every change);
//                                    for team leads also `snapshot` (per group waiting calls, longest wait, ready
//                                    agents; per region calls in progress and limit; every agent), coalesced
//   GET  /api/calls/snapshot         the team lead's snapshot
//   GET  /api/calls/recent?limit=    the latest calls (team leads: all; agents: their own), for reports and wrap-up
// EventSource cannot send headers, so the event stream also takes the token as a query parameter.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Principal } from '@twinline/board';
import { CHOSEN_REASONS } from '@twinline/routing';
import { HttpError, bearer, readJson, sendJson } from '../http';
import type { TokenService } from '../auth';
import { CallCentreError, LEAD_ROLES } from './call-centre';
import type { CallCentre, CentreUpdate } from './call-centre';

const AgentId = z.string().min(1).max(128);

export const SetStateBodySchema = z
  .object({
    state: z.enum(['ready', 'not_ready', 'signed_out'], {
      error: 'must be one of ready, not_ready, signed_out',
    }),
    reason: z.enum(CHOSEN_REASONS, { error: `must be one of ${CHOSEN_REASONS.join(', ')}` }).optional(),
    agent: AgentId.optional(),
    note: z.string().max(500).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.state === 'not_ready' && !b.reason)
      ctx.addIssue({
        code: 'custom',
        path: ['reason'],
        message: `not_ready needs a reason: ${CHOSEN_REASONS.join(', ')}`,
      });
    if (b.state !== 'not_ready' && b.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a reason goes with not_ready only' });
  });

export const WrapUpBodySchema = z
  .object({
    callId: z.string().min(1).max(256),
    code: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'a wrap-up code: 1-32 letters, digits, _ . -'),
    note: z.string().max(2000).default(''),
    /**
     * An outbound call the agent made (a callback, a number typed in): the centre has no record of it yet, so the
     * wrap-up brings what the phone knows and the centre keeps it as a call of that agent.
     */
    outbound: z
      .object({
        remote: z.string().regex(/^\+?[0-9*#]{1,32}$/, 'the number called'),
        startedAt: z.number().int().positive(),
        answeredAt: z.number().int().positive().nullable(),
        endedAt: z.number().int().positive(),
      })
      .strict()
      .optional(),
  })
  .strict();

const StateQuery = z.object({ agent: AgentId.optional() });
const RecentQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

function query<S extends z.ZodType>(url: URL, schema: S): z.infer<S> {
  const parsed = schema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success)
    throw new HttpError(400, parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
  return parsed.data;
}

const STATUS = { not_found: 404, forbidden: 403, conflict: 409 } as const;

/** Runs a call-centre request; its refusals become HTTP errors with their message. */
async function refusalsAsHttp<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof CallCentreError) throw new HttpError(STATUS[error.kind], error.message);
    throw error;
  }
}

export interface CallRoutesDeps {
  calls: CallCentre;
  /** The centre's Bearer check: the principal, or HttpError 401. */
  authorise: (req: IncomingMessage) => Promise<Principal>;
  tokens: TokenService;
  /** Comment lines keep idle event streams open through proxies. */
  keepAliveMs?: number;
}

export function callRoutes(deps: CallRoutesDeps) {
  const { calls } = deps;
  const isLead = (p: Principal) => LEAD_ROLES.includes(p.role);
  const method = (req: IncomingMessage, allowed: string) => {
    if (req.method !== allowed) throw new HttpError(405, `${allowed} only`);
  };

  async function events(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const p = await deps.tokens.verify(url.searchParams.get('token') ?? bearer(req));
    if (!p) throw new HttpError(401, 'sign in first: a login token as ?token= or a Bearer header');
    const lead = isLead(p);
    const agent = calls.isAgent(p.userId);
    if (!lead && !agent) throw new HttpError(403, `a ${p.role} has no call-centre event stream here`);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    res.write('retry: 2000\n\n');
    send('hello', { centre: calls.centre, user: p.userId, role: p.role });
    if (agent) send('state', calls.agentState(p.userId));
    if (lead) send('snapshot', calls.snapshot());
    const ping = setInterval(() => res.write(': ping\n\n'), deps.keepAliveMs ?? 15_000);
    const unsubscribe = calls.subscribe({
      userId: p.userId,
      lead,
      send: (u: CentreUpdate) => (u.type === 'state' ? send('state', u.view) : send('snapshot', u.snapshot)),
      end: () => res.end(),
    });
    const close = () => {
      clearInterval(ping);
      unsubscribe();
    };
    req.on('close', close);
    res.on('error', close);
  }

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    switch (url.pathname) {
      case '/api/agent/state': {
        const p = await deps.authorise(req);
        if (req.method === 'GET') {
          const { agent } = query(url, StateQuery);
          if (agent && agent !== p.userId && !isLead(p))
            throw new HttpError(403, "only team leads may read another agent's state");
          sendJson(res, 200, await refusalsAsHttp(() => calls.agentState(agent ?? p.userId)));
          return true;
        }
        method(req, 'POST');
        const body = await readJson(req, SetStateBodySchema);
        sendJson(res, 200, await refusalsAsHttp(() => calls.setAgentState(p, body)));
        return true;
      }
      case '/api/agent/wrapup': {
        method(req, 'POST');
        const p = await deps.authorise(req);
        const body = await readJson(req, WrapUpBodySchema);
        sendJson(res, 200, await refusalsAsHttp(() => calls.wrapUp(p, body)));
        return true;
      }
      case '/api/agent/events':
        method(req, 'GET');
        await events(req, res, url);
        return true;
      case '/api/calls/snapshot': {
        method(req, 'GET');
        const p = await deps.authorise(req);
        if (!isLead(p)) throw new HttpError(403, 'the calls snapshot is for team leads');
        sendJson(res, 200, calls.snapshot());
        return true;
      }
      case '/api/calls/recent': {
        method(req, 'GET');
        const p = await deps.authorise(req);
        const { limit } = query(url, RecentQuery);
        if (!isLead(p) && !calls.isAgent(p.userId)) throw new HttpError(403, `a ${p.role} has no calls here`);
        sendJson(res, 200, { calls: await calls.recentCalls({ limit, agentId: isLead(p) ? undefined : p.userId }) });
        return true;
      }
      default:
        return false;
    }
  };
}
