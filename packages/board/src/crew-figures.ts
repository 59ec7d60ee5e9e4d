// What dispatchers and team leads see per crew: how it works, from the orders' own events (nothing kept apart, so
// both centres and every console compute the same figures from the same board).
import type { WorkOrder } from '@twinline/workorder';

export interface CrewFigures {
  crewId: string;
  /** Orders the crew was assigned (each assignment counts once). */
  assigned: number;
  /** Arrivals recorded; of them, from the crew's own phone with a location within range and no flag. */
  arrivals: number;
  verifiedArrivals: number;
  /** Crew reports (accept, arrive, handle, reply) carrying at least one flag. */
  flagged: number;
  /** Means in minutes: assignment to acceptance, to arrival; arrival to handled. Null without samples. */
  minutesToAccept: number | null;
  minutesToArrive: number | null;
  minutesToHandle: number | null;
  /** Open orders it holds now. */
  load: number;
}

const mins = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 60_000;
const mean = (xs: number[]) => (xs.length ? Math.round((xs.reduce((s, x) => s + x, 0) / xs.length) * 10) / 10 : null);
const BUSY = new Set(['assigned', 'on_site', 'handled']);

/** Figures for every crew that appears in these orders. */
export function crewFigures(orders: Iterable<WorkOrder>): Map<string, CrewFigures> {
  const acc = new Map<string, CrewFigures & { accept: number[]; arrive: number[]; handle: number[] }>();
  const of = (crewId: string) => {
    let f = acc.get(crewId);
    if (!f) {
      f = {
        crewId,
        assigned: 0,
        arrivals: 0,
        verifiedArrivals: 0,
        flagged: 0,
        minutesToAccept: null,
        minutesToArrive: null,
        minutesToHandle: null,
        load: 0,
        accept: [],
        arrive: [],
        handle: [],
      };
      acc.set(crewId, f);
    }
    return f;
  };
  for (const o of orders) {
    let crew: string | undefined;
    let assignedAt: string | undefined;
    let arrivedAt: string | undefined;
    for (const e of o.history) {
      if (e.action === 'assign' && e.crewId) {
        crew = e.crewId;
        assignedAt = e.at;
        arrivedAt = undefined;
        of(crew).assigned++;
        continue;
      }
      if (!crew) continue;
      const f = of(crew);
      if (e.evidence && e.evidence.flags.length > 0) f.flagged++;
      if (e.action === 'accept' && assignedAt) f.accept.push(mins(assignedAt, e.at));
      if (e.action === 'arrive') {
        f.arrivals++;
        if (e.by.role === 'crew' && e.evidence?.location && e.evidence.flags.length === 0) f.verifiedArrivals++;
        if (assignedAt) f.arrive.push(mins(assignedAt, e.at));
        arrivedAt = e.at;
      }
      if (e.action === 'handle' && arrivedAt) f.handle.push(mins(arrivedAt, e.at));
    }
    if (o.crewId && BUSY.has(o.state)) of(o.crewId).load++;
  }
  const out = new Map<string, CrewFigures>();
  for (const { accept, arrive, handle, ...f } of acc.values()) {
    out.set(f.crewId, {
      ...f,
      minutesToAccept: mean(accept),
      minutesToArrive: mean(arrive),
      minutesToHandle: mean(handle),
    });
  }
  return out;
}

export interface Rating {
  count: number;
  /** Mean score 1-5, one decimal. */
  mean: number;
  /** The latest comments (newest first, at most 5). */
  comments: { orderId: string; score: number; note: string; at: string }[];
}

/**
 * The two-way evaluation per person and per station, for team leads: how the stations rated each agent's orders
 * (the station's side of `evaluate`, by the agent who took the order), and how the agents rated each station.
 */
export function ratings(orders: Iterable<WorkOrder>): { agents: Map<string, Rating>; stations: Map<string, Rating> } {
  const agents = new Map<string, { scores: number[]; comments: Rating['comments'] }>();
  const stations = new Map<string, { scores: number[]; comments: Rating['comments'] }>();
  const add = (
    m: Map<string, { scores: number[]; comments: Rating['comments'] }>,
    key: string,
    orderId: string,
    ev: { score: number; note?: string; at: string },
  ) => {
    const r = m.get(key) ?? { scores: [], comments: [] };
    r.scores.push(ev.score);
    if (ev.note) r.comments.push({ orderId, score: ev.score, note: ev.note, at: ev.at });
    m.set(key, r);
  };
  for (const o of orders) {
    if (o.evaluations.station) add(agents, o.createdBy.userId, o.id, o.evaluations.station);
    if (o.evaluations.centre && o.stationId) add(stations, o.stationId, o.id, o.evaluations.centre);
  }
  const done = (m: Map<string, { scores: number[]; comments: Rating['comments'] }>) =>
    new Map(
      [...m].map(([k, r]) => [
        k,
        {
          count: r.scores.length,
          mean: Math.round((r.scores.reduce((s, x) => s + x, 0) / r.scores.length) * 10) / 10,
          comments: r.comments.sort((a, b) => b.at.localeCompare(a.at)).slice(0, 5),
        },
      ]),
    );
  return { agents: done(agents), stations: done(stations) };
}
