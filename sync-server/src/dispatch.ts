// Automatic dispatch, applied by the centre (decision note docs/decisions/2026-11-23-auto-dispatch.md):
//
// 1. An order just opened (`accepted`, never dispatched nor sent back) whose type needs work in the field (repair,
//    complaint, report, 12345) goes to the station of its county (派单), as the centre itself; unless it was opened
//    inside an active mass outage's area: then it waits for the agent to merge it under the outage.
// 2. An order at a station whose settings say `autoAssign`, with no crew and not assigned since it reached the
//    station, goes to the least-loaded on-duty crew whose kind takes its type and whose area covers the address
//    (@twinline/board's pickCrew): the centre writes the station's 接单 (`take`) and 派工 (`assign`) in one change.
//    When no crew fits, the order waits for the station's dispatcher (and is looked at again when the roster changes).
//
// Who writes: while the twin is connected, only the centre named in the order's id (as the escalation ladder does),
// so each step is written once; while the twin is down, either centre. The rules need no marker: a dispatched order
// is no longer `accepted` and has a `dispatch` in its history, an assigned one has a crew.
//
// When: each change to a document (from a console, the twin or the centre itself) asks for a look at that document a
// moment later (`poke`, called from the rooms' update hook in centre.ts); only the orders the change touched are folded
// again (the job keeps a summary per order). A pass every `everyMs` looks again at the documents it holds, and at every
// stored document when the twin comes or goes (orders the twin would have written become this centre's).
import type { Doc } from 'yjs';
import {
  act,
  crewLoads,
  observeOrders,
  observeRoster,
  orderIds,
  parseDocName,
  pickCrew,
  readCrews,
  readOrder,
  readStations,
} from '@twinline/board';
import type { Crew, StationSettings } from '@twinline/board';
import { stationOf } from '@twinline/demo-data';
import { WorkOrderError, areaCovers, isActiveOutage } from '@twinline/workorder';
import type { Actor, OrderState, OrderType, OutageArea, WorkOrder } from '@twinline/workorder';
import { jobTwinWatch, owningCentre, systemActor, writesFor } from './twin-watch';
import type { JobTwinOptions, TwinState, TwinWatch } from './twin-watch';
import type { Logger } from './log';
import type { Room } from './room';
import type { Rooms } from './rooms';
import type { CentreStorage } from './storage';

/** Order types a station's crew goes out for; consultations, inquiries and suggestions stay with the agent. */
export const FIELD_TYPES: readonly OrderType[] = ['repair', 'complaint', 'report', 'gov12345'];

/** What the centre writes next on an order, or why it leaves it. */
export type DispatchStep =
  | { action: 'dispatch'; stationId: string }
  | { action: 'assign'; crewId: string; take: boolean }
  | { action: 'none'; why: string; level: 'warn' | 'debug' };

/** Rule 1's order: opened and never dispatched or sent back by anyone (a person's send_back is final for the job). */
export function awaitsDispatch(order: WorkOrder): boolean {
  return (
    order.state === 'accepted' &&
    FIELD_TYPES.includes(order.draft.type) &&
    !order.history.some((e) => e.action === 'dispatch' || e.action === 'send_back')
  );
}

/**
 * Rule 2's order: at a station (dispatched or taken), without a crew, and not assigned since it was last dispatched (an
 * order a dissatisfied customer sent back to its station had a crew: its dispatcher decides who goes again).
 */
export function awaitsCrew(order: WorkOrder): boolean {
  if ((order.state !== 'dispatched' && order.state !== 'taken') || !order.stationId || order.crewId) return false;
  for (let i = order.history.length - 1; i >= 0; i--) {
    const action = order.history[i]!.action;
    if (action === 'dispatch') return true;
    if (action === 'assign') return false;
  }
  return false;
}

/** The station serving a county of `city`, or undefined when there is none. */
function stationFor(city: string, county: string): string | undefined {
  try {
    return stationOf(city, county).id;
  } catch {
    return undefined;
  }
}

/** What the rules look at of an order: kept by the job for every order, so deciding needs no fold. */
export interface DispatchView {
  state: OrderState;
  stationId?: string;
  crewId?: string;
  type: OrderType;
  county: string;
  address: string;
  /** The centre that writes the order's steps while both centres are up. */
  owner: string;
  /** Rule 1 holds (awaitsDispatch). */
  opened: boolean;
  /** Rule 2 holds (awaitsCrew), whatever the station's settings. */
  waiting: boolean;
  /** An outage still on: the area it covers (orders opened inside it wait for the agent to merge them). */
  outage?: OutageArea;
}

