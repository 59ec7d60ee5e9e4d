// Each station's crews and its dispatch settings, kept in the city's board document next to the orders (roots
// `crews` and `stations`), so they replicate between the centres, reach every console's cache and are checked by
// the same guard. One plain value per crew (last writer wins per crew) and per station.
import type * as Y from 'yjs';
import { z } from 'zod';
import { ActorSchema, MemberIdSchema, areaCovers } from '@twinline/workorder';
import type { Actor, OrderType, WorkOrder } from '@twinline/workorder';
import { WorkOrderError } from '@twinline/workorder';

export const CREWS_ROOT = 'crews';
export const STATIONS_ROOT = 'stations';

const id = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'an id: letters, digits, _ . : -');
const isoTime = z.string().datetime({ offset: true });

/** What a crew does: repair crews take faults and outages, service crews the rest of the station's business. */
export const CREW_KINDS = ['repair', 'service'] as const;
export const CREW_TYPES: Record<(typeof CREW_KINDS)[number], readonly OrderType[]> = {
  repair: ['repair', 'outage'],
  service: ['complaint', 'consultation', 'inquiry', 'report', 'suggestion', 'gov12345'],
};

export const CrewSchema = z.object({
  id,
  stationId: id,
  name: z.string().trim().min(1).max(40),
  kind: z.enum(CREW_KINDS),
  /** Trades (line, cable, transformer, meter, …): shown to the dispatcher. */
  skills: z.array(z.string().min(1).max(32)).max(20),
  /** Where the crew works: whole counties of the station's city, and streets (matched as words in an address). */
  area: z.object({
    counties: z.array(id).max(30),
    streets: z.array(z.string().trim().min(2).max(40)).max(100),
  }),
  onDuty: z.boolean(),
  members: z
    .array(
      z.object({
        id: MemberIdSchema,
        name: z.string().trim().min(1).max(40),
        phone: z.string().regex(/^\+?[0-9]{3,20}$/),
        onDuty: z.boolean(),
      }),
    )
    .max(30),
  updatedAt: isoTime,
  updatedBy: id,
});
export type Crew = z.infer<typeof CrewSchema>;

export const StationSettingsSchema = z.object({
  stationId: id,
  /** New orders dispatched to the station go straight to the on-duty crew whose area covers the address. */
  autoAssign: z.boolean(),
  updatedAt: isoTime,
  updatedBy: id,
});
export type StationSettings = z.infer<typeof StationSettingsSchema>;

const crewsRoot = (doc: Y.Doc) => doc.getMap<unknown>(CREWS_ROOT);
const stationsRoot = (doc: Y.Doc) => doc.getMap<unknown>(STATIONS_ROOT);

/** Why `actor` may not change the roster or settings of `stationId`, or null. */
export function rosterRefusal(actor: Actor, stationId: string): string | null {
  if (actor.role === 'team_lead' || actor.role === 'admin') return null;
  if (actor.role === 'dispatcher')
    return actor.stationId === stationId
      ? null
      : `a dispatcher of ${actor.stationId ?? '?'} may not change ${stationId}`;
  return `role ${actor.role} may not change a station's crews`;
}

