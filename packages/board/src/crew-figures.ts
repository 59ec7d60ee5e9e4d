// What dispatchers and team leads see per crew and per crew member: how they work, from the orders' own events
// (nothing kept apart, so both centres and every console compute the same figures from the same board).
// The report's schema (FiguresReportSchema) is what a centre answers for a period (GET /api/figures) and what the
// console checks it against; this module imports no Yjs, so the console's window can import it
// (`@twinline/board/crew-figures`).
import { z } from 'zod';
import { STATES } from '@twinline/workorder';

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

const evaluationRead = z.object({ score: z.number(), note: z.string().optional(), at: z.string() });
/**
 * What the fold reads of an order, and nothing else: parsing a folded order (`WorkOrder`) with it checks every field
 * the figures use and drops the rest. Orders folded by older builds are read too (an order archived before
 * evaluations existed has none, so they default to none).
 */
export const FiguresInputSchema = z.object({
  id: z.string(),
  createdBy: z.object({ userId: z.string() }),
  state: z.enum(STATES),
  stationId: z.string().optional(),
  crewId: z.string().optional(),
  evaluations: z.object({ centre: evaluationRead.optional(), station: evaluationRead.optional() }).default({}),
  history: z.array(
    z.object({
      action: z.string(),
      at: z.string(),
      crewId: z.string().optional(),
      by: z.object({ role: z.string() }),
      evidence: z
        .object({
          flags: z.array(z.unknown()),
          location: z.unknown().optional(),
          members: z.array(z.string()).optional(),
        })
        .optional(),
    }),
  ),
});
/** An order as the figures read it: a folded `WorkOrder` is one, and so is {@link figuresInput} of it. */
export type FiguresInput = z.infer<typeof FiguresInputSchema>;

/** Actions the fold reads an event of even when it carries no evidence (see `Tallies.add`); it skips the others. */
const FOLDED_ACTIONS = new Set(['assign', 'accept', 'arrive', 'handle', 'reply']);

/**
 * The part of an order the figures read, checked (undefined when it does not pass {@link FiguresInputSchema}):
 * its fields, and of its history only the events the fold does not skip. Folding it gives the same figures as
 * folding the whole order, from about a third of its JSON (what the centre's archive keeps beside each record).
 */
export function figuresInput(order: unknown): FiguresInput | undefined {
  const parsed = FiguresInputSchema.safeParse(order);
  if (!parsed.success) return undefined;
  const o = parsed.data;
  return { ...o, history: o.history.filter((e) => e.evidence || FOLDED_ACTIONS.has(e.action)) };
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
 * A tally per crew, and (with `perMember`) per crew and member, one order at a time. Each assignment counts once for
 * its crew (`count`: assigned) and once for each member listed on one of its reports (`count`: jobs).
 */
class Tallies {
  readonly crews = new Map<string, Tally>();
  readonly members = new Map<string, Map<string, Tally>>();
  constructor(private readonly perMember: boolean) {}

  private ofCrew(crewId: string): Tally {
    let t = this.crews.get(crewId);
    if (!t) this.crews.set(crewId, (t = blank()));
    return t;
  }

  private ofMember(crewId: string, memberId: string): Tally {
    let byId = this.members.get(crewId);
    if (!byId) this.members.set(crewId, (byId = new Map()));
    let t = byId.get(memberId);
    if (!t) byId.set(memberId, (t = blank()));
    return t;
  }

  /** Only events with evidence or of an action in FOLDED_ACTIONS change the tallies: `figuresInput` keeps those. */
  add(o: FiguresInput): void {
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
        this.ofCrew(crew).count++;
        continue;
      }
      if (!crew) continue;
      const listed = this.perMember ? [...new Set(e.evidence?.members ?? [])] : [];
      if (e.by.role === 'crew' && CREW_REPORTS.has(e.action)) latest = listed;
      for (const t of [this.ofCrew(crew), ...listed.map((m) => this.ofMember(crew!, m))]) {
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
        if (!onJob.has(m)) this.ofMember(crew, m).count++;
        onJob.add(m);
      }
      if (e.action === 'arrive') arrivedAt = e.at;
    }
    if (o.crewId && BUSY.has(o.state)) {
      this.ofCrew(o.crewId).load++;
      if (crew === o.crewId) for (const m of latest) this.ofMember(crew, m).load++;
    }
  }

  crewFigures(): Map<string, CrewFigures> {
    const out = new Map<string, CrewFigures>();
    for (const [crewId, t] of this.crews) out.set(crewId, { crewId, assigned: t.count, ...finish(t) });
    return out;
  }

  memberFigures(): Map<string, Map<string, MemberFigures>> {
    const out = new Map<string, Map<string, MemberFigures>>();
    for (const [crewId, byId] of this.members)
      out.set(
        crewId,
        new Map([...byId].map(([memberId, t]) => [memberId, { crewId, memberId, jobs: t.count, ...finish(t) }])),
      );
    return out;
  }
}

function tally(orders: Iterable<FiguresInput>, perMember: boolean): Tallies {
  const t = new Tallies(perMember);
  for (const o of orders) t.add(o);
  return t;
}

/** Figures for every crew that appears in these orders. */
export function crewFigures(orders: Iterable<FiguresInput>): Map<string, CrewFigures> {
  return tally(orders, false).crewFigures();
}

/**
 * Figures per person: crew id → member id → the member's figures, for every member listed on a crew report in these
 * orders. An event counts once for each member it lists; the load is the open orders whose latest crew report lists
 * the member.
 */
