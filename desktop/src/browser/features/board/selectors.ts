// Derived board data. The orders live in an OrderIndex (kept sorted incrementally); per-order facts (search text,
// SLA key) are cached per entry object in WeakMaps, so a change to a few orders costs a few recomputations; the list
// selectors are memoised on exactly what they read, the index through `board.ordersVersion`.
import { createSelector } from '@reduxjs/toolkit';
import type { Role } from '@twinline/workorder';
import { peekSlaKey } from './sla';
import type { BoardState } from './boardSlice';
import { entryCreatedMs } from './orderIndex';
import type { OrderIndex } from './orderIndex';
import type { BoardFilters, OrderEntry } from './types';

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
  /** Lower-cased id, address, caller number and name, account and description, for search. */
  text: string;
}

const facts = new WeakMap<OrderEntry, RowFacts>();

export function rowFacts(e: OrderEntry): RowFacts {
  let f = facts.get(e);
  if (!f) {
    const d = e.order.draft;
    f = {
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
      return e.order.createdBy.userId === viewer.userId || now - entryCreatedMs(e) < DAY_MS;
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

export const selectViewer = (s: BoardSliceRoot) => s.session.account;
export const selectFilters = (s: BoardSliceRoot) => s.board.filters;
export const selectSearch = (s: BoardSliceRoot) => s.board.search;
export const selectSort = (s: BoardSliceRoot) => s.board.sort;
const selectOrdersVersion = (s: BoardSliceRoot) => s.board.ordersVersion;

/** The clock as the role filter needs it: agents only (the last 24 h), to the minute. */
const selectRoleClock = (s: BoardSliceRoot) =>
  s.session.account?.role === 'agent' ? Math.floor(s.board.clock / 60_000) * 60_000 : 0;
/** The clock for the overdue filter, only while it is on. */
const selectFilterClock = (s: BoardSliceRoot) => (s.board.filters.overdueOnly ? s.board.clock : 0);
/** The SLA warm-up only matters to the SLA sort and the overdue filter. */
const selectSlaVersion = (s: BoardSliceRoot) =>
  s.board.sort === 'sla' || s.board.filters.overdueOnly ? s.board.slaVersion : 0;

export type BoardSelectors = ReturnType<typeof createBoardSelectors>;

/** The board's selectors over `index` (one set per console, made by the Runtime). */
export function createBoardSelectors(index: OrderIndex) {
  /** How many orders this role sees, before filters and search. */
  const selectRoleCount = createSelector(
    [selectOrdersVersion, selectViewer, selectRoleClock],
    (_version, viewer, clock): number => {
      if (!viewer) return 0;
      if (viewer.role === 'team_lead' || viewer.role === 'admin') return index.size;
      const now = clock || Date.now();
      let n = 0;
      for (const e of index.values()) if (visibleToRole(e, viewer, now)) n++;
      return n;
    },
  );

  const selectVisibleOrders = createSelector(
    [
      selectOrdersVersion,
      selectViewer,
      selectRoleClock,
      selectFilters,
      selectSearch,
      selectSort,
      selectFilterClock,
      selectSlaVersion,
    ],
    (_version, viewer, roleClock, filters, search, sort, filterClock): OrderEntry[] => {
      if (!viewer) return [];
      const terms = searchTerms(search);
      const roleNow = roleClock || Date.now();
      const now = filterClock || Date.now();
      const out: OrderEntry[] = [];
      for (const e of index.sorted(sort)) {
        if (visibleToRole(e, viewer, roleNow) && matchesFilters(e, filters, now) && matchesSearch(e, terms))
          out.push(e);
      }
      return out;
    },
  );

  const selectVisibleIds = createSelector([selectVisibleOrders], (list) => list.map((e) => e.order.id));

  return { selectRoleCount, selectVisibleOrders, selectVisibleIds };
}
