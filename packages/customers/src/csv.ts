// The CSV contract of the customer directory: the columns a file must have, how each cell reads, and how a
// customer is written. UTF-8 (a BOM is fine), comma-separated, RFC 4180 quoting, one header line naming the columns
// in any order. Parsing the file itself is the reader's job (the centre streams it with csv-parse); this module turns
// one record of cells into a validated Customer and back.
import type { z } from 'zod';
import { normalisePhone } from './phone';
import { CustomerSchema } from './schema';
import type { Customer } from './schema';

/** The columns, required ones first (the first eight: account … service_point). */
export const CUSTOMER_CSV_COLUMNS = [
  'account',
  'name',
  'phones',
  'city',
  'county',
  'address',
  'station_id',
  'service_point',
  'vip',
  'sensitive',
  'lat',
  'lng',
  'note',
] as const;
export type CustomerCsvColumn = (typeof CUSTOMER_CSV_COLUMNS)[number];

/** Columns a file must have; the others may be missing (then: not VIP, not sensitive, no location, no note). */
export const REQUIRED_CSV_COLUMNS: readonly CustomerCsvColumn[] = CUSTOMER_CSV_COLUMNS.slice(0, 8);

/** Written between the numbers of the phones cell; reading also accepts ; , ， and 、. */
export const PHONE_SEPARATOR = '|';
const PHONE_SPLIT = /[|;,，、]/;

const TRUE = new Set(['1', 'true', 'yes', 'y', '是']);
const FALSE = new Set(['', '0', 'false', 'no', 'n', '否']);

export interface CsvReadOptions {
  /** Area code (with trunk 0) of a city, given to bare local landline numbers in that city's rows. */
  areaCodeOf?: (city: string) => string | undefined;
}

export type CsvRowResult = { ok: true; customer: Customer } | { ok: false; errors: string[] };

/** Problems with a header line: required columns missing, unknown or repeated columns. Empty when it is fine. */
export function checkCsvHeader(header: readonly string[]): string[] {
  const problems: string[] = [];
  const names = header.map((h) => h.trim());
  const known = new Set<string>(CUSTOMER_CSV_COLUMNS);
  const missing = REQUIRED_CSV_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length) problems.push(`missing column(s): ${missing.join(', ')}`);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) problems.push(`unknown column(s): ${unknown.join(', ')}`);
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (repeated.length) problems.push(`repeated column(s): ${[...new Set(repeated)].join(', ')}`);
  return problems;
}

/** Where a Customer field comes from in the file, for error messages. */
function columnOf(path: readonly PropertyKey[]): string {
  const [head, sub] = path;
  if (head === 'region') return String(sub ?? 'city');
  if (head === 'location') return String(sub ?? 'lat');
  if (head === 'stationId') return 'station_id';
  if (head === 'servicePoint') return 'service_point';
  return String(head ?? 'row');
}

/** One record (column name → cell) as a validated customer, or the reasons it is not one, by column. */
export function customerFromCsv(
  record: Readonly<Record<string, string | undefined>>,
  opts: CsvReadOptions = {},
): CsvRowResult {
  const errors: string[] = [];
  const cell = (c: CustomerCsvColumn) => (record[c] ?? '').trim();
  const flag = (c: CustomerCsvColumn): boolean => {
    const v = cell(c).toLowerCase();
    if (TRUE.has(v)) return true;
    if (!FALSE.has(v)) errors.push(`${c}: expected 1/0, true/false or 是/否, got ${JSON.stringify(cell(c))}`);
    return false;
  };
  const num = (c: CustomerCsvColumn): number | undefined => {
    const v = cell(c);
    if (v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) errors.push(`${c}: not a number: ${JSON.stringify(v)}`);
    return n;
  };

  const city = cell('city');
  const areaCode = opts.areaCodeOf?.(city);
  const phones: string[] = [];
  for (const raw of cell('phones').split(PHONE_SPLIT)) {
    if (raw.trim() === '') continue;
    const phone = normalisePhone(raw, areaCode ? { areaCode } : {});
    if (phone === null) errors.push(`phones: not a phone number: ${JSON.stringify(raw.trim())}`);
    else if (!phones.includes(phone)) phones.push(phone);
  }
  const lat = num('lat');
  const lng = num('lng');
  if ((lat === undefined) !== (lng === undefined)) errors.push('lat, lng: give both or neither');
  const note = cell('note');
  const candidate = {
    account: cell('account'),
    name: cell('name'),
    phones,
    region: { city, county: cell('county') },
    address: cell('address'),
    stationId: cell('station_id'),
    servicePoint: cell('service_point'),
    vip: flag('vip'),
    sensitive: flag('sensitive'),
    ...(lat !== undefined && lng !== undefined ? { location: { lat, lng } } : {}),
    ...(note ? { note } : {}),
  };
  const parsed = CustomerSchema.safeParse(candidate);
  if (!parsed.success) errors.push(...describeIssues(parsed.error.issues));
  return errors.length ? { ok: false, errors } : { ok: true, customer: parsed.data! };
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${columnOf(i.path)}: ${i.message}`);
}

/** The customer's cells, in CUSTOMER_CSV_COLUMNS order. */
export function customerToCsv(c: Customer): string[] {
  return [
    c.account,
    c.name,
    c.phones.join(PHONE_SEPARATOR),
    c.region.city,
    c.region.county,
    c.address,
    c.stationId,
    c.servicePoint,
    c.vip ? '1' : '0',
    c.sensitive ? '1' : '0',
    c.location ? String(c.location.lat) : '',
    c.location ? String(c.location.lng) : '',
    c.note ?? '',
  ];
}

/** One CSV line (with its \n), quoting cells that hold a comma, a quote or a line break (RFC 4180). */
export function csvLine(cells: readonly string[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i]!;
    if (i > 0) line += ',';
    line += /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
  }
  return `${line}\n`;
}

/** The header line of a file written by customerToCsv. */
export const CUSTOMER_CSV_HEADER = csvLine(CUSTOMER_CSV_COLUMNS);
