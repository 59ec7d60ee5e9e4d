import { describe, expect, it } from 'vitest';
import { CITY_IDS, FUJIAN_CITIES, centreOfCity, cityById, countyById, shortCountyName } from './fujian';

const CJK = /[\u4e00-\u9fff]/;

describe('Fujian regions', () => {
  it('has the nine cities with their ids, names, area codes and serving centres', () => {
    const expected = {
      fuzhou: ['福州', '0591', 'fuzhou'],
      xiamen: ['厦门', '0592', 'xiamen'],
      putian: ['莆田', '0594', 'fuzhou'],
      sanming: ['三明', '0598', 'fuzhou'],
      quanzhou: ['泉州', '0595', 'xiamen'],
      zhangzhou: ['漳州', '0596', 'xiamen'],
      nanping: ['南平', '0599', 'fuzhou'],
      longyan: ['龙岩', '0597', 'xiamen'],
      ningde: ['宁德', '0593', 'fuzhou'],
    } as const;
    expect(FUJIAN_CITIES.map((c) => c.id)).toEqual([...CITY_IDS]);
    expect(FUJIAN_CITIES).toHaveLength(9);
    for (const c of FUJIAN_CITIES) {
      const [zh, areaCode, centre] = expected[c.id];
      expect([c.zh, c.areaCode, c.centre, c.zhFull]).toEqual([zh, areaCode, centre, `${zh}市`]);
      expect(c.en).toMatch(/^[A-Z][a-z]+$/);
      expect(centreOfCity(c.id)).toBe(centre);
    }
  });

  it('lists the real districts and counties of Fuzhou', () => {
    expect(
      cityById('fuzhou')
        .counties.map((k) => k.zh)
        .sort(),
    ).toEqual(
      [
        '鼓楼区',
        '台江区',
        '仓山区',
        '晋安区',
        '马尾区',
        '长乐区',
        '闽侯县',
        '连江县',
        '罗源县',
        '闽清县',
        '永泰县',
        '平潭县',
        '福清市',
      ].sort(),
    );
    expect(cityById('xiamen').counties).toHaveLength(6);
    expect(countyById('fuzhou', 'gulou').zh).toBe('鼓楼区');
    expect(() => countyById('fuzhou', 'siming')).toThrow();
    expect(() => cityById('taipei')).toThrow();
  });

  it('gives every county a unique pinyin id, a Chinese and English name, an area class and coordinates in Fujian', () => {
    let total = 0;
    for (const c of FUJIAN_CITIES) {
      const ids = c.counties.map((k) => k.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(c.counties.some((k) => k.areaClass === 'urban')).toBe(true);
      for (const k of c.counties) {
        total++;
        expect(k.city).toBe(c.id);
        expect(k.id).toMatch(/^[a-z]+$/);
        expect(k.zh).toMatch(CJK);
        expect(k.zh).toMatch(/[区县市]$/);
        expect(k.en).toMatch(/ (District|County|City)$/);
        if (k.zh.endsWith('区')) expect(k.areaClass).toBe('urban');
        expect(k.lat).toBeGreaterThan(23.5);
        expect(k.lat).toBeLessThan(28.4);
        expect(k.lng).toBeGreaterThan(115.8);
        expect(k.lng).toBeLessThan(120.8);
        expect(Math.hypot(k.lat - c.lat, k.lng - c.lng)).toBeLessThan(1.5);
      }
    }
    expect(total).toBe(83);
    expect(FUJIAN_CITIES.flatMap((c) => c.counties).filter((k) => k.areaClass === 'remote').length).toBeGreaterThan(5);
  });

  it('shortens county names for station signs', () => {
    expect(shortCountyName('鼓楼区')).toBe('鼓楼');
    expect(shortCountyName('沙县区')).toBe('沙县');
    expect(shortCountyName('武夷山市')).toBe('武夷山');
  });
});
