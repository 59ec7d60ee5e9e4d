import { describe, expect, it } from 'vitest';
import { AGENT, row } from '../board/testkit';
import { buildDuplicateIndex, findDuplicates, normaliseAddress, normaliseNumber } from './duplicates';

describe('duplicate detector', () => {
  const open1 = row('o1', { draft: { address: '福州市鼓楼区五四路100号', callerNumber: '13800000001' } });
  const open2 = row('o2', { draft: { address: '福州市台江区八一七中路1号', callerNumber: '13800000002' } });
  const merged = row('m1', {
    draft: { address: '福州市鼓楼区五四路100号', callerNumber: '13800000009' },
    steps: [{ action: 'merge', by: AGENT, at: '2026-11-23T08:05:00+08:00', masterId: 'o1' }],
  });
  const index = buildDuplicateIndex([open1, open2, merged]);

  it('normalises spaces, punctuation and full-width characters in addresses', () => {
    expect(normaliseAddress(' 福州市鼓楼区 五四路１００号 ')).toBe(normaliseAddress('福州市鼓楼区五四路100号'));
    expect(normaliseAddress('五四路100号，3栋')).toBe(normaliseAddress('五四路100号3栋'));
  });

  it('normalises caller numbers (digits only, +86 dropped for mobiles)', () => {
    expect(normaliseNumber('+86 138-0000-0001')).toBe('13800000001');
    expect(normaliseNumber('0591-87654321')).toBe('059187654321');
  });

  it('finds open orders with the same address or caller, not closed or merged ones', () => {
    expect(findDuplicates(index, { address: '福州市鼓楼区 五四路100号', callerNumber: '' })).toEqual({
      sameAddress: ['o1'],
      sameCaller: [],
    });
    expect(findDuplicates(index, { address: '', callerNumber: '138 0000 0002' })).toEqual({
      sameAddress: [],
      sameCaller: ['o2'],
    });
    expect(findDuplicates(index, { address: '', callerNumber: '13800000009' }).sameCaller).toEqual([]);
  });

  it('ignores too-short input and the order being edited', () => {
    expect(findDuplicates(index, { address: '五四', callerNumber: '138' })).toEqual({
      sameAddress: [],
      sameCaller: [],
    });
    expect(findDuplicates(index, { address: '福州市鼓楼区五四路100号', callerNumber: '' }, 'o1').sameAddress).toEqual(
      [],
    );
  });
});
