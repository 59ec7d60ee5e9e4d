// The typed layer over a region document. Nothing outside this file (and the guard, which reads updates) touches raw
// Y types. Layout of a region document:
//
//   orders: Y.Map                      root
//     <orderId>: Y.Map
//       draft:    Y.Map               one key per OrderDraft field (last writer wins per field; `region` is one value)
//       events:   Y.Array<OrderEvent> append-only; the order's state is folded from it, never stored
//       comments: Y.Array<Comment>    append-only
import * as Y from 'yjs';
import {
  ActorSchema,
  CommentSchema,
  createRolesFor,
  draftProblem,
  OrderDraftSchema,
  OrderEventSchema,
  WorkOrderError,
  applyEvent,
  foldEvents,
  refusal,
} from '@twinline/workorder';
import type { Actor, Comment, OrderDraft, OrderEvent, WorkOrder, WorkOrderErrorCode } from '@twinline/workorder';
import { z } from 'zod';
import { newCommentId, newEventId, newOrderId } from './ids';

export const ORDERS_ROOT = 'orders';
export const DRAFT_KEY = 'draft';
export const EVENTS_KEY = 'events';
export const COMMENTS_KEY = 'comments';
/** The keys an order map holds, and the Y type each must be. */
export const ORDER_KEYS = { [DRAFT_KEY]: 'map', [EVENTS_KEY]: 'array', [COMMENTS_KEY]: 'array' } as const;
export type DraftField = keyof OrderDraft;
export const DRAFT_FIELDS = Object.keys(OrderDraftSchema.shape) as DraftField[];

/** An event fields a user supplies; the board adds `id`, `at` and `by`. */
export type ActInput = Omit<OrderEvent, 'id' | 'at' | 'by'>;

/** An event that could not take effect where it stands in the converged list (a lost race); shown in the timeline. */
export interface SupersededEvent {
  event: OrderEvent;
  code: WorkOrderErrorCode;
  reason: string;
}

/** One order as the console shows it: the folded state, what lost a race, and the comments. Plain data. */
export interface BoardOrder {
  order: WorkOrder;
  superseded: SupersededEvent[];
  comments: Comment[];
}

/** An order as plain data, for demo seeding and for restoring from the archive. */
export interface OrderRecord {
  id: string;
  draft: OrderDraft;
  events: OrderEvent[];
  comments: Comment[];
}

const OrderIdSchema = z.string().min(1).max(64);

export function ordersRoot(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(ORDERS_ROOT);
}

function orderMap(doc: Y.Doc, id: string): Y.Map<unknown> | undefined {
  const m = ordersRoot(doc).get(id);
  return m instanceof Y.Map ? m : undefined;
}

function requireOrder(doc: Y.Doc, id: string): { map: Y.Map<unknown>; current: BoardOrder } {
  const map = orderMap(doc, id);
  const current = map && readOrderMap(id, map);
  if (!map || !current) throw new WorkOrderError('invalid_payload', `no order ${id} on this board`);
  return { map, current };
}

function childMap(map: Y.Map<unknown>, key: string): Y.Map<unknown> | undefined {
  const v = map.get(key);
  return v instanceof Y.Map ? (v as Y.Map<unknown>) : undefined;
}

function childArray(map: Y.Map<unknown>, key: string): Y.Array<unknown> | undefined {
  const v = map.get(key);
  return v instanceof Y.Array ? (v as Y.Array<unknown>) : undefined;
}

/** Drops keys whose value is undefined so every replica stores (and every reader sees) exactly the same object. */
function clean<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function newOrderMap(draft: OrderDraft, events: OrderEvent[], comments: Comment[]): Y.Map<unknown> {
  const m = new Y.Map<unknown>();
  const d = new Y.Map<unknown>();
  for (const [k, v] of Object.entries(clean(draft))) d.set(k, v);
  const e = new Y.Array<unknown>();
  e.push(events.map(clean));
  const c = new Y.Array<unknown>();
  c.push(comments.map(clean));
  m.set(DRAFT_KEY, d);
  m.set(EVENTS_KEY, e);
  m.set(COMMENTS_KEY, c);
  return m;
}

/**
 * Opens an order (受理): validates the draft and the actor, checks the actor's role may create, writes the order with
 * its `create` event in one transaction and returns its id.
 */
export function createOrder(
  doc: Y.Doc,
  draft: OrderDraft,
  actor: Actor,
  opts: { id?: string; now?: Date } = {},
): string {
  const by = ActorSchema.parse(actor);
  const valid = OrderDraftSchema.parse(draft);
  if (!createRolesFor(valid.type).includes(by.role)) {
    throw new WorkOrderError('forbidden', `role ${by.role} may not create ${valid.type} orders`, {
      action: 'create',
      role: by.role,
    });
  }
  const problem = draftProblem(valid);
  if (problem) throw new WorkOrderError('invalid_payload', problem, { action: 'create' });
  const now = opts.now ?? new Date();
  const id = OrderIdSchema.parse(opts.id ?? newOrderId(by.centre, now));
  if (ordersRoot(doc).has(id)) throw new WorkOrderError('invalid_payload', `order ${id} already exists`);
  const event = OrderEventSchema.parse({ id: newEventId(), action: 'create', by, at: now.toISOString() });
  doc.transact(() => ordersRoot(doc).set(id, newOrderMap(valid, [event], [])));
  return id;
}