/** The active outages of a document, from the job's views. */
export function activeOutages(views: Iterable<[string, DispatchView]>): { id: string; area: OutageArea }[] {
  const out: { id: string; area: OutageArea }[] = [];
  for (const [id, v] of views) if (v.outage) out.push({ id, area: v.outage });
  return out;
}

export function viewOf(order: WorkOrder): DispatchView {
  return {
    state: order.state,
    stationId: order.stationId,
    crewId: order.crewId,
    type: order.draft.type,
    county: order.draft.region.county,
    address: order.draft.address,
    owner: owningCentre(order),
    opened: awaitsDispatch(order),
    waiting: awaitsCrew(order),
    ...(isActiveOutage({ type: order.draft.type, state: order.state }) && order.draft.outage
      ? { outage: order.draft.outage.area }
      : {}),
  };
}

/** The next step the rules give for an order of the document of `city`, or null when they give none. */
export function nextStep(
  order: DispatchView,
  city: string,
  crews: readonly Crew[],
  stations: ReadonlyMap<string, StationSettings>,
  loads: ReadonlyMap<string, number>,
  outages: readonly { id: string; area: OutageArea }[] = [],
): DispatchStep | null {
  if (order.opened) {
    // Inside a mass outage the order is most likely that outage: the agent merges it under the outage's order (one
    // click) instead of a crew being sent; it is weighed again when the outage is restored.
    const place = { city, county: order.county, address: order.address };
    const under = outages.find((o) => areaCovers(city, o.area, place));
    if (under) return { action: 'none', why: `inside outage ${under.id}: left for the agent to merge`, level: 'debug' };
    const stationId = stationFor(city, order.county);
    return stationId
      ? { action: 'dispatch', stationId }
      : { action: 'none', why: `county ${order.county} of ${city} has no station`, level: 'warn' };
  }
  if (order.waiting && stations.get(order.stationId!)?.autoAssign) {
    const { stationId, type, county, address } = order;
    const crew = pickCrew(crews, { stationId: stationId!, type, city, county, address }, loads);
    return crew
      ? { action: 'assign', crewId: crew.id, take: order.state === 'dispatched' }
      : { action: 'none', why: `no crew of ${stationId} on duty covers it`, level: 'debug' };
  }
  return null;
}

export interface DispatchOptions extends JobTwinOptions {
  /** This centre's name. */
  centre: string;
  /** How often the documents held are looked at again; 0: never (start() and poke() do nothing). */
  everyMs: number;
  /** A change is looked at this long after it arrives, with whatever else arrived meanwhile (default 25 ms). */
  debounceMs?: number;
  /** At most this many orders are moved per document per look (a backlog goes out over several). */
  maxPerRun?: number;
  now?: () => Date;
}

interface DocState {
  name: string;
  doc: Doc;
  /** Orders changed since the last look ('all' right after the document was (re)loaded). */
  dirty: Set<string> | 'all';
  orders: Map<string, DispatchView>;
  /** The crews and station settings as last read (null: changed since, read again when needed). */
  roster: { crews: Crew[]; stations: Map<string, StationSettings> } | null;
  /** Every order must be weighed at the next look, not only the changed ones (the roster or the twin changed, or the
   * last look stopped at its limit). */
  everything: boolean;
  /** The twin's state at the last look. */
  twin: TwinState | null;
  /** Why each order left waiting was last logged, so it is logged once (again after it changes), not at every look. */
  noted: Map<string, string>;
  stop: () => void;
}

export class DispatchJob {
  private readonly docs = new Map<string, DocState>();
  private readonly scheduled = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<number>>();
  private readonly again = new Set<string>();
  private readonly twin: TwinWatch;
  private readonly actor: Actor;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  /** The twin's state at the last pass over every stored document (null: none yet). */
  private swept: TwinState | null = null;
  private lastPass = 0;
  private stopped = true;

  constructor(
    private readonly rooms: Rooms,
    private readonly storage: CentreStorage,
    private readonly log: Logger,
    private readonly opts: DispatchOptions,
  ) {
    this.actor = systemActor(opts.centre);
    this.twin = jobTwinWatch(opts);
    this.now = opts.now ?? (() => new Date());
  }

  start(): void {
    if (this.opts.everyMs <= 0) return;
    this.stopped = false;
    // The twin's state is watched more often than the pass runs, so the sweep after it settles comes at once.
    this.timer = setInterval(() => void this.tick(), Math.min(250, this.opts.everyMs));
    void this.tick();
  }

