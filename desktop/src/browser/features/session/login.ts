// Signing in at a centre: POST {http}/api/login. When the chosen centre cannot be reached (network error, 5xx,
// timeout) the twin is tried automatically; a wrong password (401) or a locked account (429) is the centre's answer
// and the twin would give the same one, so it is not retried there.
import { z } from 'zod';
import type { Centre } from '../../../common/bridge';
import { CentreApiError, centreJson, orderCentres } from './centreApi';

export const AccountSchema = z.object({
  userId: z.string().min(1),
  role: z.enum(['agent', 'dispatcher', 'team_lead', 'admin']),
  centre: z.string().min(1),
  stationId: z.string().optional(),
  city: z.string().optional(),
  displayName: z.string(),
});
export type Account = z.infer<typeof AccountSchema>;

const LoginReply = z.object({ token: z.string().min(1), account: AccountSchema });

/** What the console keeps (secrets.set) so a reload resumes the session. */
export const StoredSessionSchema = z.object({
  token: z.string().min(1),
  account: AccountSchema,
  /** The centre chosen at sign-in: the connection's home. */
  home: z.string().min(1),
  /** The centre that answered the login. */
  via: z.string().min(1),
});
export type StoredSession = z.infer<typeof StoredSessionSchema>;

export const SESSION_SECRET_KEY = 'twinline.session';

export type LoginErrorCode = 'wrong_password' | 'locked' | 'unreachable' | 'bad_reply';

export class LoginError extends Error {
  override readonly name = 'LoginError';
  constructor(
    readonly code: LoginErrorCode,
    message: string,
    /** Centres tried, in order. */
    readonly tried: string[] = [],
  ) {
    super(message);
  }
}

export interface LoginResult {
  token: string;
  account: Account;
  /** The centre that answered. */
  via: string;
  /** Centres that could not be reached before it (non-empty: the twin signed us in). */
  unreachable: string[];
}

export { orderCentres };

export async function login(
  centres: readonly Centre[],
  first: string,
  credentials: { username: string; password: string },
  opts: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<LoginResult> {
  try {
    const { value, via } = await centreJson(centres, first, null, '/api/login', LoginReply, {
      body: credentials,
      ...opts,
    });
    const order = orderCentres(centres, first).map((c) => c.name);
    return { token: value.token, account: value.account, via, unreachable: order.slice(0, order.indexOf(via)) };
  } catch (error) {
    if (!(error instanceof CentreApiError)) throw error;
    if (error.badReply) throw new LoginError('bad_reply', 'the centre answered something unexpected', error.tried);
    if (error.status === 401) throw new LoginError('wrong_password', error.message, error.tried);
    if (error.status === 429) throw new LoginError('locked', error.message, error.tried);
    // Another refusal (400 …) is not the network: the twin would say the same.
    if (error.status !== 0) throw new LoginError('bad_reply', error.message, error.tried);
    throw new LoginError('unreachable', `no centre answered (${error.tried.join(', ')})`, error.tried);
  }
}
