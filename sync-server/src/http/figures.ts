// Crew, member and evaluation figures over a period, for team leads and station dispatchers, from the live board and
// the centre's archive (archived orders leave the live board after the retention window, so the board alone forgets
// them after a week):
//   GET /api/figures?city=&from=&to=    city: one of the nine (omitted: every city the caller may read);
//                                       from, to: ISO instants with their offset, the period [from, to), at most 366 days
//
// Which orders count for [from, to):
//   - an archived order, when it was archived in the period (its archivedAt, the archive that took effect): wherever
//     it is now, on the live board during its retention or in the centre's archive (one copy: the live one wins).
//     Each closed order counts once, in the period it closed, with everything its crew did on it (times from
//     assignment to acceptance, arrival, handling), so consecutive periods (months) add up and a past period keeps
//     its figures; it is also what the archive's (city, archived_ms) index reads without looking at any other row.
//   - an order not archived (open, paused, merged, reopened): when it was created before `to`: it is work in hand
//     through the end of the period. A period that ends now (the console's choices) thus counts every open order, and
//     its load is the board's load now.
// Access: team leads and admins any city; a dispatcher its own city only, and the answer keeps only its station's
// crews (its city's roster) with their members, and its station's rating (no agent's); agents: 403.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { CITY_IDS, FiguresFold, canRead, orderIds, readCrews, readOrder, regionDoc } from '@twinline/board';
import type { FiguresReport, Principal } from '@twinline/board';
import { FiguresInputSchema } from '@twinline/board/crew-figures';
import type { FiguresInput } from '@twinline/board/crew-figures';
import type { WorkOrder } from '@twinline/workorder';
import { HttpError, readQuery, sendJson } from '../http';
import type { Logger } from '../log';
import type { Rooms } from '../rooms';
import type { CentreStorage } from '../storage';

const DAY_MS = 86_400_000;
export const MAX_PERIOD_DAYS = 366;

const instant = z.iso
  .datetime({ offset: true, error: 'an ISO date-time with its offset, e.g. 2026-11-01T00:00:00+08:00' })
  .transform((s) => Date.parse(s));
export const FiguresQuerySchema = z
  .object({
    city: z.enum(CITY_IDS, { error: `must be one of ${CITY_IDS.join(', ')}` }).optional(),
    from: instant,
    to: instant,
  })
  .refine((q) => q.from < q.to, { message: 'must be after from', path: ['to'] })
  .refine((q) => q.to - q.from <= MAX_PERIOD_DAYS * DAY_MS, {
    message: `the period is at most ${MAX_PERIOD_DAYS} days`,
    path: ['to'],
  });

/** Whether an order on the live board counts for [fromMs, toMs) (the rule at the top of this file). */
export function countsIn(order: WorkOrder, fromMs: number, toMs: number): boolean {
  if (order.state === 'archived') {
    const archivedMs = Date.parse(order.stateSince);
    return archivedMs >= fromMs && archivedMs < toMs;
  }
  return Date.parse(order.createdAt) < toMs;
}

/**
 * An archived order as the archive gives it (`ArchivedOrderJson.order`: the part the figures read, or the whole folded
 * order of a record archived before the archive kept that part), checked for every field the fold reads; undefined
 * when it is not JSON or does not pass.
 */
export function readArchivedOrder(json: string): FiguresInput | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
  const order = FiguresInputSchema.safeParse(parsed);
  return order.success ? order.data : undefined;
}

export interface FigureRoutesDeps {
  rooms: Rooms;
  storage: Pick<CentreStorage, 'archivedBetween'>;
  /** The centre's Bearer check: the principal, or HttpError 401. */
  authorise: (req: IncomingMessage) => Promise<Principal>;
  log: Logger;
}

/** Returns the handler the centre calls for every request: true when it answered (GET /api/figures), else false. */
export function figureRoutes({ rooms, storage, authorise, log }: FigureRoutesDeps) {
  /** Folds the orders of `cities` that count for [fromMs, toMs); `rosterStation`: each roster crew's station. */
  async function fold(cities: readonly string[], fromMs: number, toMs: number) {
    const figures = new FiguresFold();
    const onBoard = new Set<string>();
    const rosterStation = new Map<string, string>();
    let live = 0;
    let archived = 0;
    let unreadable = 0;
    for (const city of cities) {
      const room = await rooms.get(regionDoc(city));
      try {
        await room.serial(() => {
          const doc = room.doc;
          for (const crew of readCrews(doc)) rosterStation.set(crew.id, crew.stationId);
          for (const id of orderIds(doc)) {
            onBoard.add(id);
            const order = readOrder(doc, id)?.order;
            if (order && countsIn(order, fromMs, toMs)) {
              figures.add(order);
              live++;
            }
          }
        });
      } finally {
        rooms.release(room);
      }
    }
    // The archive after the board: an order swept off the board meanwhile was counted there and is skipped here.
    for (const city of cities)
      for await (const page of storage.archivedBetween(city, fromMs, toMs))
        for (const row of page) {
          if (onBoard.has(row.id)) continue;
          const order = readArchivedOrder(row.order);
          if (!order) {
            unreadable++;
            continue;
          }
          figures.add(order);
          archived++;
        }
    if (unreadable > 0) log.warn({ cities, unreadable }, 'archived orders that could not be read were left out');
    return { figures, rosterStation, live, archived };
  }

  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== '/api/figures') return false;
    if (req.method !== 'GET') throw new HttpError(405, `${req.method} not allowed on ${url.pathname}`);
    const p = await authorise(req);
    if (p.role === 'agent') throw new HttpError(403, 'figures are for team leads, admins and station dispatchers');
    const q = readQuery(url, FiguresQuerySchema);
    if (p.role === 'dispatcher' && (!p.stationId || !p.city))
      throw new HttpError(403, 'this dispatcher account has no station');
    if (q.city && !canRead(p, regionDoc(q.city)))
      throw new HttpError(403, `a dispatcher sees the figures of its own city only (${p.city ?? '?'})`);
    const cities = q.city ? [q.city] : CITY_IDS.filter((c) => canRead(p, regionDoc(c)));

    const started = performance.now();
    const { figures, rosterStation, live, archived } = await fold(cities, q.from, q.to);
    /** A dispatcher's answer keeps its own station's crews and rating only. */
    const own = p.role === 'dispatcher' ? p.stationId : undefined;
    const crews = [...figures.crewFigures()].filter(([id]) => !own || rosterStation.get(id) === own);
    const members = figures.memberFigures();
    const rated = figures.ratings();
    const body: FiguresReport = {
      cities,
      from: new Date(q.from).toISOString(),
      to: new Date(q.to).toISOString(),
      orders: { live, archived },
      crews: Object.fromEntries(crews),
      members: Object.fromEntries(
        crews.flatMap(([id]) => (members.has(id) ? [[id, Object.fromEntries(members.get(id)!)]] : [])),
      ),
      ratings: {
        agents: own ? {} : Object.fromEntries(rated.agents),
        stations: Object.fromEntries([...rated.stations].filter(([id]) => !own || id === own)),
      },
    };
    const ms = Math.round(performance.now() - started);
    log.info({ user: p.userId, cities: cities.length, from: body.from, to: body.to, live, archived, ms }, 'figures');
    sendJson(res, 200, body);
    return true;
  };
}
