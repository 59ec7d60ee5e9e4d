// The centre's permission guard: decides whether a client's Yjs update may be applied to a region document, by
// decoding it and placing every inserted item and every deletion in the board layout (see board.ts), WITHOUT applying
// it. Everything not explicitly allowed is refused with a reason a person can read in the log.
//
// How an item is placed: in a decoded update an Item carries its parent only when it has no left/right origin
// (`parent` is then the root type's name, or the ID of the item holding the parent type). Otherwise the parent and
// map key are those of the origin (left) or right-origin item, which is either already in the document or earlier
// or later in the same update. An origin that is a GC struct means the item lands in collected content and will be
// collected itself (yjs turns it into GC), so it cannot change the board.
//
// Besides `orders`, two roots hold a station's crews and its settings (roster.ts): `crews` and `stations`, each a map
// of one plain value per key (the crew's or station's id), replaced whole by whoever writes last. Writing or deleting
// one is for the station's dispatcher, a team lead or an admin (rosterRefusal).
//
// A crew's events are written by a centre, never by a console (the crew reports through the centre's HTTP API, which
// seals each event: sync-server/src/crews/sign.ts). Given `verifyCrewEvent`, every crew event an update brings, live or
// relayed, must carry a valid seal and be new to its order (a sealed event copied a second time is refused too).
// Events already in the document are not checked again; the twin's updates (the peer link) do not pass the guard.
import * as Y from 'yjs';
import {
  CommentSchema,
  createRolesFor,
  OrderDraftSchema,
  OrderEventSchema,
  RULES,
  stationBound,
} from '@twinline/workorder';
import type { OrderType } from '@twinline/workorder';
import type { OrderEvent } from '@twinline/workorder';
import type { z } from 'zod';
import { canRead, canWrite, parseDocName } from './access';
import type { Principal } from './access';
import { COMMENTS_KEY, DRAFT_FIELDS, DRAFT_KEY, EVENTS_KEY, ORDERS_ROOT, readOrderMap } from './board';
import type { DraftField } from './board';
import { CREWS_ROOT, CrewSchema, STATIONS_ROOT, StationSettingsSchema, rosterRefusal } from './roster';

export type GuardMode = 'live' | 'catch_up';
export type GuardVerdict = { ok: true } | { ok: false; reason: string };
export interface GuardOptions {
  /**
   * Whether a crew's event carries a centre's valid seal over exactly this order and event. Given the event as the
   * update carries it (it passed OrderEventSchema; keys the schema does not know are kept, and break the seal). Without
   * it crew events are judged like any other (the board package holds no keys: the centre passes this).
   */
  verifyCrewEvent?: (orderId: string, event: OrderEvent) => boolean;
}

class Refused extends Error {}
function refuse(reason: string): never {
  throw new Refused(reason);
}

type RosterKind = 'crews' | 'stations';
type ContainerKind = 'orders' | 'order' | 'draft' | 'events' | 'comments' | RosterKind;
interface Container {
  kind: ContainerKind;
  /** The item holding this type (null for the root). */
  item: Y.Item | null;
  orderId?: string;
  /** The order entry (the item under root `orders`) this container belongs to. */
  orderItem?: Y.Item;
  /** The order entry is new in this update. */
  orderNew: boolean;
  /** This container or one of its ancestors is deleted (in the document or by this update). */
  removed: boolean;
}
type Position = { gone: true } | { gone: false; container: Container; key: string | null };
interface Found {
  s: Y.Item | Y.GC | Y.Skip;
  inDoc: boolean;
}

const ROOTS: Record<string, Container> = {
  [ORDERS_ROOT]: { kind: 'orders', item: null, orderNew: false, removed: false },
  [CREWS_ROOT]: { kind: 'crews', item: null, orderNew: false, removed: false },
  [STATIONS_ROOT]: { kind: 'stations', item: null, orderNew: false, removed: false },
};
const rootContainer = (name: string | null | undefined): Container | undefined =>
  name != null && Object.hasOwn(ROOTS, name) ? ROOTS[name] : undefined;
