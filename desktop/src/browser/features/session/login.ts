// Signing in at a centre: POST {http}/api/login. When the chosen centre cannot be reached (network error, 5xx,
// timeout) the twin is tried automatically; a wrong password (401) or a locked account (429) is the centre's answer
// and the twin would give the same one, so it is not retried there.
import { z } from 'zod';
import type { Centre } from '../../../common/bridge';

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

/** The chosen centre first, then the others in their configured order. */
export function orderCentres(centres: readonly Centre[], first: string): Centre[] {
  const chosen = centres.find((c) => c.name === first);
  return chosen ? [chosen, ...centres.filter((c) => c !== chosen)] : [...centres];
}

export async function login(
  centres: readonly Centre[],
  first: string,
  credentials: { username: string; password: string },
  opts: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<LoginResult> {
  const doFetch = opts.fetch ?? fetch;
  const unreachable: string[] = [];
  for (const centre of orderCentres(centres, first)) {
    let res: Response;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), opts.timeoutMs ?? 5000);
    try {
      res = await doFetch(`${centre.http.replace(/\/$/, '')}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
        signal: abort.signal,
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      unreachable.push(centre.name);
      continue;
    } finally {
      clearTimeout(timer);
    }
    if (res.status === 401) throw new LoginError('wrong_password', await errorText(res), [...unreachable, centre.name]);
    if (res.status === 429) throw new LoginError('locked', await errorText(res), [...unreachable, centre.name]);
    if (!res.ok) {
      unreachable.push(centre.name);
      continue;
    }
    const parsed = LoginReply.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw new LoginError('bad_reply', 'the centre answered something unexpected', [centre.name]);
    return { token: parsed.data.token, account: parsed.data.account, via: centre.name, unreachable };
  }
  throw new LoginError('unreachable', `no centre answered (${unreachable.join(', ')})`, unreachable);
}

async function errorText(res: Response): Promise<string> {
  const body = (await res.json().catch(() => undefined)) as { error?: unknown } | undefined;
  return typeof body?.error === 'string' ? body.error : `HTTP ${res.status}`;
}
