import { describe, expect, it } from 'vitest';
import { validRows } from './rows';
import { row } from './testkit';

describe('rows from the snapshot', () => {
  it('keeps the rows that fit and leaves out the ones that do not, without failing the rest', () => {
    const good = row('fuzhou-1');
    const other = row('fuzhou-2', { draft: { address: '福州市台江区' } });
    const { rows, dropped } = validRows([
      good,
      { id: 'odd' },
      { ...other, createdAt: 'yesterday' },
      null,
      JSON.parse(JSON.stringify(other)),
    ]);
    expect(rows.map((r) => r.id)).toEqual(['fuzhou-1', 'fuzhou-2']);
    expect(rows[1]!.address).toBe('福州市台江区');
    expect(dropped).toBe(3);
  });
});