/**
 * Takes one step on an order. The step is checked against the order as this replica folds it now: a refused step
 * throws its WorkOrderError (never a silent no-op). Returns the event appended. `seal`, when given, returns the event
 * as it is to be written, sealed once its id is known (the centre signs a crew's step: sync-server/src/crews/sign.ts).
 */
export function act(
  doc: Y.Doc,
  id: string,
  input: ActInput,
  actor: Actor,
  now: Date = new Date(),
  seal?: (event: OrderEvent) => OrderEvent,
): OrderEvent {
  const by = ActorSchema.parse(actor);
  const { map, current } = requireOrder(doc, id);
  const made = clean(OrderEventSchema.parse({ ...input, id: newEventId(), by, at: now.toISOString() }));
  const event = seal ? clean(OrderEventSchema.parse(seal(made))) : made;
  const refused = refusal(current.order, event.action, by);
  if (refused) throw refused;
  applyEvent(current.order, event); // payload checks (needs, merge under itself); throws WorkOrderError
  const events = childArray(map, EVENTS_KEY);
  if (!events) throw new WorkOrderError('invalid_payload', `order ${id} has no event list`);
  doc.transact(() => events.push([event]));
  return event;
}

/** Adds a comment. Comments live beside the events, so they never race a transition. */
export function comment(doc: Y.Doc, id: string, text: string, actor: Actor, now: Date = new Date()): Comment {
  const by = ActorSchema.parse(actor);
  const { map } = requireOrder(doc, id);
  const c = clean(CommentSchema.parse({ id: newCommentId(), by, at: now.toISOString(), text }));
  const comments = childArray(map, COMMENTS_KEY);
  if (!comments) throw new WorkOrderError('invalid_payload', `order ${id} has no comment list`);
  doc.transact(() => comments.push([c]));
  return c;
}

/** New values for draft fields; `null` clears an optional field (the caller's name, the customer account). */
export type DraftPatch = { [K in keyof OrderDraft]?: OrderDraft[K] | null };

/**
 * Edits draft fields. Each field is its own map key, so two people editing different fields both keep their change;
 * on the same field the last writer wins. The region's city cannot change (an order lives in its city's document).
 * Returns the fields that actually changed.
 */
