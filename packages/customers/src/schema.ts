// A customer record of the directory (电力客户档案) as the centre stores it, serves it and the console caches it.
import { z } from 'zod';
import { isDirectoryPhone } from './phone';

/** 户号: the customer's account number, 10 digits, unique. */
export const AccountNumberSchema = z.string().regex(/^\d{10}$/, '户号 must be 10 digits');

/** A normalised (see normalisePhone) mobile or landline with area code. */
export const DirectoryPhoneSchema = z
  .string()
  .refine(isDirectoryPhone, 'must be a normalised mobile (11 digits) or a landline with its area code');

const id = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a lowercase id such as xiamen or st-xiamen-siming');

export const CustomerSchema = z.object({
  account: AccountNumberSchema,
  /** 户名: a person or an organisation. */
  name: z.string().trim().min(1).max(64),
  /** Normalised, no duplicates; a number may belong to several customers (family members, a landlord). */
  phones: z
    .array(DirectoryPhoneSchema)
    .max(5)
    .refine((p) => new Set(p).size === p.length, 'phones must not repeat'),
  /** The dispatch region: one of the board's cities and a county (district) id of it. */
  region: z.object({ city: id, county: id }),
  /** Full postal address in Chinese, province to room. */
  address: z.string().trim().min(1).max(200),
  /** The power-supply service station (供电服务站) that serves the customer, e.g. st-xiamen-siming. */
  stationId: id,
  /** 计量点 / 台区: the transformer area the meter hangs off, `${stationId}-tq${nnnn}` in the demo data. */
  servicePoint: z.string().min(1).max(64),
  vip: z.boolean(),
  /** 敏感客户: e.g. a repeat complainer; the console warns before the call is answered. */
  sensitive: z.boolean(),
  /** Where the premises are (WGS-84), when known. */
  location: z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) }).optional(),
  /** A short note for the agent, e.g. why the customer is sensitive. */
  note: z.string().max(500).optional(),
});
export type Customer = z.infer<typeof CustomerSchema>;

/** A directory row as the centre serves it: the customer, its change counter and, for a removed customer, a tombstone. */
export const CustomerRecordSchema = CustomerSchema.extend({
  /** Raised on every change to the row; increasing across the whole directory, so deltas page by it. */
  version: z.number().int().positive(),
  deleted: z.boolean(),
});
export type CustomerRecord = z.infer<typeof CustomerRecordSchema>;

// HTTP answers of the centre's /api/customers endpoints, shared so the console parses what the centre sends.

export const ByPhoneResponseSchema = z.object({
  /** The normalised number that was looked up. */
  phone: z.string(),
  customers: z.array(CustomerRecordSchema),
});
export type ByPhoneResponse = z.infer<typeof ByPhoneResponseSchema>;

export const SearchResponseSchema = z.object({ customers: z.array(CustomerRecordSchema) });
export type SearchResponse = z.infer<typeof SearchResponseSchema>;

export const DeltaResponseSchema = z.object({
  city: z.string(),
  /** Changed (and removed) customers of the city with version > since, oldest change first. */
  rows: z.array(CustomerRecordSchema),
  /** Pass as `since` for the next page. Equal to `since` when nothing changed. */
  nextVersion: z.number().int().nonnegative(),
  /** True when the page was full: ask again with nextVersion. */
  more: z.boolean(),
});
export type DeltaResponse = z.infer<typeof DeltaResponseSchema>;
