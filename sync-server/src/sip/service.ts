// A centre's SIP endpoints in one place, mounted by centre.ts when the centre runs a SIP server:
//   POST /api/sip/credentials  a signed-in agent's SIP credentials (Bearer login token)
//   POST /sip/route            Kamailio asks who takes a hotline call
//   POST /sip/event            Kamailio reports registrations and call ends
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '@twinline/board';
import type { Role } from '@twinline/workorder';
import type { Logger } from '../log';
import { HttpError, bearer, sendJson } from '../http';
import type { TokenService } from '../auth';
import type { SipConfig } from './config';
import type { SipCredentials, SipEvent } from './contract';
import { ephemeralCredentials, sipApiKeyFrom, sipSecretFrom } from './credentials';
import { createSipEndpoint } from './route-endpoint';
import type { Decide } from './route-endpoint';
import { SipRegistrations } from './registrations';

/** Who gets a softphone: the people who take calls. Dispatchers and admins do not. */
export const SIP_ROLES: readonly Role[] = ['agent', 'team_lead'];

export interface CentreSipOptions {
  centre: string;
  sip: SipConfig;
  tokenSecret: string;
  tokens: TokenService;
  log: Logger;
  /** Call routing: who takes a hotline call (the centre's CallCentre, sync-server/src/calls). */
  decide: Decide;
  /** Sees every validated event from Kamailio, after `registrations` has taken registrations in. */
  onEvent?: (event: SipEvent) => void;
  /** A decision not made by then refuses the call with 503 (see route-endpoint.ts). */
  decideTimeoutMs?: number;
}

export interface CentreSip {
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  readonly registrations: SipRegistrations;
}

export function createCentreSip(o: CentreSipOptions): CentreSip {
  const secret = sipSecretFrom(o.tokenSecret);
  const registrations = new SipRegistrations();
  const endpoint = createSipEndpoint({
    apiKey: sipApiKeyFrom(o.tokenSecret),
    decide: o.decide,
    decideTimeoutMs: o.decideTimeoutMs,
    log: o.log,
    onEvent: (event) => {
      registrations.apply(event);
      o.onEvent?.(event);
    },
  });

  function credentials(p: Principal): SipCredentials {
    const c = ephemeralCredentials(secret, p.userId, o.sip.credentialTtlSeconds);
    const servers = [{ centre: o.centre, wsUrl: o.sip.wsUrl }];
    if (o.sip.twin) servers.push({ centre: o.sip.twin.centre, wsUrl: o.sip.twin.wsUrl });
    return {
      username: c.username,
      password: c.password,
      aor: p.userId,
      expires: c.expiresAt.toISOString(),
      domain: o.sip.domain,
      hotline: o.sip.hotline,
      servers,
    };
  }

  return {
    registrations,
    async handle(req, res, url) {
      if (url.pathname === '/api/sip/credentials') {
        if (req.method !== 'POST') throw new HttpError(405, 'POST only');
        const p = await o.tokens.verify(bearer(req));
        if (!p) throw new HttpError(401, 'sign in first');
        if (!SIP_ROLES.includes(p.role)) throw new HttpError(403, `a ${p.role} has no softphone`);
        o.log.info({ user: p.userId }, 'sip credentials issued');
        sendJson(res, 200, credentials(p));
        return true;
      }
      return endpoint.handle(req, res, url);
    },
  };
}