export function memberFigures(orders: Iterable<FiguresInput>): Map<string, Map<string, MemberFigures>> {
  return tally(orders, true).memberFigures();
}

export interface Rating {
  count: number;
  /** Mean score 1-5, one decimal. */
  mean: number;
  /** The latest comments (newest first, at most 5). */
  comments: { orderId: string; score: number; note: string; at: string }[];
}

/** Comments kept per person or station while folding: trimmed back to the newest 5 whenever this many pile up. */
const COMMENTS_HELD = 50;
const newestFirst = (a: { at: string }, b: { at: string }) => b.at.localeCompare(a.at);

/** Scores and the newest comments per agent and per station, one order at a time. */
class RatingTallies {
  readonly agents = new Map<string, { sum: number; count: number; comments: Rating['comments'] }>();
  readonly stations = new Map<string, { sum: number; count: number; comments: Rating['comments'] }>();

  private static put(
    m: Map<string, { sum: number; count: number; comments: Rating['comments'] }>,
    key: string,
    orderId: string,
    ev: { score: number; note?: string; at: string },
  ): void {
    let r = m.get(key);
    if (!r) m.set(key, (r = { sum: 0, count: 0, comments: [] }));
    r.sum += ev.score;
    r.count++;
    if (!ev.note) return;
    r.comments.push({ orderId, score: ev.score, note: ev.note, at: ev.at });
    // A stable sort keeps the earlier of two comments made at the same time first, as a sort of them all would.
    if (r.comments.length >= COMMENTS_HELD) r.comments = r.comments.sort(newestFirst).slice(0, 5);
  }

  add(o: FiguresInput): void {
    if (o.evaluations.station) RatingTallies.put(this.agents, o.createdBy.userId, o.id, o.evaluations.station);
    if (o.evaluations.centre && o.stationId) RatingTallies.put(this.stations, o.stationId, o.id, o.evaluations.centre);
  }

  ratings(): { agents: Map<string, Rating>; stations: Map<string, Rating> } {
    const done = (m: Map<string, { sum: number; count: number; comments: Rating['comments'] }>) =>
      new Map(
        [...m].map(([k, r]) => [
          k,
          {
            count: r.count,
            mean: Math.round((r.sum / r.count) * 10) / 10,
            comments: [...r.comments].sort(newestFirst).slice(0, 5),
          },
        ]),
      );
    return { agents: done(this.agents), stations: done(this.stations) };
  }
}

/**
 * The two-way evaluation per person and per station, for team leads: how the stations rated each agent's orders
 * (the station's side of `evaluate`, by the agent who took the order), and how the agents rated each station.
 */
export function ratings(orders: Iterable<FiguresInput>): {
  agents: Map<string, Rating>;
  stations: Map<string, Rating>;
} {
  const r = new RatingTallies();
  for (const o of orders) r.add(o);
  return r.ratings();
}

/**
 * Crew, member and evaluation figures folded one order at a time, for orders that arrive in pages (the centre's
 * archive): the same results as {@link crewFigures}, {@link memberFigures} and {@link ratings} over all of them,
 * holding only the tallies, never the orders.
 */
export class FiguresFold {
  private readonly tallies = new Tallies(true);
  private readonly rated = new RatingTallies();
  /** Orders added so far. */
  orders = 0;

  add(order: FiguresInput): void {
    this.tallies.add(order);
    this.rated.add(order);
    this.orders++;
  }

  crewFigures(): Map<string, CrewFigures> {
    return this.tallies.crewFigures();
  }

  memberFigures(): Map<string, Map<string, MemberFigures>> {
    return this.tallies.memberFigures();
  }

  ratings(): { agents: Map<string, Rating>; stations: Map<string, Rating> } {
    return this.rated.ratings();
  }
}

const count = z.number().int().min(0);
const meanMinutes = z.number().nullable();
const figureFields = {
  crewId: z.string(),
  arrivals: count,
  verifiedArrivals: count,
  flagged: count,
  minutesToAccept: meanMinutes,
  minutesToArrive: meanMinutes,
  minutesToHandle: meanMinutes,
  load: count,
};
export const CrewFiguresSchema = z.object({ ...figureFields, assigned: count }) satisfies z.ZodType<CrewFigures>;
export const MemberFiguresSchema = z.object({
  ...figureFields,
  memberId: z.string(),
  jobs: count,
}) satisfies z.ZodType<MemberFigures>;
export const RatingSchema = z.object({
  count,
  mean: z.number().min(0).max(5),
  comments: z.array(z.object({ orderId: z.string(), score: z.number(), note: z.string(), at: z.string() })).max(5),
}) satisfies z.ZodType<Rating>;

/** Figures of the orders that count for a period, as a centre answers them (GET /api/figures). */
export const FiguresReportSchema = z.object({
  /** The cities folded. */
  cities: z.array(z.string()),
  /** The period, [from, to), as ISO instants. */
  from: z.string(),
  to: z.string(),
  /** How many orders counted, from the live board and from the centre's archive. */
  orders: z.object({ live: count, archived: count }),
  /** Per crew id. */
  crews: z.record(z.string(), CrewFiguresSchema),
  /** Per crew id, then member id. */
  members: z.record(z.string(), z.record(z.string(), MemberFiguresSchema)),
  /** Per agent (user id) and per station id. */
  ratings: z.object({ agents: z.record(z.string(), RatingSchema), stations: z.record(z.string(), RatingSchema) }),
});
export type FiguresReport = z.infer<typeof FiguresReportSchema>;
