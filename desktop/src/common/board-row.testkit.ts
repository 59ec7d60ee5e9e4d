// A board row for tests: a Fuzhou repair order as the board worker writes it; `patch` changes what a test needs.
import type { BoardRow } from './board-row';

export function sampleRow(id = 'fuzhou-20261123-abc', patch: Partial<BoardRow> = {}): BoardRow {
  return {
    id,
    doc: 'region/fuzhou',
    type: 'repair',
    state: 'accepted',
    priority: 'normal',
    channel: 'phone',
    city: 'fuzhou',
    county: 'gulou',
    address: '福州市鼓楼区五四路100号',
    callerNumber: '13800000000',
    description: '停电',
    createdAt: Date.parse('2026-11-23T08:00:00+08:00'),
    createdBy: 'agent.fz',
    deadlines: [],
    superseded: 0,
    comments: 0,
    ...patch,
  };
}