/** Adds or replaces a crew (validated; only its station's dispatcher or a team lead/admin). */
export function putCrew(doc: Y.Doc, crew: Omit<Crew, 'updatedAt' | 'updatedBy'>, actor: Actor, now = new Date()): Crew {
  const by = ActorSchema.parse(actor);
  const why = rosterRefusal(by, crew.stationId);
  if (why) throw new WorkOrderError('forbidden', why);
  const parsed = CrewSchema.safeParse({ ...crew, updatedAt: now.toISOString(), updatedBy: by.userId });
  if (!parsed.success)
    throw new WorkOrderError(
      'invalid_payload',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  crewsRoot(doc).set(parsed.data.id, parsed.data);
  return parsed.data;
}

/** Turns automatic assignment on or off for a station. */
export function setAutoAssign(
  doc: Y.Doc,
  stationId: string,
  on: boolean,
  actor: Actor,
  now = new Date(),
): StationSettings {
  const by = ActorSchema.parse(actor);
  const why = rosterRefusal(by, stationId);
  if (why) throw new WorkOrderError('forbidden', why);
  const value = StationSettingsSchema.parse({
    stationId,
    autoAssign: on,
    updatedAt: now.toISOString(),
    updatedBy: by.userId,
  });
  stationsRoot(doc).set(stationId, value);
  return value;
}

/** Every crew in the document that parses (a bad value is left out, never thrown at the reader), sorted by id. */
export function readCrews(doc: Y.Doc): Crew[] {
  const out: Crew[] = [];
  for (const v of crewsRoot(doc).values()) {
    const r = CrewSchema.safeParse(v);
    if (r.success) out.push(r.data);
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

export function readStations(doc: Y.Doc): Map<string, StationSettings> {
  const out = new Map<string, StationSettings>();
  for (const v of stationsRoot(doc).values()) {
    const r = StationSettingsSchema.safeParse(v);
    if (r.success) out.set(r.data.stationId, r.data);
  }
  return out;
}

/** Calls `cb` after each transaction that changed a crew or a station's settings; returns the function that stops. */
export function observeRoster(doc: Y.Doc, cb: () => void): () => void {
  const roots = [crewsRoot(doc), stationsRoot(doc)];
  const handler = () => cb();
  for (const r of roots) r.observe(handler);
  return () => roots.forEach((r) => r.unobserve(handler));
}

/** States in which an order keeps its crew busy. */
const BUSY: ReadonlySet<string> = new Set(['assigned', 'on_site', 'handled']);

/** Open orders each crew holds now (its load). */
export function crewLoads(orders: Iterable<Pick<WorkOrder, 'state' | 'crewId'>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of orders) if (o.crewId && BUSY.has(o.state)) out.set(o.crewId, (out.get(o.crewId) ?? 0) + 1);
  return out;
}

/** What the dispatcher sees of a crew when choosing one for an order. */
export interface CrewChoice {
  crew: Crew;
  /** Open orders it holds now. */
  load: number;
  /** On duty with at least one member on duty. */
  available: boolean;
  /** Its kind takes the order's type. */
  takesType: boolean;
  /** Its area covers the order's address (its county, or a street named in it). */
  covers: boolean;
  /** The crew automatic assignment would pick. */
  suggested: boolean;
}

type OrderPlace = { stationId: string; type: OrderType; city: string; county: string; address: string };

/**
 * The station's crews for one order, best first: those that fit (available, take the type, cover the address) by
 * load then id, then the rest by the same measures. The first one that fits is the one automatic assignment picks.
 */
export function crewChoices(
  crews: readonly Crew[],
  order: OrderPlace,
  loads: ReadonlyMap<string, number>,
): CrewChoice[] {
  const out = crews
    .filter((c) => c.stationId === order.stationId)
    .map((crew) => ({
      crew,
      load: loads.get(crew.id) ?? 0,
      available: crew.onDuty && crew.members.some((m) => m.onDuty),
      takesType: CREW_TYPES[crew.kind].includes(order.type),
      covers: areaCovers(order.city, crew.area, order),
      suggested: false,
    }));
  const misfit = (c: CrewChoice) => (c.available ? 0 : 4) + (c.takesType ? 0 : 2) + (c.covers ? 0 : 1);
  out.sort((a, b) => misfit(a) - misfit(b) || a.load - b.load || a.crew.id.localeCompare(b.crew.id));
  if (out[0] && misfit(out[0]) === 0) out[0].suggested = true;
  return out;
}

/**
 * The crew an order goes to when its station assigns automatically: of the station's crews on duty with at least one
 * member on duty, those whose kind takes the order's type and whose area covers the address (its county, or a
 * street named in it); the least loaded, then the first by id. Null when none fits (the dispatcher decides).
 */
export function pickCrew(crews: readonly Crew[], order: OrderPlace, loads: ReadonlyMap<string, number>): Crew | null {
  const first = crewChoices(crews, order, loads)[0];
  return first?.suggested ? first.crew : null;
}
