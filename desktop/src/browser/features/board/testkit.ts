// Test fixtures: board entries folded from hand-made drafts and events (no Yjs, no DOM).
import { foldEvents } from '@twinline/workorder';
import type { Actor, OrderDraft, OrderEvent } from '@twinline/workorder';
import { toRow } from '../../board-worker/rows';
import type { BoardRow, OrderEntry } from './types';

export const AGENT: Actor = { userId: 'agent.fz', role: 'agent', centre: 'fuzhou' };
export const OTHER_AGENT: Actor = { userId: 'agent1.fz', role: 'agent', centre: 'fuzhou' };
export const DISPATCHER: Actor = {
  userId: 'disp.fuzhou-gulou',
  role: 'dispatcher',
  centre: 'fuzhou',
  stationId: 'st-fuzhou-gulou',
};

let seq = 0;

export function draft(patch: Partial<OrderDraft> = {}): OrderDraft {
  return {
    type: 'repair',
    channel: 'phone',
    priority: 'normal',
    region: { city: 'fuzhou', county: 'gulou', areaClass: 'urban' },
    address: '福州市鼓楼区五四路100号',
    callerNumber: '13800000000',
    description: '停电',
    ...patch,
  };
}

/** An order created by `by` at `createdAt`, then the given steps (each a partial event at a time). */
export function entry(
  id: string,
  opts: {
    by?: Actor;
    createdAt?: string;
    draft?: Partial<OrderDraft>;
    steps?: (Partial<OrderEvent> & Pick<OrderEvent, 'action' | 'by' | 'at'>)[];
    doc?: string;
  } = {},
): OrderEntry {
  const by = opts.by ?? AGENT;
  const events: OrderEvent[] = [
    { id: `e${++seq}`, action: 'create', by, at: opts.createdAt ?? '2026-11-23T08:00:00+08:00' },
    ...(opts.steps ?? []).map((s) => ({ id: `e${++seq}`, ...s })),
  ];
  const d = draft(opts.draft);
  const fold = foldEvents(id, d, events);
  return Object.freeze({
    order: fold.order,
    superseded: fold.superseded.map(({ event, error }) => ({ event, code: error.code, reason: error.message })),
    comments: [],
    doc: opts.doc ?? `region/${d.region.city}`,
  });
}

/** The board row of `entry(...)`, as the board worker makes it. */
export function row(id: string, opts: Parameters<typeof entry>[1] = {}): BoardRow {
  return toRow(entry(id, opts));
}
