import { describe, expect, it } from 'vitest';
import {
  CUSTOMER_CSV_COLUMNS,
  CUSTOMER_CSV_HEADER,
  checkCsvHeader,
  csvLine,
  customerFromCsv,
  customerToCsv,
} from './csv';
import { CustomerSchema } from './schema';
import type { Customer } from './schema';

const customer: Customer = {
  account: '5020000001',
  name: '林秀英',
  phones: ['13800138000', '05922123456'],
  region: { city: 'xiamen', county: 'siming' },
  address: '福建省厦门市思明区湖滨南路12号阳光花园3栋2单元1502室',
  stationId: 'st-xiamen-siming',
  servicePoint: 'st-xiamen-siming-tq0042',
  vip: true,
  sensitive: false,
  location: { lat: 24.4512, lng: 118.0833 },
  note: '老人独居, "重点关注"',
};

const record = (cells: Record<string, string>) => ({
  account: '5020000001',
  name: '林秀英',
  phones: '13800138000',
  city: 'xiamen',
  county: 'siming',
  address: '福建省厦门市思明区湖滨南路12号',
  station_id: 'st-xiamen-siming',
  service_point: 'st-xiamen-siming-tq0042',
  ...cells,
});

describe('the CSV contract', () => {
  it('round-trips a customer through its cells', () => {
    const cells = customerToCsv(customer);
    expect(cells).toHaveLength(CUSTOMER_CSV_COLUMNS.length);
    const rec = Object.fromEntries(CUSTOMER_CSV_COLUMNS.map((c, i) => [c, cells[i]!]));
    expect(customerFromCsv(rec)).toEqual({ ok: true, customer });
  });

  it('quotes cells with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', 'x\ny'])).toBe('a,"b,c","say ""hi""","x\ny"\n');
    expect(CUSTOMER_CSV_HEADER).toBe(`${CUSTOMER_CSV_COLUMNS.join(',')}\n`);
  });

  it('reads what people type: formatted numbers, other separators, 是/否, missing optional columns', () => {
    const r = customerFromCsv(
      record({ phones: '+86 138-0013-8000、0592-2123456; 138 0013 8000', vip: '是', sensitive: 'FALSE' }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.customer.phones).toEqual(['13800138000', '05922123456']);
    expect(r.customer.vip).toBe(true);
    expect(r.customer.sensitive).toBe(false);
    expect(r.customer.location).toBeUndefined();
    expect(CustomerSchema.parse(r.customer)).toEqual(r.customer);
  });

  it('gives local numbers the area code of the row city when the reader knows it', () => {
    const areaCodeOf = (city: string) => (city === 'xiamen' ? '0592' : undefined);
    const r = customerFromCsv(record({ phones: '2123456' }), { areaCodeOf });
    expect(r).toMatchObject({ ok: true, customer: { phones: ['05922123456'] } });
    // Without it a bare local number cannot be indexed, so the row is refused.
    expect(customerFromCsv(record({ phones: '2123456' })).ok).toBe(false);
  });

  it('names the column of every problem in a bad row', () => {
    const r = customerFromCsv(
      record({ account: '12345', phones: '13800138000|hello', vip: 'maybe', lat: '24.1', county: '' }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = r.errors.join('\n');
    expect(text).toMatch(/^account: /m);
    expect(text).toMatch(/^phones: not a phone number: "hello"/m);
    expect(text).toMatch(/^vip: /m);
    expect(text).toMatch(/^lat, lng: give both or neither/m);
    expect(text).toMatch(/^county: /m);
  });

  it('checks the header: required, unknown and repeated columns', () => {
    expect(checkCsvHeader([...CUSTOMER_CSV_COLUMNS])).toEqual([]);
    expect(
      checkCsvHeader(['name', 'account', 'phones', 'city', 'county', 'address', 'station_id', 'service_point']),
    ).toEqual([]);
    expect(checkCsvHeader(['account', 'name', 'colour', 'name'])).toEqual([
      'missing column(s): phones, city, county, address, station_id, service_point',
      'unknown column(s): colour',
      'repeated column(s): name',
    ]);
  });
});
