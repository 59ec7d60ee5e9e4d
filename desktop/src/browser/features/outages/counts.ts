// What the board shows on an outage's row: how many orders are merged under it, and how many orders from inside
// its area came in since it was declared (calls about it that were opened as orders, merged or not yet).
import { isActiveOutage, areaCovers } from '@twinline/workorder';
import type { BoardRow } from '../../../common/board-row';

export interface OutageCounts {
  merged: number;
  inArea: number;
}

/** One pass over the board for every outage on it. */
export function countOutages(rows: Iterable<BoardRow>): Map<string, OutageCounts> {
  const all = [...rows];
  const outages = all.filter((r) => r.outage);
  const out = new Map<string, OutageCounts>(outages.map((o) => [o.id, { merged: 0, inArea: 0 }]));
  if (outages.length === 0) return out;
  for (const r of all) {
    if (r.outage) continue;
    if (r.masterId && out.has(r.masterId)) out.get(r.masterId)!.merged++;
    for (const o of outages) {
      if (r.createdAt < o.createdAt || !isActiveOutage(o)) continue;
      if (r.masterId === o.id || areaCovers(o.city, o.outage!, { city: r.city, county: r.county, address: r.address }))
        out.get(o.id)!.inArea++;
    }
  }
  return out;
}

let memo: { version: number; counts: Map<string, OutageCounts> } | null = null;

/** `countOutages` once per board version (every outage row asks; the board is walked once). */
export function outageCountsAt(version: number, rows: () => Iterable<BoardRow>): Map<string, OutageCounts> {
  if (memo?.version !== version) memo = { version, counts: countOutages(rows()) };
  return memo.counts;
}
