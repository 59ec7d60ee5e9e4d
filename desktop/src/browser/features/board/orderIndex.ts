// The board's rows, kept outside the Redux store: a Map by id, and each sort order the board has asked for kept
// sorted as orders change (binary search in and out), so a batch of k changed orders costs O(k log n) plus moving
// array slots, instead of copying and re-sorting 20,000 entries. The store holds only `board.ordersVersion`, bumped
// once per applied batch; memoised selectors read the index when it moves.
import { rowNextDue } from './sla';
import type { BoardRow, SortKey } from './types';

/** Sort position: group (0 something due, 1 owes nothing now), due time, newest first, then id. */
type Rank = readonly [group: number, due: number, negCreated: number, id: string];

function rankOf(r: BoardRow, sort: SortKey): Rank {
  if (sort === 'created') return [0, 0, -r.createdAt, r.id];
  const due = rowNextDue(r);
  return due === null ? [1, 0, -r.createdAt, r.id] : [0, due, -r.createdAt, r.id];
}

function compareRanks(a: Rank, b: Rank): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0);
}

/** The orders in `sort` order: earliest open deadline first (SLA), or newest first (created). */
export function sortRows(list: BoardRow[], sort: SortKey): BoardRow[] {
  const keyed = list.map((e) => ({ e, r: rankOf(e, sort) }));
  keyed.sort((a, b) => compareRanks(a.r, b.r));
  return keyed.map((k) => k.e);
}

interface SortedList {
  items: BoardRow[];
  /** The rank each row had when it was placed. */
  ranks: WeakMap<BoardRow, Rank>;
}

export interface IndexBatch {
  upserts: readonly BoardRow[];
  removed: readonly string[];
}

export class OrderIndex {
  private readonly byId = new Map<string, BoardRow>();
  private readonly lists = new Map<SortKey, SortedList>();
  private readonly listeners = new Set<() => void>();
  /** Bumped on every change; what useSyncExternalStore and the selectors compare. */
  version = 0;

  get size(): number {
    return this.byId.size;
  }

  get(id: string): BoardRow | undefined {
    return this.byId.get(id);
  }

  values(): IterableIterator<BoardRow> {
    return this.byId.values();
  }

  /** Every order in `sort` order (built on first use, then kept up to date). Do not mutate. */
  sorted(sort: SortKey): readonly BoardRow[] {
    let list = this.lists.get(sort);
    if (!list) {
      const ranks = new WeakMap<BoardRow, Rank>();
      const keyed = [...this.byId.values()].map((e) => {
        const r = rankOf(e, sort);
        ranks.set(e, r);
        return { e, r };
      });
      keyed.sort((a, b) => compareRanks(a.r, b.r));
      list = { items: keyed.map((k) => k.e), ranks };
      this.lists.set(sort, list);
    }
    return list.items;
  }

  apply(batch: IndexBatch): void {
    if (batch.upserts.length === 0 && batch.removed.length === 0) return;
    const changes = batch.upserts.length + batch.removed.length;
    for (const [sort, list] of this.lists) {
      // A big batch (first sync, replay) is cheaper to sort again than to splice one by one.
      if (changes > Math.max(64, list.items.length / 8)) this.lists.delete(sort);
    }
    for (const id of batch.removed) {
      const old = this.byId.get(id);
      if (!old) continue;
      this.byId.delete(id);
      for (const list of this.lists.values()) removeFrom(list, old);
    }
    for (const e of batch.upserts) {
      const old = this.byId.get(e.id);
      this.byId.set(e.id, e);
      for (const [sort, list] of this.lists) {
        if (old) removeFrom(list, old);
        insertInto(list, e, rankOf(e, sort));
      }
    }
    this.changed();
  }

  clear(): void {
    this.byId.clear();
    this.lists.clear();
    this.changed();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}

/** First index whose rank is not below `rank`. */
function lowerBound(list: SortedList, rank: Rank): number {
  let lo = 0;
  let hi = list.items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareRanks(list.ranks.get(list.items[mid]!)!, rank) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertInto(list: SortedList, e: BoardRow, rank: Rank): void {
  list.ranks.set(e, rank);
  list.items.splice(lowerBound(list, rank), 0, e);
}

function removeFrom(list: SortedList, e: BoardRow): void {
  const rank = list.ranks.get(e);
  let at = rank ? lowerBound(list, rank) : -1;
  if (at < 0 || list.items[at] !== e) at = list.items.indexOf(e);
  if (at >= 0) list.items.splice(at, 1);
}