const ROSTER = {
  crews: { schema: CrewSchema, what: 'crew' },
  stations: { schema: StationSettingsSchema, what: 'station settings' },
} as const;
const isRoster = (k: ContainerKind): k is RosterKind => k === 'crews' || k === 'stations';
const OK: GuardVerdict = { ok: true };
const CHILD_TYPES = { [DRAFT_KEY]: Y.Map, [EVENTS_KEY]: Y.Array, [COMMENTS_KEY]: Y.Array } as const;
type ChildKey = keyof typeof CHILD_TYPES;
const isChildKey = (k: string | null): k is ChildKey => k !== null && Object.hasOwn(CHILD_TYPES, k);
const isDraftField = (k: string | null): k is DraftField => k !== null && (DRAFT_FIELDS as string[]).includes(k);

function contentName(c: unknown): string {
  if (c instanceof Y.ContentType) return `a ${c.type.constructor.name}`;
  return (c as object).constructor.name;
}

function zodReason(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`)
    .join('; ');
}

/**
 * Whether `update` (from a client connected as `p` to `docName`) may be applied to `doc`. `live`: the client's own
 * changes, which must all be authored by `p`. `catch_up`: content the client relays (sync step 2, e.g. what it got
 * from the twin centre before a failover): other authors are allowed but every event and comment is still checked
 * against the schema and the workorder rules. Never modifies `doc`.
 */
export function checkUpdate(
  doc: Y.Doc,
  update: Uint8Array,
  p: Principal,
  docName: string,
  mode: GuardMode,
  opts: GuardOptions = {},
): GuardVerdict {
  const parsed = parseDocName(docName);
  if (!parsed) return { ok: false, reason: `unknown document ${JSON.stringify(docName)}` };
  try {
    const { structs, ds } = Y.decodeUpdate(update);
    const check = new UpdateCheck(doc, structs, ds, p, parsed.city, mode, opts);
    if (!canWrite(p, docName)) {
      // A reader's sync step 2 that carries nothing new is harmless; any real change is refused.
      if (canRead(p, docName) && check.isNoop()) return OK;
      return { ok: false, reason: `${p.role} ${p.userId} may not write ${docName}` };
    }
    check.run();
    return OK;
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.message };
    // Undecodable input, or a shape the checks did not foresee: fail closed.
    return { ok: false, reason: `malformed update: ${error instanceof Error ? error.message : String(error)}` };
  }
}

interface NewEvent {
  orderId: string;
  event: OrderEvent;
  /** The event exactly as the update carries it (what a seal covers). */
  raw: OrderEvent;
  /** Inserted at the very start of the list (origin null, first value of its item). */
  atStart: boolean;
}

class UpdateCheck {
  private readonly byClient = new Map<number, (Y.Item | Y.GC | Y.Skip)[]>();
  private readonly positions = new Map<Y.Item, Position | 'pending'>();
  private readonly containers = new Map<Y.Item | Y.AbstractType<unknown>, Container>();
  private readonly newOrders = new Map<string, Y.Item>();
  private readonly orderParts = new Map<string, Set<string>>();
  private readonly newKeys = new Set<string>();
  /** `${draft container}|${field}` for which this update brings a live value. */
  private readonly replacements = new Set<string>();
  private readonly draftFieldsOfNewOrders = new Map<string, Set<string>>();
  /** The type each new order is created with (its create roles and whether it declares an outage depend on it). */
  private readonly typeOfNewOrders = new Map<string, OrderType>();
  private readonly newEvents: NewEvent[] = [];
  private readonly deletedNew: Y.Item[] = [];

  constructor(
    private readonly doc: Y.Doc,
    private readonly structs: (Y.Item | Y.GC | Y.Skip)[],
    private readonly ds: { clients: Map<number, { clock: number; len: number }[]> },
    private readonly p: Principal,
    private readonly city: string,
    private readonly mode: GuardMode,
    private readonly opts: GuardOptions,
  ) {
    for (const s of structs) {
      const list = this.byClient.get(s.id.client) ?? [];
      list.push(s);
      this.byClient.set(s.id.client, list);
    }
    for (const list of this.byClient.values()) list.sort((a, b) => a.id.clock - b.id.clock);
  }

  private state(client: number): number {
    return Y.getState(this.doc.store, client);
  }

  /** Nothing new: every struct is known and every deletion is already in effect. */
  isNoop(): boolean {
    for (const s of this.structs) {
      if (!(s instanceof Y.Skip) && s.id.clock + s.length > this.state(s.id.client)) return false;
    }
    for (const [client, ranges] of this.ds.clients) {
      for (const { clock, len } of ranges) {
        if (clock + len > this.state(client)) return false;
        for (let c = clock; c < clock + len;) {
          const s = Y.getItem(this.doc.store, Y.createID(client, c)) as Y.Item | Y.GC;
          if (s instanceof Y.Item && !s.deleted) return false;
          c = s.id.clock + s.length;
        }
      }
    }
    return true;
  }

  run(): void {
    for (const s of this.structs) {
      if (s instanceof Y.Item) this.checkInsert(s);
      // GC structs carry nothing and Skip structs stand for absent ranges: neither can change the board.
    }
    this.checkNewOrders();
    for (const e of this.newEvents) {
      this.checkCrewSeal(e);
      this.checkAuthority(e);
    }
    this.checkDeletions();
  }

  // ---- where things are -------------------------------------------------------------------------------------------

  private lookup(id: Y.ID): Found | null {
    if (id.clock < this.state(id.client)) {
      return { s: Y.getItem(this.doc.store, id) as Y.Item | Y.GC, inDoc: true };
    }
    const list = this.byClient.get(id.client);
    if (!list) return null;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid]!;
      if (id.clock < s.id.clock) hi = mid - 1;
      else if (id.clock >= s.id.clock + s.length) lo = mid + 1;
      else return s instanceof Y.Skip ? null : { s, inDoc: false };
    }
    return null;
  }

  private deletedByUpdate(id: Y.ID, len: number): boolean {
    for (const r of this.ds.clients.get(id.client) ?? []) {
      if (r.clock < id.clock + len && id.clock < r.clock + r.len) return true;
    }
    return false;
  }

  private isDeleted(item: Y.Item, inDoc: boolean): boolean {
    if (inDoc && item.deleted) return true;
    if (!inDoc && item.content instanceof Y.ContentDeleted) return true;
    return this.deletedByUpdate(item.id, item.length);
  }

  private unresolvable(item: Y.Item, what: Y.ID): never {
    refuse(
      `item ${item.id.client}:${item.id.clock} refers to ${what.client}:${what.clock}, which neither this centre nor the update has (an earlier update is missing)`,
    );
  }

  private positionOf(item: Y.Item, inDoc: boolean): Position {
    const known = this.positions.get(item);
    if (known === 'pending') refuse(`item ${item.id.client}:${item.id.clock} is part of a reference cycle`);
    if (known) return known;
    this.positions.set(item, 'pending');
    const pos = inDoc ? this.docPosition(item) : this.updatePosition(item);
    this.positions.set(item, pos);
    return pos;
  }

  private docPosition(item: Y.Item): Position {
    const parent = item.parent;
    if (!(parent instanceof Y.AbstractType)) return { gone: true };
    const container = this.containerOfType(parent);
    return container === 'gone' ? { gone: true } : { gone: false, container, key: item.parentSub };
  }

  private updatePosition(item: Y.Item): Position {
    const parent = item.parent as unknown;
    if (typeof parent === 'string') {
      const root = rootContainer(parent);
      if (!root) refuse(`unknown root type ${JSON.stringify(parent)}`);
      return { gone: false, container: root, key: item.parentSub };
    }
    if (parent instanceof Y.ID) {
      const found = this.lookup(parent);
      if (!found) this.unresolvable(item, parent);
      if (!(found.s instanceof Y.Item)) return { gone: true };
      const container = this.containerOfItem(found.s, found.inDoc);
      return container === 'gone' ? { gone: true } : { gone: false, container, key: item.parentSub };
    }
    const left = item.origin ? this.lookup(item.origin) : null;
    const right = item.rightOrigin ? this.lookup(item.rightOrigin) : null;
    if (item.origin && !left) this.unresolvable(item, item.origin);
    if (item.rightOrigin && !right) this.unresolvable(item, item.rightOrigin);
    if ((left && !(left.s instanceof Y.Item)) || (right && !(right.s instanceof Y.Item))) return { gone: true };
    const neighbour = left ?? right;
    if (!neighbour) refuse(`item ${item.id.client}:${item.id.clock} has neither a parent nor neighbours`);
    return this.positionOf(neighbour.s as Y.Item, neighbour.inDoc);
  }

  private containerOfType(type: Y.AbstractType<unknown>): Container | 'gone' {
    const known = this.containers.get(type);
    if (known) return known;
    if (type._item === null) {
      const name = Y.findRootTypeKey(type);
      const root = rootContainer(name);
      if (!root) refuse(`the document holds an unknown root type ${JSON.stringify(name)}`);
      return root;
    }
    return this.containerOfItem(type._item, true);
  }

  /** The container a ContentType item makes, given where that item sits. */
  private containerOfItem(item: Y.Item, inDoc: boolean): Container | 'gone' {
    const known = this.containers.get(item);
    if (known) return known;
    if (!(item.content instanceof Y.ContentType)) {
      if (item.content instanceof Y.ContentDeleted) return 'gone'; // a collected container: its children are dropped
      refuse(`item ${item.id.client}:${item.id.clock} is used as a parent but holds ${contentName(item.content)}`);
    }
    const pos = this.positionOf(item, inDoc);
    if (pos.gone) return 'gone';
    const type = item.content.type;
    const removed = pos.container.removed || this.isDeleted(item, inDoc);
    let c: Container | undefined;
    if (pos.container.kind === 'orders' && pos.key !== null && type instanceof Y.Map) {
      c = { kind: 'order', item, orderId: pos.key, orderItem: item, orderNew: !inDoc, removed };
    } else if (pos.container.kind === 'order' && isChildKey(pos.key) && type instanceof CHILD_TYPES[pos.key]) {
      const { orderId, orderItem, orderNew } = pos.container;
      c = { kind: pos.key, item, orderId, orderItem, orderNew, removed };
    }
    if (!c) refuse(`${contentName(item.content)} at ${this.where(pos)} is not part of the board layout`);
    this.containers.set(item, c);
    return c;
  }

  private where(pos: Position): string {
    if (pos.gone) return 'collected content';
    const { kind, orderId } = pos.container;
    const key = pos.key === null ? '' : `[${JSON.stringify(pos.key)}]`;
    if (kind === 'orders' || isRoster(kind)) return `${kind}${key}`;
    return `order ${orderId} ${kind === 'order' ? '' : kind}${key}`;
  }

  // ---- insertions ---------------------------------------------------------------------------------------------------

  private checkInsert(item: Y.Item): void {
    const known = this.state(item.id.client);
    if (item.id.clock + item.length <= known) return; // already applied here; yjs skips it
    const offset = Math.max(0, known - item.id.clock);
    const pos = this.positionOf(item, false);
    if (pos.gone) return;
    const { container, key } = pos;
    const content = item.content;
    const deleted = this.isDeleted(item, false);
    if (deleted) this.deletedNew.push(item);
    // Content relayed inside an order that is deleted (a relayed retention sweep) is deleted on arrival.
    if (this.mode === 'catch_up' && container.removed) return;

    switch (container.kind) {
      case 'crews':
      case 'stations':
        return this.checkRosterInsert(container.kind, key, content, deleted);
      case 'orders': {
        if (key === null) refuse('the orders map takes only keyed entries');
        if (
          !(content instanceof Y.ContentDeleted) &&
          !(content instanceof Y.ContentType && content.type instanceof Y.Map)
        ) {
          refuse(`an order must be a Y.Map, got ${contentName(content)}`);
        }
        if (this.rootHas(key) || this.newOrders.has(key) || this.newKeys.has(`orders|${key}`)) {
          refuse(`order ${key} already exists: writing it again would replace it`);
        }
        this.newKeys.add(`orders|${key}`);
        if (content instanceof Y.ContentType && !deleted) this.newOrders.set(key, item);
        return;
      }
      case 'order': {
        const orderId = container.orderId!;
        if (!isChildKey(key)) refuse(`order ${orderId} has no part ${JSON.stringify(key)}`);
        if (
          !(content instanceof Y.ContentDeleted) &&
          !(content instanceof Y.ContentType && content.type instanceof CHILD_TYPES[key])
        ) {
          refuse(`order ${orderId} ${key} must be a ${CHILD_TYPES[key].name}, got ${contentName(content)}`);
        }
        const slot = `${orderId}|${key}`;
        const existing = container.item?.content instanceof Y.ContentType && container.item.content.type._map.has(key);
        if ((!container.orderNew && existing) || this.newKeys.has(slot))
          refuse(`order ${orderId} already has its ${key}`);
        this.newKeys.add(slot);
        const parts = this.orderParts.get(orderId) ?? new Set<string>();
        parts.add(key);
        this.orderParts.set(orderId, parts);
        return;
      }
      case 'draft': {
        const orderId = container.orderId!;
        if (!isDraftField(key)) refuse(`order ${orderId} draft has no field ${JSON.stringify(key)}`);
        if (content instanceof Y.ContentDeleted) return; // judged with the deletions
        if (!(content instanceof Y.ContentAny) || content.arr.length !== 1) {
          refuse(`order ${orderId} draft ${key} must be one plain value, got ${contentName(content)}`);
        }
        const r = OrderDraftSchema.shape[key].safeParse(content.arr[0]);
        if (!r.success) refuse(`order ${orderId} draft ${key} is invalid: ${zodReason(r.error)}`);
        if (key === 'region' && (r.data as { city: string }).city !== this.city) {
          refuse(`order ${orderId} is for ${(r.data as { city: string }).city}, not ${this.city}`);
        }
        if (key === 'type' && !deleted && container.orderNew) this.typeOfNewOrders.set(orderId, r.data as OrderType);
        if (!container.orderNew) {
          // An order never becomes, or stops being, a mass outage; only an outage carries its declaration.
          const current = this.existingType(orderId);
          if (key === 'type' && (r.data === 'outage') !== (current === 'outage'))
            refuse(`order ${orderId}: the type of an order cannot change to or from outage`);
          if (key === 'outage' && current !== 'outage')
            refuse(`order ${orderId} is not an outage: it carries no outage declaration`);
        }
        if (!deleted) {
          this.replacements.add(`${this.containerKey(container)}|${key}`);
          if (container.orderNew) {
            const fields = this.draftFieldsOfNewOrders.get(orderId) ?? new Set<string>();
            fields.add(key);
            this.draftFieldsOfNewOrders.set(orderId, fields);
          }
        }
        return;
      }
      case 'events':
      case 'comments': {
        const orderId = container.orderId!;
        const what = container.kind === 'events' ? 'event' : 'comment';
        if (key !== null)
          refuse(`order ${orderId} ${container.kind} is a list: keyed entry ${JSON.stringify(key)} refused`);
        if (content instanceof Y.ContentDeleted) return; // judged with the deletions
        if (!(content instanceof Y.ContentAny))
          refuse(`order ${orderId} ${container.kind} hold plain values, got ${contentName(content)}`);
        content.arr.forEach((value, i) => {
          if (i < offset) return;
          if (what === 'comment') {
            const r = CommentSchema.safeParse(value);
            if (!r.success) refuse(`a comment on order ${orderId} is invalid: ${zodReason(r.error)}`);
            this.checkAuthor(r.data.by, `comment ${r.data.id} on order ${orderId}`);
            return;
          }
          const r = OrderEventSchema.safeParse(value);
          if (!r.success) refuse(`an event of order ${orderId} is invalid: ${zodReason(r.error)}`);
          const atStart = item.origin === null && i === 0;
          if (atStart && r.data.action !== 'create')
            refuse(`event ${r.data.id} would go before the create event of order ${orderId}`);
          this.newEvents.push({ orderId, event: r.data, raw: value as OrderEvent, atStart });
        });
        return;
      }
    }
  }

  private rootHas(key: string): boolean {
    return this.doc.share.get(ORDERS_ROOT)?._map.has(key) ?? false;
  }

  private containerKey(c: Container): string {
    return c.item ? `${c.item.id.client}:${c.item.id.clock}` : 'root';
  }

  private checkAuthor(by: { userId: string; role: string; stationId?: string }, what: string): void {
    if (this.mode !== 'live') return;
    const p = this.p;
    if (by.userId !== p.userId || by.role !== p.role) {
      refuse(`${what} claims to be by ${by.role} ${by.userId}, but the connection is ${p.role} ${p.userId}`);
    }
    if (p.role === 'dispatcher' && by.stationId !== p.stationId) {
      refuse(
        `${what} claims station ${by.stationId ?? '(none)'}, but the connection is station ${p.stationId ?? '(none)'}`,
      );
    }
  }

  private checkNewOrders(): void {
    const creates = new Map<string, NewEvent[]>();
    for (const e of this.newEvents) {
      if (e.event.action !== 'create') continue;
      if (!this.newOrders.has(e.orderId) || !e.atStart) {
        refuse(`create event ${e.event.id} may only open a new order, not be added to order ${e.orderId}`);
      }
      creates.set(e.orderId, [...(creates.get(e.orderId) ?? []), e]);
    }
    for (const orderId of this.newOrders.keys()) {
      const parts = this.orderParts.get(orderId) ?? new Set();
      for (const part of [DRAFT_KEY, EVENTS_KEY, COMMENTS_KEY]) {
        if (!parts.has(part)) refuse(`new order ${orderId} comes without its ${part}`);
      }
      const fields = this.draftFieldsOfNewOrders.get(orderId) ?? new Set();
      const missing = DRAFT_FIELDS.filter(
        (f) => !OrderDraftSchema.shape[f].safeParse(undefined).success && !fields.has(f),
      );
      if (missing.length > 0) refuse(`new order ${orderId} lacks draft fields ${missing.join(', ')}`);
      if ((this.typeOfNewOrders.get(orderId) === 'outage') !== fields.has('outage'))
        refuse(`new order ${orderId}: an outage order, and only one, carries its outage declaration`);
      if ((creates.get(orderId)?.length ?? 0) !== 1)
        refuse(`new order ${orderId} must start with exactly one create event`);
    }
  }

  private readonly stations = new Map<string, Set<string>>();

  /** The type of an order already in the document (undefined for one this update creates or an unknown one). */
  private existingType(orderId: string): OrderType | undefined {
    const entry = this.doc.share.get(ORDERS_ROOT)?._map.get(orderId);
    if (!entry || entry.deleted || !(entry.content instanceof Y.ContentType)) return undefined;
    const draft = (entry.content.type as Y.Map<unknown>).get(DRAFT_KEY);
    const type = draft instanceof Y.Map ? draft.get('type') : undefined;
    return typeof type === 'string' ? (type as OrderType) : undefined;
  }

  /** Stations the order has been dispatched to at any time (in the document, including superseded, or this update). */
  private stationsOf(orderId: string): Set<string> {
    let set = this.stations.get(orderId);
    if (set) return set;
    set = new Set();
    const entry = this.doc.share.get(ORDERS_ROOT)?._map.get(orderId);
    if (entry && entry.content instanceof Y.ContentType) {
      const events = (entry.content.type as Y.Map<unknown>).get(EVENTS_KEY);
      if (events instanceof Y.Array) {
        for (const e of events.toArray() as Partial<OrderEvent>[]) {
          if (e?.action === 'dispatch' && typeof e.stationId === 'string') set.add(e.stationId);
          // A station's outage is its own from its declaration.
          if (e?.action === 'create' && typeof e.by?.stationId === 'string' && this.existingType(orderId) === 'outage')
            set.add(e.by.stationId);
        }
      }
    }
    for (const e of this.newEvents) {
      if (e.orderId === orderId && e.event.action === 'dispatch' && e.event.stationId) set.add(e.event.stationId);
    }
    this.stations.set(orderId, set);
    return set;
  }

  /** Ids of the order's events in the document, and of the crew events this update brought so far. */
  private readonly eventIds = new Map<string, Set<string>>();

  /**
   * A crew's event, and any event carrying evidence (only a centre records evidence, from a crew's phone: a station's
   * own arrive may not bring made-up proof), must carry the seal of the centre that recorded it (opts.verifyCrewEvent),
   * over exactly this order and event, and must not be on the order already (a sealed event is recorded once: a copy
   * would count it twice).
   */
  private checkCrewSeal({ orderId, event, raw }: NewEvent): void {
    const verify = this.opts.verifyCrewEvent;
    if (!verify || (event.by.role !== 'crew' && raw.evidence === undefined)) return;
    const what = `${event.by.role === 'crew' ? 'crew' : event.by.role} ${event.by.userId}'s ${event.action} event ${event.id} on order ${orderId}`;
    if (raw.evidence?.sig === undefined) {
      refuse(
        `${what} carries no centre seal (evidence.sig): a crew's steps are recorded by a centre, not by a console`,
      );
    }
    if (!verify(orderId, raw)) {
      refuse(
        `${what} has a centre seal that does not match it: changed after the centre recorded it, or never recorded by one`,
      );
    }
    let ids = this.eventIds.get(orderId);
    if (!ids) {
      ids = new Set();
      const entry = this.doc.share.get(ORDERS_ROOT)?._map.get(orderId);
      const events =
        entry?.content instanceof Y.ContentType ? (entry.content.type as Y.Map<unknown>).get(EVENTS_KEY) : null;
      if (events instanceof Y.Array)
        for (const e of events.toArray() as Partial<OrderEvent>[]) if (typeof e?.id === 'string') ids.add(e.id);
      this.eventIds.set(orderId, ids);
    }
    if (ids.has(event.id)) refuse(`${what} is on the order already: a crew's step is recorded once`);
    ids.add(event.id);
  }

  private checkAuthority({ orderId, event }: NewEvent): void {
    const { by, action } = event;
    const what = `${action} event ${event.id} on order ${orderId}`;
    if (action === 'create') {
      const type = this.typeOfNewOrders.get(orderId) ?? 'repair';
      if (!createRolesFor(type).includes(by.role)) refuse(`${what}: role ${by.role} may not create ${type} orders`);
      if (by.role === 'dispatcher' && !by.stationId) refuse(`${what}: a dispatcher's event must name its station`);
    } else {
      const rule = RULES[action];
      if (!rule.roles.includes(by.role)) refuse(`${what}: role ${by.role} may not ${action}`);
      if (by.role === 'dispatcher' && !by.stationId) refuse(`${what}: a dispatcher's event must name its station`);
      const type = this.typeOfNewOrders.get(orderId) ?? this.existingType(orderId);
      if (
        stationBound(rule, { draft: { type: type ?? 'repair' } }) &&
        by.role === 'dispatcher' &&
        !this.stationsOf(orderId).has(by.stationId!)
      ) {
        refuse(`${what}: the order was never dispatched to station ${by.stationId}`);
      }
    }
    this.checkAuthor(by, what);
  }

  // ---- deletions ----------------------------------------------------------------------------------------------------

  private checkDeletions(): void {
    for (const [client, ranges] of this.ds.clients) {
      for (const { clock, len } of ranges) {
        for (let c = clock; c < clock + len;) {
          const found = this.lookup(Y.createID(client, c));
          if (!found) refuse(`deletes ${client}:${c}, which neither this centre nor the update has`);
          if (found.s instanceof Y.Item) this.checkDeletion(found.s, found.inDoc);
          c = found.s.id.clock + found.s.length;
        }
      }
    }
    for (const item of this.deletedNew) this.checkDeletion(item, false);
  }

  private checkDeletion(item: Y.Item, inDoc: boolean): void {
    if (inDoc && item.deleted) return; // already deleted here: nothing happens
    const pos = this.positionOf(item, inDoc);
    if (pos.gone) return;
    const { container, key } = pos;
    if (isRoster(container.kind)) return this.checkRosterDeletion(container.kind, key!, item, inDoc);
    if (
      container.kind === 'draft' &&
      isDraftField(key) &&
      this.replacements.has(`${this.containerKey(container)}|${key}`)
    ) {
      return; // a draft value overwritten by a new value in this update (map last-writer-wins)
    }
    if (
      container.kind === 'draft' &&
      isDraftField(key) &&
      key !== 'outage' &&
      OrderDraftSchema.shape[key].safeParse(undefined).success
    ) {
      return; // an optional field cleared (the caller's name, the customer account): the draft is still complete
    }
    const orderId = container.kind === 'orders' ? key : container.orderId;
    const orderItem = container.kind === 'orders' ? item : container.orderItem;
    if (
      this.mode === 'catch_up' &&
      orderId &&
      orderItem &&
      this.relayedSweep(orderId, orderItem, container.kind === 'orders' ? !inDoc : container.orderNew)
    ) {
      return;
    }
    const what =
      container.kind === 'orders'
        ? `order ${key}`
        : container.kind === 'order'
          ? `the ${key} of order ${orderId}`
          : container.kind === 'draft'
            ? `required draft field ${key} of order ${orderId} without a new value`
            : `${container.kind === 'events' ? 'an event' : 'a comment'} of order ${orderId}`;
    refuse(
      `deletes ${what}: clients may only overwrite draft fields; orders leave the board by the centre's retention sweep`,
    );
  }

  // ---- crews and station settings -------------------------------------------------------------------------------

  /**
   * A crew or a station's settings: one plain value under its own id, for a station of this document's city. Live,
   * the value names the connected user and that user may change the station (rosterRefusal). Relayed (catch_up),
   * another person's value is let through like another person's event; the client's own is held to the same rule.
   */
  private checkRosterInsert(kind: RosterKind, key: string | null, content: Y.Item['content'], deleted: boolean): void {
    const { schema, what } = ROSTER[kind];
    if (key === null) refuse(`the ${kind} map takes only keyed entries`);
    if (content instanceof Y.ContentDeleted) return; // judged with the deletions
    if (!(content instanceof Y.ContentAny) || content.arr.length !== 1) {
      refuse(`${what} ${key} must be one plain value, got ${contentName(content)}`);
    }
    const r = schema.safeParse(content.arr[0]);
    if (!r.success) refuse(`${what} ${key} is invalid: ${zodReason(r.error)}`);
    const value = r.data;
    const id = 'id' in value ? value.id : value.stationId;
    if (id !== key) refuse(`${what} ${id} is stored under another key, ${key}`);
    if (!value.stationId.startsWith(`st-${this.city}-`)) {
      refuse(`${what} ${key} is for station ${value.stationId}, not a station of ${this.city}`);
    }
    const p = this.p;
    if (this.mode === 'live' && value.updatedBy !== p.userId) {
      refuse(`${what} ${key} claims to be by ${value.updatedBy}, but the connection is ${p.role} ${p.userId}`);
    }
    if (this.mode === 'live' || value.updatedBy === p.userId) {
      const why = rosterRefusal(p, value.stationId);
      if (why) refuse(`${what} ${key}: ${why}`);
      // Writing over the current value replaces it: moving a crew away from a station is a change of that station.
      const current = this.rosterStation(kind, key);
      if (!deleted && current && current !== value.stationId) {
        const whyCurrent = rosterRefusal(p, current);
        if (whyCurrent) refuse(`${what} ${key} belongs to ${current}: ${whyCurrent}`);
      }
    }
  }

  /**
   * Deleting a crew or a station's settings, or a value overwritten by a new one (last writer wins): in live mode for
   * the same people who may write it. Relayed deletions (catch_up) are let through, like relayed events: the deleter
   * is not recorded in the document.
   */
  private checkRosterDeletion(kind: RosterKind, key: string, item: Y.Item, inDoc: boolean): void {
    if (this.mode !== 'live') return;
    const { what } = ROSTER[kind];
    let station: string | undefined;
    if (inDoc) station = stationOfValue(item.content) ?? (kind === 'stations' ? key : undefined);
    else if (item.content instanceof Y.ContentAny)
      return; // a value of this very update, checked when inserted
    else station = this.rosterStation(kind, key); // a tombstone that lands on the current value would remove it
    if (!inDoc && station === undefined) return; // nothing there to remove
    const why = rosterRefusal(this.p, station ?? `(unknown station of ${what} ${key})`);
    if (why) refuse(`deletes ${what} ${key}: ${why}`);
  }

  /** The station of the value now under `key` in the document's `kind` map, if any. */
  private rosterStation(kind: RosterKind, key: string): string | undefined {
    const item = this.doc.share.get(kind === 'crews' ? CREWS_ROOT : STATIONS_ROOT)?._map.get(key);
    return item && !item.deleted ? stationOfValue(item.content) : undefined;
  }

  /**
   * A client relaying (catch_up) the twin centre's retention sweep: the whole order entry is deleted by this update,
   * and the order is either archived here or new in this update (created and swept while this centre was away).
   */
  private relayedSweep(orderId: string, orderItem: Y.Item, orderNew: boolean): boolean {
    if (!this.isDeleted(orderItem, !orderNew)) return false;
    if (orderNew) return true;
    if (!(orderItem.content instanceof Y.ContentType)) return false;
    return readOrderMap(orderId, orderItem.content.type as Y.Map<unknown>)?.order.state === 'archived';
  }
}

function stationOfValue(content: Y.Item['content']): string | undefined {
  const v: unknown = content instanceof Y.ContentAny ? content.arr[0] : undefined;
  const station = typeof v === 'object' && v !== null ? (v as { stationId?: unknown }).stationId : undefined;
  return typeof station === 'string' ? station : undefined;
}
