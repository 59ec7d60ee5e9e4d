// The board's orders, kept outside the Redux store: a Map by id, and each sort order the board has asked for kept
// sorted as orders change (binary search in and out), so a batch of k changed orders costs O(k log n) plus moving
// array slots, instead of copying and re-sorting 20,000 entries. The store holds only `board.ordersVersion`, bumped
// once per applied batch; memoised selectors read the index when it moves.
import { peekSlaKey } from './sla';
import type { OrderEntry, SortKey } from './types';

/** Sort position: group (0 due, 1 owes nothing now, 2 key not computed yet), due time, newest first, then id. */
type Rank = readonly [group: number, due: number, negCreated: number, id: string];

const createdMs = new WeakMap<OrderEntry, number>();

/** When the order was created (epoch ms), parsed once per entry object. */
export function entryCreatedMs(e: OrderEntry): number {
  let ms = createdMs.get(e);
  if (ms === undefined) {
    ms = Date.parse(e.order.createdAt);
    createdMs.set(e, ms);
  }
  return ms;
}

function rankOf(e: OrderEntry, sort: SortKey): Rank {
  const negCreated = -entryCreatedMs(e);
  if (sort === 'created') return [0, 0, negCreated, e.order.id];
  const k = peekSlaKey(e.order);
  if (!k) return [2, 0, negCreated, e.order.id];
  if (k.nextDueMs === null) return [1, 0, negCreated, e.order.id];
  return [0, k.nextDueMs, negCreated, e.order.id];
}

function compareRanks(a: Rank, b: Rank): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0);
}

/** The orders in `sort` order: earliest open deadline first (SLA), or newest first (created). */
export function sortEntries(list: OrderEntry[], sort: SortKey): OrderEntry[] {
  const keyed = list.map((e) => ({ e, r: rankOf(e, sort) }));
  keyed.sort((a, b) => compareRanks(a.r, b.r));
  return keyed.map((k) => k.e);
}

interface SortedList {
  items: OrderEntry[];
  /** The rank each entry had when it was placed (SLA keys are filled in later by the warm-up). */
  ranks: WeakMap<OrderEntry, Rank>;
}

export interface IndexBatch {
  upserts: readonly OrderEntry[];
  removed: readonly string[];
}

export class OrderIndex {
  private readonly byId = new Map<string, OrderEntry>();
  private readonly lists = new Map<SortKey, SortedList>();
  private readonly listeners = new Set<() => void>();
  /** Bumped on every change; what useSyncExternalStore and the selectors compare. */
  version = 0;

  get size(): number {
    return this.byId.size;
  }

  get(id: string): OrderEntry | undefined {
    return this.byId.get(id);
  }

  values(): IterableIterator<OrderEntry> {
    return this.byId.values();
  }

  /** Every order in `sort` order (built on first use, then kept up to date). Do not mutate. */
  sorted(sort: SortKey): readonly OrderEntry[] {
    let list = this.lists.get(sort);
    if (!list) {
      const ranks = new WeakMap<OrderEntry, Rank>();
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
      const old = this.byId.get(e.order.id);
      this.byId.set(e.order.id, e);
      for (const [sort, list] of this.lists) {
        if (old) removeFrom(list, old);
        insertInto(list, e, rankOf(e, sort));
      }
    }
    this.changed();
  }

  /** Sort keys changed outside a batch (the SLA warm-up filled some in): sort again when next asked. */
  resort(): void {
    this.lists.clear();
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

function insertInto(list: SortedList, e: OrderEntry, rank: Rank): void {
  list.ranks.set(e, rank);
  list.items.splice(lowerBound(list, rank), 0, e);
}

function removeFrom(list: SortedList, e: OrderEntry): void {
  const rank = list.ranks.get(e);
  let at = rank ? lowerBound(list, rank) : -1;
  if (at < 0 || list.items[at] !== e) at = list.items.indexOf(e);
  if (at >= 0) list.items.splice(at, 1);
}