export function editDraft(doc: Y.Doc, id: string, patch: DraftPatch, actor: Actor): DraftField[] {
  ActorSchema.parse(actor);
  const { map, current } = requireOrder(doc, id);
  const fields = Object.keys(clean(patch)) as DraftField[];
  const unknown = fields.filter((f) => !DRAFT_FIELDS.includes(f));
  if (unknown.length > 0) throw new WorkOrderError('invalid_payload', `not draft fields: ${unknown.join(', ')}`);
  const merged: Record<string, unknown> = { ...current.order.draft };
  for (const f of fields) {
    if (patch[f] === null) delete merged[f];
    else merged[f] = patch[f];
  }
  const parsed = OrderDraftSchema.safeParse(merged);
  if (!parsed.success) {
    throw new WorkOrderError(
      'invalid_payload',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  const next = parsed.data;
  if (next.region.city !== current.order.draft.region.city) {
    throw new WorkOrderError(
      'invalid_payload',
      `an order cannot move from ${current.order.draft.region.city} to ${next.region.city}`,
    );
  }
  const problem =
    (next.type === 'outage') !== (current.order.draft.type === 'outage')
      ? 'the type of an order cannot change to or from outage'
      : draftProblem(next);
  if (problem) throw new WorkOrderError('invalid_payload', problem);
  const changed = fields.filter((f) => JSON.stringify(next[f]) !== JSON.stringify(current.order.draft[f]));
  const draft = childMap(map, DRAFT_KEY);
  if (!draft) throw new WorkOrderError('invalid_payload', `order ${id} has no draft`);
  if (changed.length > 0) {
    doc.transact(() => changed.forEach((f) => (next[f] === undefined ? draft.delete(f) : draft.set(f, next[f]))));
  }
  return changed;
}

function parseList<T>(schema: z.ZodType<T>, arr: Y.Array<unknown> | undefined): T[] {
  const out: T[] = [];
  for (const v of arr?.toArray() ?? []) {
    const r = schema.safeParse(v);
    if (r.success) out.push(r.data);
  }
  return out;
}

/** Folds one order map. Internal (the guard uses it on the server's document); clients call readOrder. */
export function readOrderMap(id: string, map: Y.Map<unknown>): BoardOrder | undefined {
  const draftMap = childMap(map, DRAFT_KEY);
  const draft = draftMap && OrderDraftSchema.safeParse(draftMap.toJSON());
  if (!draft?.success) return undefined;
  const events = parseList(OrderEventSchema, childArray(map, EVENTS_KEY));
  const comments = parseList(CommentSchema, childArray(map, COMMENTS_KEY));
  try {
    const fold = foldEvents(id, draft.data, events);
    return {
      order: fold.order,
      superseded: fold.superseded.map(({ event, error }) => ({ event, code: error.code, reason: error.message })),
      comments,
    };
  } catch (error) {
    if (error instanceof WorkOrderError) return undefined; // no valid create event: not an order (the guard keeps these out)
    throw error;
  }
}

/** The order folded from its events, or undefined when the board has no (well-formed) order of that id. */
export function readOrder(doc: Y.Doc, id: string): BoardOrder | undefined {
  const map = orderMap(doc, id);
  return map && readOrderMap(id, map);
}

/**
 * Ends a mass outage: `restore` on its master order and on every order merged under it in this document, in one
 * transaction (so no replica ever sees the outage over with its orders still merged). The merged orders go to the
 * callback list. Returns the ids of the orders restored with it.
 */
export function restoreOutage(
  doc: Y.Doc,
  id: string,
  note: string | undefined,
  actor: Actor,
  now = new Date(),
): string[] {
  const master = readOrder(doc, id);
  if (!master) throw new WorkOrderError('invalid_payload', `no order ${id}`);
  if (master.order.draft.type !== 'outage') throw new WorkOrderError('invalid_payload', `order ${id} is not an outage`);
  const children = orderIds(doc).filter((c) => {
    const o = readOrder(doc, c)?.order;
    return o?.state === 'merged' && o.masterId === id;
  });
  doc.transact(() => {
    act(doc, id, { action: 'restore', ...(note ? { note } : {}) }, actor, now);
    for (const c of children) act(doc, c, { action: 'restore', note: `随停电事件 ${id} 恢复送电` }, actor, now);
  });
  return children;
}

/** Ids of every order on the board, sorted. */
export function orderIds(doc: Y.Doc): string[] {
  return [...ordersRoot(doc).keys()].sort();
}

/** Every order on the board, folded, sorted by id: plain data, equal on every replica that holds the same updates. */
export function snapshot(doc: Y.Doc): BoardOrder[] {
  const out: BoardOrder[] = [];
  for (const id of orderIds(doc)) {
    const o = readOrder(doc, id);
    if (o) out.push(o);
  }
  return out;
}

/** The raw contents of one order (unfolded), for archiving. */
export function orderRecord(doc: Y.Doc, id: string): OrderRecord | undefined {
  const map = orderMap(doc, id);
  const draft = map && OrderDraftSchema.safeParse(childMap(map, DRAFT_KEY)?.toJSON());
  if (!map || !draft?.success) return undefined;
  return {
    id,
    draft: draft.data,
    events: parseList(OrderEventSchema, childArray(map, EVENTS_KEY)),
    comments: parseList(CommentSchema, childArray(map, COMMENTS_KEY)),
  };
}

const RecordSchema = z.object({
  id: OrderIdSchema,
  draft: OrderDraftSchema,
  events: z.array(OrderEventSchema).min(1),
  comments: z.array(CommentSchema),
});

/**
 * Writes an order exactly as given (demo data, restore from the archive). The events must fold: the first is a
 * `create` by a role that may create; later illegal events are kept as superseded like any other. Extra properties
 * of the record (e.g. `city`) are ignored.
 */
export function importOrder(doc: Y.Doc, record: OrderRecord): string {
  const r = RecordSchema.parse(record);
  foldEvents(r.id, r.draft, r.events); // throws WorkOrderError when there is no valid create event first
  if (ordersRoot(doc).has(r.id)) throw new WorkOrderError('invalid_payload', `order ${r.id} already exists`);
  doc.transact(() => ordersRoot(doc).set(r.id, newOrderMap(r.draft, r.events, r.comments)));
  return r.id;
}

/**
 * Calls `cb` once per transaction that changed any order, with the ids of the changed orders (sorted) and the
 * transaction's origin. Returns the function that stops observing.
 */
export function observeOrders(doc: Y.Doc, cb: (changedIds: string[], origin: unknown) => void): () => void {
  const orders = ordersRoot(doc);
  const handler = (events: Y.YEvent<Y.AbstractType<unknown>>[], tr: Y.Transaction) => {
    const ids = new Set<string>();
    for (const e of events) {
      if (e.target === orders) for (const k of e.changes.keys.keys()) ids.add(k);
      else if (typeof e.path[0] === 'string') ids.add(e.path[0]);
    }
    if (ids.size > 0) cb([...ids].sort(), tr.origin);
  };
  orders.observeDeep(handler);
  return () => orders.unobserveDeep(handler);
}
