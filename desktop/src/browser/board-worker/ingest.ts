// Keeps the board's per-order cache in step with the Yjs documents: observeOrders tells which ids a transaction
// touched; only those are refolded (readOrder), batched over a short window so a burst of transactions (an initial
// sync, a replay from the cache) becomes one store update. Nothing re-snapshots the whole board.
import type * as Y from 'yjs';
import { observeOrders, orderIds, readOrder } from '@twinline/board';
import type { OrderEntry } from '../features/board/types';

export interface IngestBatch {
  upserts: OrderEntry[];
  removed: string[];
}

export interface OrderIngestOptions {
  docs: ReadonlyMap<string, Y.Doc>;
  emit: (batch: IngestBatch) => void;
  /** How long changes are collected before one batch is emitted. Default 50 ms. */
  batchMs?: number;
}

export class OrderIngest {
  private readonly pending = new Map<string, Set<string>>();
  private readonly stops: (() => void)[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(private readonly opts: OrderIngestOptions) {
    for (const [name, doc] of opts.docs) {
      this.stops.push(observeOrders(doc, (ids) => this.changed(name, ids)));
      const existing = orderIds(doc);
      if (existing.length > 0) this.changed(name, existing);
    }
  }

  /** Queues ids of `doc` for refolding. */
  changed(doc: string, ids: readonly string[]): void {
    if (this.stopped) return;
    let set = this.pending.get(doc);
    if (!set) this.pending.set(doc, (set = new Set()));
    for (const id of ids) set.add(id);
    this.timer ??= setTimeout(() => this.flush(), this.opts.batchMs ?? 50);
  }

  /** Refolds every queued id now and emits one batch (nothing when nothing is queued). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    const upserts: OrderEntry[] = [];
    const removed: string[] = [];
    for (const [name, ids] of this.pending) {
      const doc = this.opts.docs.get(name);
      if (!doc) continue;
      for (const id of ids) {
        const order = readOrder(doc, id);
        if (order) upserts.push(Object.freeze({ ...order, doc: name }));
        else removed.push(id);
      }
    }
    this.pending.clear();
    this.opts.emit({ upserts, removed });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
    for (const stop of this.stops.splice(0)) stop();
  }
}
