import { describe, expect, it } from 'vitest';
import type { BoardRow } from '../../../common/board-row';
import { sampleRow } from '../../../common/board-row.testkit';
import { countOutages } from './counts';

const row = (id: string, patch: Partial<BoardRow> = {}) =>
  sampleRow(id, { address: '福州市鼓楼区五四路1号', createdAt: 2000, ...patch });

describe('the counts on an outage row', () => {
  it('counts the orders merged under it and the orders from its area since it was declared', () => {
    const outage = row('out', {
      type: 'outage',
      createdAt: 1000,
      outage: { cause: 'fault', counties: ['gulou'], streets: [], servicePoints: [], expectedRestoreAt: 9000 },
    });
    const counts = countOutages([
      outage,
      row('merged-1', { state: 'merged', masterId: 'out' }),
      row('merged-2', { state: 'merged', masterId: 'out', county: 'taijiang', address: '台江区' }),
      row('open-in-area'),
      row('before', { createdAt: 500 }),
      row('elsewhere', { county: 'cangshan', address: '仓山区' }),
    ]);
    expect(counts.get('out')).toEqual({ merged: 2, inArea: 3 });
  });
});
