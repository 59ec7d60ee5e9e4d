// Derived board data. Per-order facts (search text, SLA key) are cached per entry object in WeakMaps, so a change to
// a few orders costs a few recomputations; the list selectors are memoised on exactly what they read.
import { createSelector } from '@reduxjs/toolkit';
import type { Role } from '@twinline/workorder';
import { peekSlaKey } from './sla';
import type { BoardState } from './boardSlice';
import type { BoardFilters, OrderEntry, SortKey } from './types';

/** Who is looking at the board (the signed-in account). */
export interface Viewer {
  userId: string;
  role: Role;
  stationId?: string;
  city?: string;
}

export interface BoardSliceRoot {
  board: BoardState;
  session: { account: Viewer | null };
}

export const DAY_MS = 24 * 3600_000;

interface RowFacts {
  createdMs: number;
  /** Lower-cased id, address, caller number and name, account and description, for search. */
  text: string;
}

const facts = new WeakMap<OrderEntry, RowFacts>();

export function rowFacts(e: OrderEntry): RowFacts {
  let f = facts.get(e);
  if (!f) {
    const d = e.order.draft;
    f = {
      createdMs: Date.parse(e.order.createdAt),
      text: [e.order.id, d.address, d.callerNumber, d.callerName ?? '', d.customerAccount ?? '', d.description]
        .join('\u0001')
        .toLowerCase(),
    };
    facts.set(e, f);
  }
  return f;
}

/** Whether the role sees the order on its board (the documents themselves are already limited by docsFor). */
export function visibleToRole(e: OrderEntry, viewer: Viewer, now: number): boolean {
  switch (viewer.role) {
    case 'agent':
      return e.order.createdBy.userId === viewer.userId || now - rowFacts(e).createdMs < DAY_MS;
    case 'dispatcher':
      return viewer.stationId !== undefined && e.order.stationId === viewer.stationId;
    case 'team_lead':
    case 'admin':
      return true;
    default:
      return false;
  }
}

export function matchesFilters(e: OrderEntry, f: BoardFilters, now: number): boolean {
  const o = e.order;
  if (f.type && o.draft.type !== f.type) return false;
  if (f.state && o.state !== f.state) return false;
  if (f.city && o.draft.region.city !== f.city) return false;
  if (f.station && o.stationId !== f.station) return false;
  if (f.overdueOnly) {
    const key = peekSlaKey(o);
    if (!key || key.nextDueMs === null || key.nextDueMs > now) return false;
  }
  return true;
}

/** Search terms separated by spaces must all occur (in id, address, caller number/name, account, description). */
export function matchesSearch(e: OrderEntry, terms: readonly string[]): boolean {
  if (terms.length === 0) return true;
  const text = rowFacts(e).text;
  return terms.every((t) => text.includes(t));
}

export function searchTerms(search: string): string[] {
  return search.trim().toLowerCase().split(/\s+/).filter(Boolean);
}

/**
 * SLA sort: the earliest open deadline first; orders that owe nothing now after those; orders whose key is not
 * computed yet (the background warm-up) last. Ties and the `created` sort: newest first.
 */
export function sortEntries(list: OrderEntry[], sort: SortKey): OrderEntry[] {
  const created = (e: OrderEntry) => rowFacts(e).createdMs;
  if (sort === 'created') return list.sort((a, b) => created(b) - created(a) || cmpId(a, b));
  const rank = (e: OrderEntry): [number, number] => {
    const k = peekSlaKey(e.order);
    if (!k) return [2, 0];
    if (k.nextDueMs === null) return [1, 0];
    return [0, k.nextDueMs];
  };
  const keyed = list.map((e) => ({ e, r: rank(e), c: created(e) }));
  keyed.sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1] || b.c - a.c || cmpId(a.e, b.e));
  return keyed.map((k) => k.e);
}

const cmpId = (a: OrderEntry, b: OrderEntry) => (a.order.id < b.order.id ? -1 : a.order.id > b.order.id ? 1 : 0);

export const selectEntries = (s: BoardSliceRoot) => s.board.entries;
export const selectViewer = (s: BoardSliceRoot) => s.session.account;
export const selectFilters = (s: BoardSliceRoot) => s.board.filters;
export const selectSearch = (s: BoardSliceRoot) => s.board.search;
export const selectSort = (s: BoardSliceRoot) => s.board.sort;

/** The clock as the role filter needs it: agents only (the last 24 h), to the minute. */
const selectRoleClock = (s: BoardSliceRoot) =>
  s.session.account?.role === 'agent' ? Math.floor(s.board.clock / 60_000) * 60_000 : 0;
/** The clock for the overdue filter, only while it is on. */
const selectFilterClock = (s: BoardSliceRoot) => (s.board.filters.overdueOnly ? s.board.clock : 0);
/** The SLA warm-up only matters to the SLA sort and the overdue filter. */
const selectSlaVersion = (s: BoardSliceRoot) =>
  s.board.sort === 'sla' || s.board.filters.overdueOnly ? s.board.slaVersion : 0;

export const selectRoleOrders = createSelector(
  [selectEntries, selectViewer, selectRoleClock],
  (entries, viewer, clock): OrderEntry[] => {
    if (!viewer) return [];
    const now = clock || Date.now();
    const out: OrderEntry[] = [];
    for (const id in entries) {
      const e = entries[id]!;
      if (visibleToRole(e, viewer, now)) out.push(e);
    }
    return out;
  },
);

export const selectVisibleOrders = createSelector(
  [selectRoleOrders, selectFilters, selectSearch, selectSort, selectFilterClock, selectSlaVersion],
  (orders, filters, search, sort, filterClock): OrderEntry[] => {
    const terms = searchTerms(search);
    const now = filterClock || Date.now();
    const list = orders.filter((e) => matchesFilters(e, filters, now) && matchesSearch(e, terms));
    return sortEntries(list, sort);
  },
);

export const selectVisibleIds = createSelector([selectVisibleOrders], (list) => list.map((e) => e.order.id));

export const selectOpenEntry = (s: BoardSliceRoot): OrderEntry | undefined =>
  s.board.openId ? s.board.entries[s.board.openId] : undefined;

export const selectEntry = (s: BoardSliceRoot, id: string): OrderEntry | undefined => s.board.entries[id];
