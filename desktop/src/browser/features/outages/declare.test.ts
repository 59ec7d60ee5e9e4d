import { describe, expect, it } from 'vitest';
import { OutageAreaSchema, draftProblem } from '@twinline/workorder';
import { MAX_OUTAGE_SERVICE_POINTS, emptyOutageForm, mergeServicePoints, outageDraft } from './declare';

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

  it('adds drawn service points to the typed ones, each once, up to the outage limit and not one over', () => {
    expect(mergeServicePoints('tq-1, tq-2', ['tq-2', 'tq-3', 'tq-3'])).toEqual({
      text: 'tq-1, tq-2, tq-3',
      total: 3,
      added: 1,
    });
    expect(mergeServicePoints('', ['tq-9'])).toEqual({ text: 'tq-9', total: 1, added: 1 });
    const many = Array.from({ length: MAX_OUTAGE_SERVICE_POINTS }, (_, i) => `st-xiamen-siming-tq${i}`);
    expect(mergeServicePoints('', many)).toMatchObject({ total: MAX_OUTAGE_SERVICE_POINTS });
    expect(mergeServicePoints('extra-1', many)).toEqual({ over: true, total: MAX_OUTAGE_SERVICE_POINTS + 1 });
    // The limit is the work order's own.
    expect(OutageAreaSchema.safeParse({ servicePoints: many }).success).toBe(true);
    expect(OutageAreaSchema.safeParse({ servicePoints: [...many, 'extra-1'] }).success).toBe(false);
  });

  it('declares an outage of drawn service points only: in their county, the address says how many', () => {
    const points = Array.from({ length: 240 }, (_, i) => `st-xiamen-huli-tq${String(i + 1).padStart(4, '0')}`);
    const v = {
      ...emptyOutageForm('xiamen'),
      servicePoints: points.join(', '),
      pointCounty: 'huli',
      description: '10kV 线路故障',
    };
    const r = outageDraft(v, { countyName, homeCounty: 'siming' });
    if (!('draft' in r)) throw new Error(JSON.stringify(r.errors));
    expect(r.draft.region).toEqual({ city: 'xiamen', county: 'huli', areaClass: 'urban' });
    expect(r.draft.address).toBe('st-xiamen-huli-tq0001、st-xiamen-huli-tq0002 等 240 个台区（停电范围）');
    expect(r.draft.outage!.area.servicePoints).toEqual(points);
    expect(draftProblem(r.draft)).toBeNull();
    // A long list of streets no longer makes the address too long for the order.
    const streets = Array.from({ length: 60 }, (_, i) => `第${i + 1}号路`).join('、');
    const long = outageDraft({ ...v, streets }, { countyName });
    if (!('draft' in long)) throw new Error(JSON.stringify(long.errors));
    expect(long.draft.address.length).toBeLessThanOrEqual(200);
    expect(long.draft.address).toMatch(/…（停电范围）$/);
  });
});
