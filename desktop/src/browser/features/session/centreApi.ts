// Calling a centre's HTTP API from the console with the login's token: the centre the board is on first, then the
// others (a centre that cannot be reached or answers 5xx is skipped; a 4xx is the centre's answer and is final, but for
// a 404 where the caller says the centres' answers may differ: see `nextOn404`).
// Every answer is checked with a zod schema before anyone uses it.
import type { z } from 'zod';
import type { Centre } from '../../../common/bridge';

/** The chosen centre first, then the others in their configured order. */
export function orderCentres(centres: readonly Centre[], first: string): Centre[] {
  const chosen = centres.find((c) => c.name === first);
  return chosen ? [chosen, ...centres.filter((c) => c !== chosen)] : [...centres];
}

export class CentreApiError extends Error {
  override readonly name = 'CentreApiError';
  constructor(
    /** HTTP status, or 0 when no centre could be reached. */
    readonly status: number,
    message: string,
    /** Centres tried, in order. */
    readonly tried: string[] = [],
    /** The answer arrived but did not fit the schema. */
    readonly badReply = false,
  ) {
    super(message);
  }
}

export interface CentreCall {
  method?: 'GET' | 'POST';
  body?: unknown;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Ask the chosen centre only (what it keeps, such as an agent's state, is not the twin's to answer). */
  only?: boolean;
  /**
   * A 404 means this centre lacks it, not that nobody has it: ask the next centre too (a crew photo the twin has not
   * copied yet). When none has it, the first 404 is the answer.
   */
  nextOn404?: boolean;
}

/**
 * The first centre's answer that is not a failure of the centre itself (unreachable, 5xx): a 2xx, or a 4xx turned
 * into a CentreApiError with the centre's own message. With `only`, the chosen centre alone.
 */
export async function centreFetch(
  centres: readonly Centre[],
  first: string,
  /** The login token; null for the login itself. */
  token: string | null,
  path: string,
  call: CentreCall = {},
): Promise<{ res: Response; via: string; tried: string[] }> {
  const doFetch = call.fetch ?? fetch;
  /** Centres passed over: unreachable, 5xx, or 404 with nextOn404. */
  const skipped: string[] = [];
  let notFound: CentreApiError | null = null;
  const ordered = orderCentres(centres, first);
  for (const centre of call.only ? ordered.filter((c) => c.name === first) : ordered) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), call.timeoutMs ?? 5000);
    let res: Response;
    try {
      res = await doFetch(`${centre.http.replace(/\/$/, '')}${path}`, {
        method: call.method ?? (call.body === undefined ? 'GET' : 'POST'),
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: abort.signal,
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      skipped.push(centre.name);
      continue;
    } finally {
      clearTimeout(timer);
    }
    if (res.status >= 500) {
      skipped.push(centre.name);
      continue;
    }
    const tried = [...skipped, centre.name];
    if (!res.ok) {
      const body: unknown = await res.json().catch(() => undefined);
      const message = (body as { error?: unknown } | undefined)?.error;
      const error = new CentreApiError(res.status, typeof message === 'string' ? message : `HTTP ${res.status}`, tried);
      if (res.status !== 404 || !call.nextOn404) throw error;
      notFound ??= error;
      skipped.push(centre.name);
      continue;
    }
    return { res, via: centre.name, tried };
  }
  if (notFound) throw notFound;
  throw new CentreApiError(0, `no centre answered ${path} (${skipped.join(', ')})`, skipped);
}

/** The answer, validated, and the centre that gave it. */
export async function centreJson<S extends z.ZodType>(
  centres: readonly Centre[],
  first: string,
  /** The login token; null for the login itself. */
  token: string | null,
  path: string,
  schema: S,
  call: CentreCall = {},
): Promise<{ value: z.output<S>; via: string }> {
  const { res, via, tried } = await centreFetch(centres, first, token, path, call);
  const body: unknown = await res.json().catch(() => undefined);
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new CentreApiError(res.status, `${via} answered ${path} with something unexpected`, tried, true);
  return { value: parsed.data, via };
}
