// What dispatchers and team leads see per crew and per crew member: how they work, from the orders' own events
// (nothing kept apart, so both centres and every console compute the same figures from the same board).
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

/**
 * The same figures for one member of a crew, from the reports that list the member (`evidence.members`: who was on
 * the job when the crew reported). Reports made before members were recorded count for the crew only.
 */
export interface MemberFigures extends Omit<CrewFigures, 'assigned'> {
  memberId: string;
  /** Assignments of the crew on which the member was listed on at least one report. */
  jobs: number;
}

const mins = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 60_000;
const mean = (xs: number[]) => (xs.length ? Math.round((xs.reduce((s, x) => s + x, 0) / xs.length) * 10) / 10 : null);
const BUSY = new Set(['assigned', 'on_site', 'handled']);
const CREW_REPORTS = new Set(['accept', 'arrive', 'handle', 'reply']);

interface Tally {
  count: number;
  arrivals: number;
  verifiedArrivals: number;
  flagged: number;
  load: number;
  accept: number[];
  arrive: number[];
  handle: number[];
}
const blank = (): Tally => ({
  count: 0,
  arrivals: 0,
  verifiedArrivals: 0,
  flagged: 0,
  load: 0,
  accept: [],
  arrive: [],
  handle: [],
});
const finish = ({ count: _, accept, arrive, handle, ...t }: Tally) => ({
  ...t,
  minutesToAccept: mean(accept),
  minutesToArrive: mean(arrive),
  minutesToHandle: mean(handle),
});

/**
 * One walk over the orders' events: a tally per crew, and (with `perMember`) per crew and member. Each assignment
 * counts once for its crew (`count`: assigned) and once for each member listed on one of its reports (`count`: jobs).
 */
function tally(orders: Iterable<WorkOrder>, perMember: boolean) {
  const crews = new Map<string, Tally>();
  const members = new Map<string, Map<string, Tally>>();
  const ofCrew = (crewId: string) => {
    let t = crews.get(crewId);
    if (!t) crews.set(crewId, (t = blank()));
    return t;
  };
  const ofMember = (crewId: string, memberId: string) => {
    let byId = members.get(crewId);
    if (!byId) members.set(crewId, (byId = new Map()));
    let t = byId.get(memberId);
    if (!t) byId.set(memberId, (t = blank()));
    return t;
  };
  for (const o of orders) {
    let crew: string | undefined;
    let assignedAt: string | undefined;
    let arrivedAt: string | undefined;
    /** Members listed on a report of the current assignment, and on its latest crew report. */
    let onJob = new Set<string>();
    let latest: readonly string[] = [];
    for (const e of o.history) {
      if (e.action === 'assign' && e.crewId) {
        crew = e.crewId;
        assignedAt = e.at;
        arrivedAt = undefined;
        onJob = new Set();
        latest = [];
        ofCrew(crew).count++;
        continue;
      }
      if (!crew) continue;
      const listed = perMember ? [...new Set(e.evidence?.members ?? [])] : [];
      if (e.by.role === 'crew' && CREW_REPORTS.has(e.action)) latest = listed;
      for (const t of [ofCrew(crew), ...listed.map((m) => ofMember(crew!, m))]) {
        if (e.evidence && e.evidence.flags.length > 0) t.flagged++;
        if (e.action === 'accept' && assignedAt) t.accept.push(mins(assignedAt, e.at));
        if (e.action === 'arrive') {
          t.arrivals++;
          if (e.by.role === 'crew' && e.evidence?.location && e.evidence.flags.length === 0) t.verifiedArrivals++;
          if (assignedAt) t.arrive.push(mins(assignedAt, e.at));
        }
        if (e.action === 'handle' && arrivedAt) t.handle.push(mins(arrivedAt, e.at));
      }
      for (const m of listed) {
        if (!onJob.has(m)) ofMember(crew, m).count++;
        onJob.add(m);
      }
      if (e.action === 'arrive') arrivedAt = e.at;
    }
    if (o.crewId && BUSY.has(o.state)) {
      ofCrew(o.crewId).load++;
      if (crew === o.crewId) for (const m of latest) ofMember(crew, m).load++;
    }
  }
  return { crews, members };
}

/** Figures for every crew that appears in these orders. */
export function crewFigures(orders: Iterable<WorkOrder>): Map<string, CrewFigures> {
  const out = new Map<string, CrewFigures>();
  for (const [crewId, t] of tally(orders, false).crews) out.set(crewId, { crewId, assigned: t.count, ...finish(t) });
  return out;
}

/**
 * Figures per person: crew id → member id → the member's figures, for every member listed on a crew report in these
 * orders. An event counts once for each member it lists; the load is the open orders whose latest crew report lists
 * the member.
 */
export function memberFigures(orders: Iterable<WorkOrder>): Map<string, Map<string, MemberFigures>> {
  const out = new Map<string, Map<string, MemberFigures>>();
  for (const [crewId, byId] of tally(orders, true).members)
    out.set(
      crewId,
      new Map([...byId].map(([memberId, t]) => [memberId, { crewId, memberId, jobs: t.count, ...finish(t) }])),
    );
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
