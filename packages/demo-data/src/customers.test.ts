import { describe, expect, it } from 'vitest';
import { CustomerSchema, areaCodeOf } from '@twinline/customers';
import type { Customer } from '@twinline/customers';
import { customerAt, generateCustomers } from './customers';
import { cityById, countyById } from './fujian';
import { stationById } from './org';

const N = 20_000;
const sample: Customer[] = [...generateCustomers({ seed: 7, count: N })];
const holders = new Map<string, Customer[]>();
for (const c of sample) for (const p of c.phones) holders.set(p, [...(holders.get(p) ?? []), c]);

describe('synthetic customers', () => {
  it('are the same for the same seed, differ for another, and do not depend on count or slicing', () => {
    const again = [...generateCustomers({ seed: 7, count: 200 })];
    expect(again).toEqual(sample.slice(0, 200));
    expect([...generateCustomers({ seed: 7, start: 150, count: 50 })]).toEqual(sample.slice(150, 200));
    expect(customerAt(7, 12_345)).toEqual(sample[12_345]);
    const other = [...generateCustomers({ seed: 8, count: 200 })];
    expect(other.filter((c, i) => c.name === again[i]!.name && c.account === again[i]!.account)).toHaveLength(0);
  });

  it('are valid directory records with unique 10-digit account numbers', () => {
    for (const c of sample) expect(CustomerSchema.safeParse(c).success, JSON.stringify(c)).toBe(true);
    expect(new Set(sample.map((c) => c.account)).size).toBe(N);
  });

  it('live where their region says: address, station, area code and coordinates all agree', () => {
    for (const c of sample.slice(0, 2000)) {
      const city = cityById(c.region.city);
      const county = countyById(c.region.city, c.region.county);
      expect(c.address.startsWith(`福建省${city.zhFull}${county.zh}`), c.address).toBe(true);
      expect(c.address).toMatch(/(室|号|号之\d)$/);
      expect(stationById(c.stationId)).toMatchObject({ city: city.id, county: county.id });
      expect(c.servicePoint.startsWith(`${c.stationId}-tq`)).toBe(true);
      // A landline is the city's, unless it is a family member's elsewhere in the province.
      for (const p of c.phones)
        if (areaCodeOf(p) && areaCodeOf(p) !== city.areaCode) expect(holders.get(p)!.length).toBeGreaterThan(1);
      expect(Math.abs(c.location!.lat - county.lat)).toBeLessThanOrEqual(0.08);
      expect(Math.abs(c.location!.lng - county.lng)).toBeLessThanOrEqual(0.08);
      expect(c.name).toMatch(/^[\u4e00-\u9fff]{2,20}$/);
    }
    // Every city is represented, the larger ones more.
    const byCity = new Map<string, number>();
    for (const c of sample) byCity.set(c.region.city, (byCity.get(c.region.city) ?? 0) + 1);
    expect(byCity.size).toBe(9);
    expect(byCity.get('quanzhou')!).toBeGreaterThan(byCity.get('sanming')!);
  });

  it('share some numbers (families, landlords and tenants): about 1% of customers', () => {
    const shared = [...holders.values()].filter((h) => h.length > 1);
    const customers = new Set(shared.flat().map((c) => c.account)).size;
    expect(customers / N).toBeGreaterThan(0.005);
    expect(customers / N).toBeLessThan(0.03);
    // Some numbers are a landlord's, given by several tenants of one building.
    const landlord = shared.find((h) => h.length >= 4);
    expect(landlord).toBeDefined();
    expect(new Set(landlord!.map((c) => c.stationId)).size).toBe(1);
  });

  it('flag a few VIP (about 0.5%) and sensitive (about 0.3%) customers, with a note for the sensitive ones', () => {
    const vip = sample.filter((c) => c.vip).length / N;
    const sensitive = sample.filter((c) => c.sensitive);
    expect(vip).toBeGreaterThan(0.002);
    expect(vip).toBeLessThan(0.01);
    expect(sensitive.length / N).toBeGreaterThan(0.001);
    expect(sensitive.length / N).toBeLessThan(0.006);
    for (const c of sensitive) expect(c.note).toBeTruthy();
  });

  it('mostly have a mobile; landlines carry the city area code', () => {
    const withMobile = sample.filter((c) => c.phones.some((p) => p.startsWith('1'))).length / N;
    const withLandline = sample.filter((c) => c.phones.some((p) => p.startsWith('0'))).length / N;
    expect(withMobile).toBeGreaterThan(0.7);
    expect(withLandline).toBeGreaterThan(0.2);
    expect(sample.every((c) => c.phones.length >= 1)).toBe(true);
  });

  it('refuses a negative count or a start past the numbering', () => {
    expect(() => [...generateCustomers({ seed: 1, count: -1 })]).toThrow(RangeError);
    expect(() => [...generateCustomers({ seed: 1, count: 1, start: 1e9 })]).toThrow(RangeError);
  });
});
