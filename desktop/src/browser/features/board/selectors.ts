// Derived board data. The rows live in an OrderIndex (kept sorted incrementally); per-row facts (search text, next
// deadline) are cached per row object in WeakMaps, so a change to a few orders costs a few recomputations; the list
// selectors are memoised on exactly what they read, the index through `board.ordersVersion`.
import { createSelector } from '@reduxjs/toolkit';
import type { Role } from '@twinline/workorder';
import { rowNextDue } from './sla';
import { ROLE_LANES, inLane, laneCounts } from './lanes';
import type { Lane } from './lanes';
import type { BoardState } from './boardSlice';
import type { OrderIndex } from './orderIndex';
import type { BoardFilters, BoardRow } from './types';

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

const searchText = new WeakMap<BoardRow, string>();

/** Lower-cased id, address, caller number and name, account and description, for search (cached per row). */
export function rowSearchText(r: BoardRow): string {
  let text = searchText.get(r);
  if (text === undefined) {
    text = [r.id, r.address, r.callerNumber, r.callerName ?? '', r.customerAccount ?? '', r.description]
      .join('\u0001')
      .toLowerCase();
    searchText.set(r, text);
  }
  return text;
}

/** Whether the role sees the order on its board (the documents themselves are already limited by docsFor). */
export function visibleToRole(r: BoardRow, viewer: Viewer, now: number): boolean {
  switch (viewer.role) {
    case 'agent':
      return r.createdBy === viewer.userId || now - r.createdAt < DAY_MS;
    case 'dispatcher':
      return viewer.stationId !== undefined && r.stationId === viewer.stationId;
    case 'team_lead':
    case 'admin':
      return true;
    default:
      return false;
  }
}

export function matchesFilters(r: BoardRow, f: BoardFilters, now: number): boolean {
  if (f.type && r.type !== f.type) return false;
  if (f.state && r.state !== f.state) return false;
  if (f.city && r.city !== f.city) return false;
  if (f.station && r.stationId !== f.station) return false;
  if (f.lane && !inLane(r, f.lane)) return false;
  if (f.overdueOnly) {
    const due = rowNextDue(r);
    if (due === null || due > now) return false;
  }
  return true;
}

/** Search terms separated by spaces must all occur (in id, address, caller number/name, account, description). */
export function matchesSearch(r: BoardRow, terms: readonly string[]): boolean {
  if (terms.length === 0) return true;
  const text = rowSearchText(r);
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

  /** How many of the orders this role sees are in each lane of its inbox (before filters and search). */
  const selectLaneCounts = createSelector(
    [selectOrdersVersion, selectViewer, selectRoleClock],
    (_version, viewer, clock): Partial<Record<Lane, number>> => {
      const lanes = viewer ? ROLE_LANES[viewer.role] : undefined;
      if (!viewer || !lanes) return {};
      const now = clock || Date.now();
      const seen = function* () {
        for (const e of index.values()) if (visibleToRole(e, viewer, now)) yield e;
      };
      const all = laneCounts(seen(), lanes);
      return Object.fromEntries(lanes.map((l) => [l, all[l]]));
    },
  );

  const selectVisibleOrders = createSelector(
    [selectOrdersVersion, selectViewer, selectRoleClock, selectFilters, selectSearch, selectSort, selectFilterClock],
    (_version, viewer, roleClock, filters, search, sort, filterClock): BoardRow[] => {
      if (!viewer) return [];
      const terms = searchTerms(search);
      const roleNow = roleClock || Date.now();
      const now = filterClock || Date.now();
      const out: BoardRow[] = [];
      for (const e of index.sorted(sort)) {
        if (visibleToRole(e, viewer, roleNow) && matchesFilters(e, filters, now) && matchesSearch(e, terms))
          out.push(e);
      }
      return out;
    },
  );

  const selectVisibleIds = createSelector([selectVisibleOrders], (list) => list.map((r) => r.id));

  return { selectRoleCount, selectLaneCounts, selectVisibleOrders, selectVisibleIds };
}