  /** Stops the timers and waits for the looks in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const t of this.scheduled.values()) clearTimeout(t);
    this.scheduled.clear();
    await this.ticking;
    await Promise.all(this.running.values());
    for (const s of this.docs.values()) s.stop();
    this.docs.clear();
  }

  /** A document changed: look at it in a moment (changes arriving meanwhile are looked at together). */
  poke(name: string): void {
    if (this.stopped || this.scheduled.has(name) || !parseDocName(name)) return;
    this.scheduled.set(
      name,
      setTimeout(() => {
        this.scheduled.delete(name);
        void this.look(name);
      }, this.opts.debounceMs ?? 25),
    );
  }

  private tick(): Promise<void> {
    this.ticking ??= this.pass()
      .catch((error: unknown) => this.log.error({ err: error }, 'dispatch pass failed'))
      .finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async pass(): Promise<void> {
    const twin = this.twin.state();
    if (twin === 'unsure' || this.stopped) return;
    if (twin !== this.swept) {
      // At start, and when the twin comes or goes: every stored document once.
      this.log.debug({ twin, was: this.swept }, 'dispatch: looking at every document');
      this.swept = twin;
      this.lastPass = Date.now();
      for (const name of await this.storage.listDocs()) {
        if (this.stopped || this.twin.state() !== twin) return;
        if (parseDocName(name)) await this.look(name);
      }
      return;
    }
    if (Date.now() - this.lastPass < this.opts.everyMs) return;
    this.lastPass = Date.now();
    for (const name of [...this.docs.keys()]) if (!this.stopped) await this.look(name);
  }

  /** One look at a document; looks at the same document never overlap (a poke meanwhile gets one more look). */
  private look(name: string): Promise<number> {
    const busy = this.running.get(name);
    if (busy) {
      this.again.add(name);
      return busy;
    }
    const run = this.lookOnce(name)
      .catch((error: unknown) => {
        this.log.error({ err: error, doc: name }, 'dispatch failed for a document');
        return 0;
      })
      .finally(() => {
        this.running.delete(name);
        if (this.again.delete(name) && !this.stopped) void this.look(name);
      });
    this.running.set(name, run);
    return run;
  }

  private async lookOnce(name: string): Promise<number> {
    const city = parseDocName(name)!.city;
    const room = await this.rooms.get(name);
    try {
      const state = this.attach(name, room);
      const changed = await this.refresh(state);
      const twin = this.twin.state();
      if (twin !== state.twin) state.everything = true;
      state.twin = twin;
      if (twin === 'unsure' || this.stopped) return 0;
      const weigh = state.everything ? null : changed;
      state.everything = false;
      const ids = this.plan(state, city, twin, weigh);
      if (ids.length === 0) return 0;
      try {
        return await this.write(room, name, city, ids, twin);
      } catch (error) {
        state.everything = true; // weighed again at the next look
        throw error;
      }
    } finally {
      this.rooms.release(room);
    }
  }

  /** The job's view of a loaded document, following its changes; a document loaded again is read again in full. */
  private attach(name: string, room: Room): DocState {
    const known = this.docs.get(name);
    if (known?.doc === room.doc) return known;
    known?.stop();
    const doc = room.doc;
    const state: DocState = {
      name,
      doc,
      dirty: 'all',
      orders: new Map(),
      roster: null,
      everything: true,
      twin: null,
      noted: new Map(),
      stop: () => undefined,
    };
    const unobserve = observeOrders(doc, (ids) => {
      if (state.dirty !== 'all') for (const id of ids) state.dirty.add(id);
    });
    const unobserveRoster = observeRoster(doc, () => {
      state.roster = null;
      state.everything = true;
    });
    const forget = () => {
      if (this.docs.get(name) === state) this.docs.delete(name);
    };
    doc.on('destroy', forget);
    state.stop = () => {
      unobserve();
      unobserveRoster();
      doc.off('destroy', forget);
    };
    this.docs.set(name, state);
    return state;
  }

  /**
   * Folds again the orders changed since the last look (every order after a load, a few hundred at a time). Returns
   * their ids.
   */
  private async refresh(state: DocState): Promise<string[]> {
    const ids = state.dirty === 'all' ? orderIds(state.doc) : [...state.dirty];
    const full = state.dirty === 'all';
    state.dirty = new Set();
    if (full) {
      state.orders.clear();
      state.everything = true;
    }
    for (let i = 0; i < ids.length; i++) {
      if (full && i > 0 && i % 500 === 0) await new Promise((r) => setImmediate(r)); // let sockets be served
      const id = ids[i]!;
      const order = readOrder(state.doc, id)?.order;
      state.noted.delete(id);
      const before = state.orders.get(id);
      if (!order) {
        state.orders.delete(id);
        if (before?.outage) state.everything = true;
        continue;
      }
      const view = viewOf(order);
      state.orders.set(id, view);
      // An outage declared, its area changed, or restored changes what every order opened in its area waits for.
      if ((before?.outage || view.outage) && JSON.stringify(before?.outage) !== JSON.stringify(view.outage))
        state.everything = true;
    }
    return ids;
  }

  /**
   * The orders (of `weigh`, or all) this centre writes now that the rules give a step for, logging once those left
   * waiting.
   */
  private plan(state: DocState, city: string, twin: TwinState, weigh: string[] | null): string[] {
    const mine = (v: DispatchView) => twin !== 'up' || v.owner === this.opts.centre;
    const views: Iterable<[string, DispatchView | undefined]> = weigh
      ? weigh.map((id) => [id, state.orders.get(id)])
      : state.orders;
    const candidates: [string, DispatchView][] = [];
    for (const [id, v] of views) if (v && (v.opened || v.waiting) && mine(v)) candidates.push([id, v]);
    if (candidates.length === 0) return [];
    state.roster ??= { crews: readCrews(state.doc), stations: readStations(state.doc) };
    const { crews, stations } = state.roster;
    const loads = crewLoads(state.orders.values());
    const outages = activeOutages(state.orders);
    const out: string[] = [];
    for (const [id, view] of candidates) {
      if (out.length >= (this.opts.maxPerRun ?? 500)) {
        state.everything = true; // the rest at the next look (which this centre's own change asks for)
        break;
      }
      const step = nextStep(view, city, crews, stations, loads, outages);
      if (!step) continue;
      if (step.action === 'none') {
        if (state.noted.get(id) !== step.why) {
          state.noted.set(id, step.why);
          this.log[step.level]({ doc: state.name, order: id, why: step.why }, 'order left for a person');
        }
        continue;
      }
      out.push(id);
    }
    return out;
  }

  /**
   * Writes the steps in one change of the document, deciding each again on the copy it changes (the document may
   * have moved on since the plan). An order dispatched to a station that assigns automatically is also taken and
   * assigned in the same change. Returns the number of orders moved.
   */
  private async write(room: Room, name: string, city: string, ids: string[], twin: TwinState): Promise<number> {
    const now = this.now();
    const done: { id: string; steps: DispatchStep[]; createdAt: string }[] = [];
    await room.serverChange((doc) => {
      const crews = readCrews(doc);
      const stations = readStations(doc);
      const views = this.docs.get(name)?.orders ?? new Map<string, DispatchView>();
      const loads = crewLoads(views.values());
      const outages = activeOutages(views);
      for (const id of ids) {
        const steps: DispatchStep[] = [];
        let createdAt = '';
        for (let n = 0; n < 2; n++) {
          const order = readOrder(doc, id)?.order;
          if (!order || !writesFor(this.opts.centre, order, twin)) break;
          createdAt = order.createdAt;
          const step = nextStep(viewOf(order), city, crews, stations, loads, outages);
          if (!step || step.action === 'none') break;
          try {
            doc.transact(() => {
              if (step.action === 'dispatch')
                act(doc, id, { action: 'dispatch', stationId: step.stationId }, this.actor, now);
              else {
                if (step.take) act(doc, id, { action: 'take' }, this.actor, now);
                act(doc, id, { action: 'assign', crewId: step.crewId }, this.actor, now);
              }
            });
          } catch (error) {
            if (!(error instanceof WorkOrderError)) throw error;
            this.log.warn({ order: id, step, err: error.message }, 'dispatch step refused');
            break;
          }
          steps.push(step);
          if (step.action === 'assign') {
            loads.set(step.crewId, (loads.get(step.crewId) ?? 0) + 1);
            break;
          }
        }
        if (steps.length > 0) done.push({ id, steps, createdAt });
      }
    });
    for (const { id, steps, createdAt } of done) {
      const dispatched = steps.find((s) => s.action === 'dispatch');
      const assigned = steps.find((s) => s.action === 'assign');
      this.log.info(
        {
          doc: name,
          order: id,
          station: dispatched?.stationId,
          crew: assigned?.crewId,
          sinceCreatedMs: createdAt ? now.getTime() - Date.parse(createdAt) : undefined,
        },
        assigned
          ? dispatched
            ? 'order dispatched and assigned automatically'
            : 'order assigned automatically'
          : 'order dispatched automatically',
      );
    }
    return done.length;
  }
}
