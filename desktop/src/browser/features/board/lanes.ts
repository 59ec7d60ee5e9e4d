// The lanes of a role's inbox: the board cut by what the viewer has to do next. A station's dispatcher works from
// new orders to take, taken orders to give a crew, crews in the field, handled orders to reply and clocks paused; an
// agent sees the orders a station sent back and the callbacks due. A lane is a filter on the board's rows (sorted
// like the board: most urgent first, then newest), and each lane's count is shown on its tab.
import type { Role } from '@twinline/workorder';
import type { BoardRow } from './types';

export const LANES = [
  'new', // 待接单: dispatched to the station, not taken yet
  'to_assign', // 待派工: taken by the station, no crew yet
  'in_field', // 处理中: a crew holds it (assigned, on site)
  'to_reply', // 待回单: handled, the reply is owed
  'urged', // 被催办: urged while in its current state
  'paused', // 已暂停: its clock stands still
  'returned', // 被退回: sent back by a station, with its reason
  'callbacks', // 待回访: replied, the customer is owed a callback
  'closed', // 已办结: replied or later
] as const;
export type Lane = (typeof LANES)[number];

/** The lanes each role's inbox shows, in order. */
export const ROLE_LANES: Partial<Record<Role, readonly Lane[]>> = {
  dispatcher: ['new', 'to_assign', 'in_field', 'to_reply', 'urged', 'paused', 'closed'],
  agent: ['returned', 'callbacks'],
  team_lead: ['returned', 'callbacks', 'urged', 'paused'],
  admin: ['returned', 'callbacks', 'urged', 'paused'],
};

const CLOSED = new Set(['replied', 'called_back', 'archived', 'merged']);

export function inLane(r: BoardRow, lane: Lane): boolean {
  switch (lane) {
    case 'new':
      return r.state === 'dispatched';
    case 'to_assign':
      return r.state === 'taken';
    case 'in_field':
      return r.state === 'assigned' || r.state === 'on_site';
    case 'to_reply':
      return r.state === 'handled';
    case 'urged':
      return (r.urges ?? 0) > 0 && !CLOSED.has(r.state);
    case 'paused':
      return r.deadlines.some((d) => d.paused && d.metAt === undefined);
    case 'returned':
      return r.state === 'accepted' && r.sentBack !== undefined;
    case 'callbacks':
      return r.state === 'replied';
    case 'closed':
      return CLOSED.has(r.state);
  }
}

/** The lane whose growth is news for the role (an order just arrived): it titles the window and chimes. */
export const ARRIVALS_LANE: Partial<Record<Role, Lane>> = { dispatcher: 'new', agent: 'returned' };

/** How many of `rows` are in each of `lanes`. */
export function laneCounts(rows: Iterable<BoardRow>, lanes: readonly Lane[]): Record<Lane, number> {
  const out = Object.fromEntries(LANES.map((l) => [l, 0])) as Record<Lane, number>;
  for (const r of rows) for (const l of lanes) if (inLane(r, l)) out[l]++;
  return out;
}
