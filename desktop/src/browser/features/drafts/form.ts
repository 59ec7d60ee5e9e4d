// The new-order form as plain strings (what the inputs hold), turned into an OrderDraft and validated with
// OrderDraftSchema; issues are mapped back to the form's fields.
import { OrderDraftSchema } from '@twinline/workorder';
import type { Channel, OrderDraft, OrderType, Priority } from '@twinline/workorder';
import { FUJIAN_CITIES } from '@twinline/demo-data';

export interface OrderFormValues {
  type: OrderType;
  channel: Channel;
  priority: Priority;
  callerNumber: string;
  callerName: string;
  customerAccount: string;
  city: string;
  county: string;
  address: string;
  description: string;
}

export type FormField = keyof OrderFormValues;

export const FORM_FIELDS: readonly FormField[] = [
  'type',
  'channel',
  'priority',
  'callerNumber',
  'callerName',
  'customerAccount',
  'city',
  'county',
  'address',
  'description',
];

export function emptyForm(city = ''): OrderFormValues {
  return {
    type: 'repair',
    channel: 'phone',
    priority: 'normal',
    callerNumber: '',
    callerName: '',
    customerAccount: '',
    city,
    county: '',
    address: '',
    description: '',
  };
}

/** True when the user typed nothing worth keeping (type/channel/priority/city alone are not a draft). */
export function isBlank(v: OrderFormValues): boolean {
  return (
    !v.callerNumber && !v.callerName && !v.customerAccount && !v.county && !v.address.trim() && !v.description.trim()
  );
}

export function countyOf(city: string, county: string) {
  return FUJIAN_CITIES.find((c) => c.id === city)?.counties.find((k) => k.id === county);
}

/** The form as an OrderDraft candidate (optional fields left out when empty; areaClass from the county). */
export function toDraftInput(v: OrderFormValues): unknown {
  const county = countyOf(v.city, v.county);
  const out: Record<string, unknown> = {
    type: v.type,
    channel: v.channel,
    priority: v.priority,
    region: { city: v.city, county: v.county, areaClass: county?.areaClass },
    address: v.address.trim(),
    callerNumber: v.callerNumber.trim(),
    description: v.description.trim(),
  };
  if (v.callerName.trim()) out.callerName = v.callerName.trim();
  if (v.customerAccount.trim()) out.customerAccount = v.customerAccount.trim();
  return out;
}

/** Why a field is not valid, as an i18n key under `form.errors`. */
export type FieldErrorKey = 'required' | 'phone' | 'tooLong' | 'choose' | 'invalid';

export type FormErrors = Partial<Record<FormField, FieldErrorKey>>;

export type ValidationResult = { ok: true; draft: OrderDraft } | { ok: false; errors: FormErrors };

export function validateForm(v: OrderFormValues): ValidationResult {
  const parsed = OrderDraftSchema.safeParse(toDraftInput(v));
  if (parsed.success) return { ok: true, draft: parsed.data };
  const errors: FormErrors = {};
  for (const issue of parsed.error.issues) {
    const [head, sub] = issue.path as (string | number)[];
    let field: FormField | undefined;
    if (head === 'region') field = sub === 'city' ? 'city' : 'county';
    else if (typeof head === 'string' && (FORM_FIELDS as readonly string[]).includes(head)) field = head as FormField;
    if (!field || errors[field]) continue;
    errors[field] = errorKey(field, issue.code, v);
  }
  if (!v.city) errors.city = 'choose';
  if (!v.county) errors.county = 'choose';
  return { ok: false, errors };
}

function errorKey(field: FormField, code: string, v: OrderFormValues): FieldErrorKey {
  if (field === 'city' || field === 'county') return 'choose';
  if (code === 'too_big') return 'tooLong';
  if (field === 'callerNumber') return v.callerNumber.trim() ? 'phone' : 'required';
  if (code === 'too_small') return 'required';
  return 'invalid';
}

/** Parses a stored draft's JSON back into form values; anything off-shape falls back to the empty form's value. */
export function parseFormJson(json: string): OrderFormValues | null {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const base = emptyForm();
  const out = { ...base };
  for (const f of FORM_FIELDS) {
    const value = r[f];
    if (typeof value === 'string') (out as Record<string, string>)[f] = value;
  }
  return out;
}
