import { describe, it, expect } from 'vitest';
import { FUJIAN_CITIES } from '@twinline/demo-data';
import {
  bindGroup,
  bindRegion,
  compileConfig,
  normaliseNumber,
  parseRoutingConfig,
  RoutingConfigError,
  type RoutingConfigInput,
} from './config';
import { demoRoutingConfig } from './testkit';

const c = compileConfig(demoRoutingConfig('xiamen'));

describe('routing configuration', () => {
  it('the demo configuration parses, with every Fujian city, its area code and home centre', () => {
    expect(c.config.regions.map((r) => [r.id, r.areaCode, r.centre])).toEqual(
      FUJIAN_CITIES.map((x) => [x.id, x.areaCode, x.centre]),
    );
    expect(c.config.groups.map((g) => `${g.menuDigit}:${g.id}`)).toEqual([
      '1:repair',
      '2:business',
      '3:complaint',
      '8:fuzhouhua',
      '9:minnan',
    ]);
  });

  it('names every bad field, one a line, including broken cross-references', () => {
    const input = demoRoutingConfig('xiamen') as RoutingConfigInput;
    const bad = {
      ...input,
      twin: 'xiamen',
      mobilePrefixes: { '1385910': 'atlantis' },
      regionMenu: { '5': 'nowhere' },
      groups: [...input.groups, { ...input.groups[0]!, id: 'repair2' }],
      agents: [
        { id: 'x', skills: ['cooking'] },
        { id: 'y', skills: ['repair'], home: 'shanghai' },
      ],
      defaultGroup: 'nope',
    };
    try {
      parseRoutingConfig(bad);
      expect.unreachable('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(RoutingConfigError);
      const paths = (error as RoutingConfigError).issues.map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'twin',
          'mobilePrefixes.1385910',
          'regionMenu.5',
          'groups.5',
          'agents.0.skills.0',
          'agents.1.home',
          'defaultGroup',
        ]),
      );
      expect((error as Error).message).toMatch(/duplicate menu digit 1/);
    }
    expect(() => parseRoutingConfig('{not json')).toThrow(/not valid JSON/);
    expect(() => parseRoutingConfig({ ...input, regions: [{ ...input.regions[0], areaCode: '591' }] })).toThrow(
      /regions\.0\.areaCode/,
    );
  });
});

describe('caller numbers', () => {
  it.each([
    ['13859212345', '13859212345', 'mobile'],
    ['+86 138 5921 2345', '13859212345', 'mobile'],
    ['008613859212345', '13859212345', 'mobile'],
    ['8613859212345', '13859212345', 'mobile'],
    ['0592-1234567', '05921234567', 'landline'],
    ['+86 592 1234567', '05921234567', 'landline'],
    ['(0591) 8765 4321', '059187654321', 'landline'],
    ['1234567', '1234567', 'other'],
    ['anonymous', '', 'other'],
  ])('%s is %s (%s)', (raw, digits, kind) => {
    expect(normaliseNumber(raw)).toEqual({ digits, kind });
  });
});

describe('region binding', () => {
  it.each(FUJIAN_CITIES.map((x) => [x.areaCode, x.id]))('a landline from %s belongs to %s', (code, city) => {
    expect(bindRegion(c, { caller: `${code}1234567` })).toEqual({ region: city, source: 'area_code' });
  });

  it('a mobile binds by its segment (the longest prefix wins), else by the menu digit, else the trunk, else default', () => {
    expect(bindRegion(c, { caller: '13859112345' })).toEqual({ region: 'fuzhou', source: 'mobile_prefix' });
    const longer = compileConfig({ ...c.config, mobilePrefixes: { ...c.config.mobilePrefixes, '1385911': 'ningde' } });
    expect(bindRegion(longer, { caller: '13859112345' }).region).toBe('ningde');
    expect(bindRegion(longer, { caller: '13859102345' }).region).toBe('fuzhou');
    // 199 is not in the demo segment table: the caller's menu choice (5 = Quanzhou in the demo menu) binds it.
    expect(bindRegion(c, { caller: '19912345678', menu: { region: '5' } })).toEqual({
      region: 'quanzhou',
      source: 'menu',
    });
    // A menu choice beats a mobile segment (the caller knows where the fault is), never a landline's area code.
    expect(bindRegion(c, { caller: '13859112345', menu: { region: '2' } }).region).toBe('xiamen');
    expect(bindRegion(c, { caller: '059187654321', menu: { region: '2' } }).region).toBe('fuzhou');
    expect(bindRegion(c, { caller: '19912345678', trunkRegion: 'longyan' })).toEqual({
      region: 'longyan',
      source: 'trunk',
    });
    expect(bindRegion(c, { caller: '19912345678' })).toEqual({ region: 'xiamen', source: 'default' });
    expect(bindRegion(c, { caller: '07551234567' })).toEqual({ region: 'xiamen', source: 'default' });
  });

  it('the service menu picks the skill group, dialects included; a direct request beats the menu', () => {
    expect(bindGroup(c, { caller: 'x', menu: { service: '1' } })).toEqual({ group: 'repair', source: 'menu' });
    expect(bindGroup(c, { caller: 'x', menu: { service: '3' } }).group).toBe('complaint');
    expect(bindGroup(c, { caller: 'x', menu: { service: '9' } }).group).toBe('minnan');
    expect(bindGroup(c, { caller: 'x', menu: { service: '8' } }).group).toBe('fuzhouhua');
    expect(bindGroup(c, { caller: 'x', menu: { service: '7' } })).toEqual({ group: 'repair', source: 'default' });
    expect(bindGroup(c, { caller: 'x', group: 'business', menu: { service: '9' } })).toEqual({
      group: 'business',
      source: 'requested',
    });
  });
});
