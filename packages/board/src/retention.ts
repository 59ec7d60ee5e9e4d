// Keeping a region document small: archived orders are copied to the centre's SQL archive as soon as they archive
// (archivedOrders), and removed from the live document once their retention window has passed (sweepArchived).
import type * as Y from 'yjs';
import type { Comment, OrderDraft, OrderEvent, WorkOrder } from '@twinline/workorder';
import { orderIds, orderRecord, ordersRoot, readOrder } from './board';
import type { SupersededEvent } from './board';

/** Transaction origin of the sweep, so observers (and the centre's persistence) can tell it from user changes. */
export const RETENTION_ORIGIN = 'retention';

/** An archived order as plain data: what the centre stores in its SQL archive. */
export interface ArchivedRecord {
  id: string;
  /** The region (city) the order belongs to. */
  city: string;
  draft: OrderDraft;
  events: OrderEvent[];
  comments: Comment[];
  /** When it was archived (ISO 8601): the time of the archive event that took effect. */
  archivedAt: string;
  /** The folded order at the time of the copy. */
  order: WorkOrder;
  superseded: SupersededEvent[];
}

function record(doc: Y.Doc, id: string): ArchivedRecord | undefined {
  const folded = readOrder(doc, id);
  const raw = orderRecord(doc, id);
  if (!folded || !raw || folded.order.state !== 'archived') return undefined;
  return {
    id,
    city: raw.draft.region.city,
    draft: raw.draft,
    events: raw.events,
    comments: raw.comments,
    archivedAt: folded.order.stateSince,
    order: folded.order,
    superseded: folded.superseded,
  };
}

/** Every order on the board that is archived now, sorted by id. */
export function archivedOrders(doc: Y.Doc): ArchivedRecord[] {
  return orderIds(doc)
    .map((id) => record(doc, id))
    .filter((r): r is ArchivedRecord => r !== undefined);
}

/**
 * Removes from the live document every order archived at or before `now - retentionMs`, in one transaction with
 * origin 'retention', and returns them. An order reopened after archiving is no longer archived and stays.
 */
export function sweepArchived(doc: Y.Doc, now: Date, retentionMs: number): ArchivedRecord[] {
  const cutoff = now.getTime() - retentionMs;
  const due = archivedOrders(doc).filter((r) => Date.parse(r.archivedAt) <= cutoff);
  if (due.length > 0) {
    const orders = ordersRoot(doc);
    doc.transact(() => due.forEach((r) => orders.delete(r.id)), RETENTION_ORIGIN);
  }
  return due;
}
