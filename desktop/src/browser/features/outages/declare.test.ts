import { describe, expect, it } from 'vitest';
import { draftProblem } from '@twinline/workorder';
import { emptyOutageForm, outageDraft } from './declare';

const names: Record<string, string> = { gulou: '鼓楼区', taijiang: '台江区' };
const countyName = (id: string) => names[id] ?? id;

describe('declaring a mass outage', () => {
  it('turns the form into the master order of the outage: area, cause, expected restoration, in the city', () => {
    const v = {
      ...emptyOutageForm('fuzhou', Date.parse('2026-11-23T10:00:00+08:00')),
      counties: ['gulou', 'taijiang'],
      streets: '五四路、东街，五四路',
      servicePoints: 'SP-1, SP-2\nSP-1',
      expectedRestoreAt: '2026-11-23T14:30',
      description: '10kV 东街线故障跳闸',
    };
    const r = outageDraft(v, { countyName });
    if (!('draft' in r)) throw new Error(JSON.stringify(r.errors));
    expect(r.draft).toMatchObject({
      type: 'outage',
      priority: 'urgent',
      region: { city: 'fuzhou', county: 'gulou', areaClass: 'urban' },
      address: '鼓楼区、台江区、五四路、东街（停电范围）',
      callerNumber: '95598',
      outage: {
        cause: 'fault',
        area: { counties: ['gulou', 'taijiang'], streets: ['五四路', '东街'], servicePoints: ['SP-1', 'SP-2'] },
      },
    });
    expect(Date.parse(r.draft.outage!.expectedRestoreAt)).toBe(new Date('2026-11-23T14:30').getTime());
    expect(draftProblem(r.draft)).toBeNull();
  });

  it('says what is missing: an area, a description, a restoration time', () => {
    const r = outageDraft({ ...emptyOutageForm('fuzhou'), expectedRestoreAt: '' }, { countyName, homeCounty: 'gulou' });
    expect('errors' in r && Object.keys(r.errors).sort()).toEqual(['area', 'description', 'expectedRestoreAt']);
  });
});
