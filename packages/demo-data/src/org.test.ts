import { ActorSchema, ROLES } from '@twinline/workorder';
import { describe, expect, it } from 'vitest';
import { CENTRES, FUJIAN_CITIES, cityById } from './fujian';
import { STATIONS, stationById, stationOf } from './org';
import { CREWS, DEMO_ACCOUNTS, DEMO_PASSWORD, actorOf, crewsOfStation, dispatcherOf, findAccount } from './people';

const CJK = /[\u4e00-\u9fff]/;

describe('stations and crews', () => {
  it('has one station per county, named after it', () => {
    expect(STATIONS).toHaveLength(FUJIAN_CITIES.reduce((n, c) => n + c.counties.length, 0));
    expect(new Set(STATIONS.map((s) => s.id)).size).toBe(STATIONS.length);
    expect(stationOf('fuzhou', 'gulou')).toMatchObject({
      id: 'st-fuzhou-gulou',
      zh: '鼓楼供电服务站',
      centre: 'fuzhou',
    });
    for (const c of FUJIAN_CITIES) {
      for (const k of c.counties) {
        const s = stationOf(c.id, k.id);
        expect(s).toMatchObject({
          id: `st-${c.id}-${k.id}`,
          city: c.id,
          county: k.id,
          centre: c.centre,
          areaClass: k.areaClass,
        });
        expect(s.zh).toMatch(/^[\u4e00-\u9fff]+供电服务站$/);
      }
    }
    expect(() => stationById('st-nowhere')).toThrow();
  });

  it('gives every station 2-3 crews with members, skills and areas in its own city', () => {
    for (const s of STATIONS) {
      const crews = crewsOfStation(s.id);
      expect(crews.length).toBeGreaterThanOrEqual(2);
      expect(crews.length).toBeLessThanOrEqual(3);
      expect(crews.some((c) => c.kind === 'repair' && c.onDuty)).toBe(true);
      expect(crews.some((c) => c.kind === 'service')).toBe(true);
      const counties = cityById(s.city).counties.map((k) => k.id);
      for (const c of crews) {
        expect(c.id.startsWith(`${s.id}-c`)).toBe(true);
        expect(c.zh).toMatch(/班$/);
        expect(c.areas).toContain(s.county);
        for (const a of c.areas) expect(counties).toContain(a);
        expect(c.skills.length).toBeGreaterThan(0);
        expect(c.members.length).toBeGreaterThanOrEqual(2);
        if (c.onDuty) expect(c.members.some((m) => m.onDuty)).toBe(true);
        else expect(c.members.every((m) => !m.onDuty)).toBe(true);
        for (const m of c.members) {
          expect(m.name).toMatch(CJK);
          expect(m.phone).toMatch(/^1[3-9][0-9]{9}$/);
        }
      }
    }
    expect(new Set(CREWS.map((c) => c.id)).size).toBe(CREWS.length);
  });
});

describe('DEMO_ACCOUNTS', () => {
  it('has unique usernames and one shared demo password', () => {
    expect(new Set(DEMO_ACCOUNTS.map((a) => a.username)).size).toBe(DEMO_ACCOUNTS.length);
    for (const a of DEMO_ACCOUNTS) expect(a.password).toBe(DEMO_PASSWORD);
    expect(DEMO_PASSWORD).toBe('Twinline!2026');
  });

  it('has every role in both centres', () => {
    for (const centre of CENTRES) {
      for (const role of ROLES) {
        expect(
          DEMO_ACCOUNTS.some((a) => a.role === role && a.centre === centre),
          `${role}@${centre}`,
        ).toBe(true);
      }
      expect(DEMO_ACCOUNTS.filter((a) => a.role === 'agent' && a.centre === centre).length).toBeGreaterThanOrEqual(3);
    }
  });

  it('has the well-known usernames', () => {
    for (const u of [
      'agent.fz',
      'agent.xm',
      'agent1.fz',
      'agent1.xm',
      'lead.fz',
      'lead.xm',
      'admin',
      'disp.fuzhou-gulou',
      'disp.xiamen-siming',
    ]) {
      expect(findAccount(u), u).toBeDefined();
    }
    expect(findAccount('lead.xm')).toMatchObject({ role: 'team_lead', centre: 'xiamen' });
    expect(findAccount('disp.fuzhou-gulou')).toMatchObject({
      role: 'dispatcher',
      centre: 'fuzhou',
      stationId: 'st-fuzhou-gulou',
      city: 'fuzhou',
    });
  });

  it('has a dispatcher for every station, on the centre that serves its city', () => {
    for (const s of STATIONS) {
      const d = dispatcherOf(s.id);
      expect(d).toMatchObject({
        role: 'dispatcher',
        stationId: s.id,
        city: s.city,
        centre: s.centre,
        username: `disp.${s.city}-${s.county}`,
      });
    }
    for (const a of DEMO_ACCOUNTS) {
      if (a.role === 'dispatcher') expect(stationById(a.stationId!).city).toBe(a.city);
      else expect(a.stationId).toBeUndefined();
      expect(a.displayName).toMatch(CJK);
    }
  });

  it('turns accounts into valid actors', () => {
    for (const a of DEMO_ACCOUNTS) {
      const actor = ActorSchema.parse(actorOf(a));
      expect(actor).toEqual({
        userId: a.username,
        role: a.role,
        centre: a.centre,
        ...(a.stationId ? { stationId: a.stationId } : {}),
      });
    }
  });
});
