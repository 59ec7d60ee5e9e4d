// Declaring a mass outage (停电事件): the form as plain strings, turned into the master order's draft (type outage,
// with its cause, area and expected restoration) and validated with the work-order schemas; issues are mapped back
// to the form's fields. The master order lives in the city's board document like any order.
import { OrderDraftSchema, OUTAGE_CAUSES } from '@twinline/workorder';
import type { OrderDraft, OutageCause, Priority } from '@twinline/workorder';
import { countyOf } from '../drafts/form';

export interface OutageFormValues {
  city: string;
  cause: OutageCause;
  priority: Priority;
  /** County ids of the city, whole districts out. */
  counties: string[];
  /** Streets, as typed: separated by 、，, or new lines. */
  streets: string;
  /** Service point ids, as typed: separated by spaces, commas or new lines. */
  servicePoints: string;
  /** The county the service points were drawn in (AreaDraw), for the order's region when no whole county is out. */
  pointCounty?: string;
  /** `datetime-local` value (the console's wall clock, Asia/Shanghai for these users). */
  expectedRestoreAt: string;
  description: string;
}

export type OutageField = keyof OutageFormValues | 'area';

/** The hotline stands in for a caller's number: an outage is declared by staff, not by a call. */
export const OUTAGE_CALLER = '95598';

/** A `datetime-local` value `hours` from now, in this machine's time zone. */
export function localInput(at: number): string {
  const d = new Date(at - new Date(at).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function emptyOutageForm(city: string, now = Date.now()): OutageFormValues {
  return {
    city,
    cause: OUTAGE_CAUSES[0],
    priority: 'urgent',
    counties: [],
    streets: '',
    servicePoints: '',
    expectedRestoreAt: localInput(now + 2 * 3600_000),
    description: '',
  };
}

const split = (text: string, by: RegExp) => [
  ...new Set(
    text
      .split(by)
      .map((s) => s.trim())
      .filter(Boolean),
  ),
];

/** Service points an outage lists at most (OutageAreaSchema's limit; declare.test.ts holds the two together). */
export const MAX_OUTAGE_SERVICE_POINTS = 5000;

/** The service point ids of the form's text, each once, in order. */
export const parseServicePoints = (text: string): string[] => split(text, /[\s,，;；]+/);

/**
 * The form's service points with `ids` added (each once, the typed ones first), or how many there would be when
 * that is over the outage's limit (then nothing is added).
 */
export function mergeServicePoints(
  text: string,
  ids: readonly string[],
  max = MAX_OUTAGE_SERVICE_POINTS,
): { text: string; total: number; added: number } | { over: true; total: number } {
  const before = parseServicePoints(text);
  const merged = [...new Set([...before, ...ids])];
  if (merged.length > max) return { over: true, total: merged.length };
  return { text: merged.join(', '), total: merged.length, added: merged.length - before.length };
}

/** The order's address holds at most this many characters (OrderDraftSchema). */
const MAX_ADDRESS = 200;
const AREA_SUFFIX = '（停电范围）';

/** The area's line for the order's address: its counties and streets, else its service points (a few, then how many). */
function addressOf(words: string, servicePoints: readonly string[]): string {
  let where = words;
  if (!where && servicePoints.length)
    where =
      servicePoints.length <= 3
        ? servicePoints.join('、')
        : `${servicePoints.slice(0, 2).join('、')} 等 ${servicePoints.length} 个台区`;
  if (!where) return '';
  const room = MAX_ADDRESS - AREA_SUFFIX.length;
  return `${where.length > room ? `${where.slice(0, room - 1)}…` : where}${AREA_SUFFIX}`;
}

/** The area in words, for the order's address line: "鼓楼区、台江区、五四路". */
export function areaText(
  v: Pick<OutageFormValues, 'city' | 'counties' | 'streets'>,
  countyName: (id: string) => string,
) {
  return [...v.counties.map(countyName), ...split(v.streets, /[、，,;；\n]+/)].join('、');
}

/**
 * The master order's draft, or the fields that are wrong (in the schema's words). The order's county is the first
 * county of the area, else the declaring station's.
 */
export function outageDraft(
  v: OutageFormValues,
  opts: { homeCounty?: string; countyName: (id: string) => string },
): { draft: OrderDraft } | { errors: Partial<Record<OutageField, string>> } {
  const streets = split(v.streets, /[、，,;；\n]+/);
  const servicePoints = parseServicePoints(v.servicePoints);
  const county = v.counties[0] ?? (servicePoints.length ? v.pointCounty : undefined) ?? opts.homeCounty ?? '';
  const restore = v.expectedRestoreAt ? new Date(v.expectedRestoreAt) : null;
  const errors: Partial<Record<OutageField, string>> = {};
  if (!restore || Number.isNaN(restore.getTime())) errors.expectedRestoreAt = 'required';
  const candidate = {
    type: 'outage',
    channel: 'internal',
    priority: v.priority,
    region: { city: v.city, county, areaClass: countyOf(v.city, county)?.areaClass },
    address: addressOf(areaText(v, opts.countyName), servicePoints),
    callerNumber: OUTAGE_CALLER,
    description: v.description.trim(),
    outage: {
      cause: v.cause,
      area: { counties: v.counties, streets, servicePoints },
      expectedRestoreAt: restore && !Number.isNaN(restore.getTime()) ? restore.toISOString() : '',
    },
  };
  const parsed = OrderDraftSchema.safeParse(candidate);
  if (parsed.success && Object.keys(errors).length === 0) return { draft: parsed.data };
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const [top, second, third] = issue.path;
    const field: OutageField =
      top === 'outage'
        ? second === 'area'
          ? third === 'streets'
            ? 'streets'
            : third === 'servicePoints'
              ? 'servicePoints'
              : 'area'
          : second === 'expectedRestoreAt'
            ? 'expectedRestoreAt'
            : 'cause'
        : top === 'region'
          ? 'counties'
          : top === 'address'
            ? 'area'
            : ((top as OutageField | undefined) ?? 'description');
    errors[field] ??= issue.message;
  }
  return { errors };
}
