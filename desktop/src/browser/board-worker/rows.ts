// Board rows from folded orders (common/board-row.ts): what the window's list needs, with the SLA deadlines already
// computed here, in the worker, by the work-order rules (the window only counts down from them).
import { RULES, deadlinesFor } from '@twinline/workorder';
import { ROW_DESCRIPTION_CHARS } from '../../common/board-row';
import type { BoardRow, RowDeadline } from '../../common/board-row';
import type { Deadline } from '@twinline/workorder';
import { BOARD_POLICY } from '../features/board/sla';
import type { OrderEntry } from '../features/board/types';

function rowDeadline(d: Deadline): RowDeadline {
  const r: RowDeadline = { kind: d.kind, due: d.due, minutes: d.minutes, calendar: d.calendar };
  if (d.metAt !== undefined) r.metAt = d.metAt;
  if (d.late !== undefined) r.late = d.late;
  if (d.paused) {
    r.paused = true;
    if (d.pausedAt !== undefined) r.pausedAt = d.pausedAt;
  }
  return r;
}

export function toRow(e: OrderEntry): BoardRow {
  const o = e.order;
  const d = o.draft;
  const row: BoardRow = {
    id: o.id,
    doc: e.doc,
    type: d.type,
    state: o.state,
    priority: d.priority,
    channel: d.channel,
    city: d.region.city,
    county: d.region.county,
    address: d.address,
    callerNumber: d.callerNumber,
    description: d.description.slice(0, ROW_DESCRIPTION_CHARS),
    createdAt: Date.parse(o.createdAt),
    createdBy: o.createdBy.userId,
    deadlines: o.state === 'merged' ? [] : deadlinesFor(o, BOARD_POLICY).map(rowDeadline),
    superseded: e.superseded.length,
    comments: e.comments.length,
  };
  if (d.callerName) row.callerName = d.callerName;
  if (d.customerAccount) row.customerAccount = d.customerAccount;
  if (o.stationId) row.stationId = o.stationId;
  if (o.crewId) row.crewId = o.crewId;
  if (o.masterId) row.masterId = o.masterId;
  // Since the last step that moved the state: how often it was urged; and whether that step was a send-back.
  let urges = 0;
  for (let i = o.history.length - 1; i >= 0; i--) {
    const ev = o.history[i]!;
    if (ev.action === 'urge') urges++;
    if (ev.action === 'create' || RULES[ev.action].to === undefined) continue;
    if (ev.action === 'send_back' && o.state === 'accepted')
      row.sentBack = {
        reason: ev.reason ?? '',
        by: ev.by.userId,
        at: Date.parse(ev.at),
        ...(ev.by.stationId ? { stationId: ev.by.stationId } : {}),
      };
    break;
  }
  if (urges > 0) row.urges = urges;
  if (d.outage) {
    const { cause, area, expectedRestoreAt } = d.outage;
    row.outage = { cause, ...area, expectedRestoreAt: Date.parse(expectedRestoreAt) };
  }
  return row;
}
