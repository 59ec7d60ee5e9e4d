import { describe, expect, it } from 'vitest';
import { CITY_IDS, canRead, canWrite, docsFor, parseDocName, regionDoc } from './access';
import type { Principal } from './access';

const agent: Principal = { userId: 'a', role: 'agent', centre: 'fuzhou' };
const disp: Principal = {
  userId: 'd',
  role: 'dispatcher',
  centre: 'xiamen',
  stationId: 'st-xiamen-siming',
  city: 'xiamen',
};

describe('region documents', () => {
  it('names one document per city of Fujian and parses only those names', () => {
    expect(CITY_IDS).toHaveLength(9);
    expect(regionDoc('ningde')).toBe('region/ningde');
    for (const c of CITY_IDS) expect(parseDocName(regionDoc(c))).toEqual({ city: c });
    for (const bad of [
      'region/beijing',
      'region/',
      'region',
      'fuzhou',
      'region/fuzhou/x',
      'Region/fuzhou',
      ' region/fuzhou',
      '',
    ]) {
      expect(parseDocName(bad)).toBeNull();
    }
    expect(() => regionDoc('beijing')).toThrow();
  });

  it('lets centre staff read and write every region, a dispatcher only its own city, and nobody unknown documents', () => {
    for (const role of ['agent', 'team_lead', 'admin'] as const) {
      const p = { ...agent, role };
      expect(docsFor(p)).toHaveLength(9);
      expect(canWrite(p, 'region/putian')).toBe(true);
      expect(canRead(p, 'region/taipei')).toBe(false);
    }
    expect(docsFor(disp)).toEqual(['region/xiamen']);
    expect(canWrite(disp, 'region/xiamen')).toBe(true);
    expect(canRead(disp, 'region/fuzhou')).toBe(false);
    expect(canWrite(disp, 'region/fuzhou')).toBe(false);
    expect(docsFor({ ...disp, city: undefined })).toEqual([]);
    expect(canRead(agent, 'evil')).toBe(false);
  });
});
