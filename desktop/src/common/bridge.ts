// THE bridge contract between the renderer and the rest of the console: one map of named operations, each with a zod
// schema for its input and its output. Everything else is derived from this object: the host's handler types, the
// Electron preload's list of names, the renderer client's typed `call`, and the validation on both sides. Adding an
// operation means adding one entry here and one handler in desktop/src/node/host/host.ts (tsc then demands it).
//
// Runs anywhere (VS Code's `common`): imports zod only, no Node, DOM or Electron.
import { z } from 'zod';
import { AccountNumberSchema, CustomerSchema } from '@twinline/customers';
import { BoardRow } from './board-row';

/** A Yjs document name as the board uses them (`region/fuzhou`). */
const DocName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9/_.-]{0,127}$/, 'doc must be 1-128 characters of a-z 0-9 / _ . - (e.g. region/fuzhou)');

/**
 * Largest single Yjs update the cache takes, in base64 characters. A city's first sync can be one update of several
 * MB (6.7 MB for a city of the 20,000-order demo), and a skipped update would be lost to an offline restart.
 */
export const MAX_UPDATE_BASE64 = 48 * 1024 * 1024;
/** Largest bridge request body in browser mode (one batch of updates plus JSON around it). */
export const MAX_BRIDGE_BODY = 64 * 1024 * 1024;

/** One Yjs update, base64 (standard alphabet, padded). */
const Base64Update = z.base64('update must be base64').min(4, 'update must not be empty').max(MAX_UPDATE_BASE64);

const DraftId = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'id must be 1-128 characters of A-Z a-z 0-9 _ . : -');

/** A draft's body is the renderer's own JSON text (the half-typed order form); at most 256 KiB, must parse. */
const DraftJson = z
  .string()
  .max(256 * 1024, 'json must be at most 256 KiB')
  .refine((text) => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  }, 'json must be valid JSON text');

const Draft = z.object({ id: DraftId, json: DraftJson, updatedAt: z.number().int().nonnegative() });

const CentreName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'centre name must be lower-case a-z 0-9 - (e.g. fuzhou)');

const urlWithScheme = (schemes: string[], what: string) =>
  z
    .string()
    .max(512)
    .refine(
      (text) => {
        try {
          const url = new URL(text);
          return schemes.includes(url.protocol) && url.host !== '' && url.username === '' && url.password === '';
        } catch {
          return false;
        }
      },
      `${what} must be a ${schemes.map((s) => s.replace(':', '://')).join(' or ')} URL without credentials`,
    );

export const Centre = z.strictObject({
  name: CentreName,
  /** The centre's WebSocket endpoint (board sync). */
  url: urlWithScheme(['ws:', 'wss:'], 'url'),
  /** The centre's HTTP endpoint (login, health). */
  http: urlWithScheme(['http:', 'https:'], 'http'),
  /** The centre's SIP server for softphones (Kamailio's WebSocket), when it runs one: the CSP must allow it. */
  sip: urlWithScheme(['ws:', 'wss:'], 'sip').optional(),
});
export type Centre = z.infer<typeof Centre>;

export const Language = z.enum(['zh-CN', 'en']);

/** A browser media device id (opaque; the phone falls back to the default device when it is not plugged in). */
const DeviceId = z.string().min(1).max(512);

const SettingsShape = z.strictObject({
  homeCentre: CentreName,
  centres: z.array(Centre).min(1, 'at least one centre').max(8),
  language: Language,
  /** The softphone's audio devices as the user chose them (absent: the system default). */
  audio: z
    .strictObject({ microphone: DeviceId.optional(), speaker: DeviceId.optional(), ringer: DeviceId.optional() })
    .optional(),
});

/** Every setting's name (each is stored on its own). */
export const SETTING_KEYS = Object.keys(SettingsShape.shape) as (keyof z.infer<typeof SettingsShape>)[];

/** The whole settings object: the home centre must be one of the centres, and centre names are unique. */
export const Settings = SettingsShape.superRefine((s, ctx) => {
  const names = s.centres.map((c) => c.name);
  if (new Set(names).size !== names.length) {
    ctx.addIssue({ code: 'custom', path: ['centres'], message: 'centre names must be unique' });
  }
  if (!names.includes(s.homeCentre)) {
    ctx.addIssue({
      code: 'custom',
      path: ['homeCentre'],
      message: `homeCentre must be one of the centres (${names.join(', ')})`,
    });
  }
});
export type Settings = z.infer<typeof Settings>;

const SecretKey = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'key must be 1-64 characters of A-Z a-z 0-9 _ . -');

const Empty = z.strictObject({});

/** Rows a console keeps (the board is sized for 20,000 open orders; room to spare). */
export const MAX_ROWS = 200_000;
/** Rows per cache.putRows call. */
export const MAX_ROWS_PER_PUT = 5000;

/** A city id as the board names them (`xiamen`); the host also checks it is one of the nine. */
const CityId = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'city must be a city id such as xiamen');

/** Customers per customers.apply call: the centre's largest delta page. */
export const MAX_CUSTOMERS_PER_APPLY = 5000;

/** Where the customer cache stands for one city: its customers and, per centre, the delta cursor. */
const CustomerCityStatus = z.object({
  city: z.string(),
  count: z.number().int().nonnegative(),
  cursors: z.array(
    z.object({
      centre: z.string(),
      /** The centre's delta version this console has applied up to (the twins number their changes apart). */
      version: z.number().int().nonnegative(),
      /** Epoch ms of the last page applied from this centre. */
      syncedAt: z.number().int().nonnegative(),
      /** Epoch ms of the last time the city was caught up at this centre (absent: never fully synced there). */
      caughtUpAt: z.number().int().nonnegative().optional(),
    }),
  ),
});

/** Points customers.inArea answers at most: a whole city of the million-customer demo (Quanzhou, 212,000). */
export const MAX_AREA_POINTS = 250_000;

/** A county (district) id as the board names them (`siming`); the host also checks it is one of the city's. */
const CountyId = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'county must be a county id such as siming');

/**
 * Customers of some counties as points, column by column (a county of the demo has 20,000; arrays of numbers parse
 * about three times faster than as many [account, lat, lng] tuples): customer i is `accounts[i]` at
 * (`lat[i]`, `lng[i]`), on the service point (台区) `servicePoints[servicePoint[i]]`.
 */
const AreaPoints = z
  .object({
    /** Customers of the counties in the cache, with a location or not. */
    total: z.number().int().nonnegative(),
    /** 1: every customer of the area is here; k > 1: about one in k, the area had more than `limit`. */
    step: z.number().int().positive(),
    /** Customers read but not plotted: the cache has no location for them. */
    withoutLocation: z.number().int().nonnegative(),
    servicePoints: z.array(z.string().min(1).max(64)),
    accounts: z.array(AccountNumberSchema).max(MAX_AREA_POINTS),
    lat: z.array(z.number().min(-90).max(90)).max(MAX_AREA_POINTS),
    lng: z.array(z.number().min(-180).max(180)).max(MAX_AREA_POINTS),
    servicePoint: z.array(z.number().int().nonnegative()).max(MAX_AREA_POINTS),
  })
  .superRefine((p, ctx) => {
    const n = p.accounts.length;
    for (const key of ['lat', 'lng', 'servicePoint'] as const)
      if (p[key].length !== n) ctx.addIssue({ code: 'custom', path: [key], message: `must have ${n} entries` });
    const sps = p.servicePoints.length;
    const bad = p.servicePoint.findIndex((i) => i >= sps);
    if (bad >= 0) ctx.addIssue({ code: 'custom', path: ['servicePoint', bad], message: `must be below ${sps}` });
  });

const op = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });

/** The handler map contract. Names are `area.verb`; every input is a strict object (unknown keys are rejected). */
export const bridge = {
  /** All stored updates of a board document (a compacted state first, then appends), base64. */
  'cache.loadDoc': op(z.strictObject({ doc: DocName }), z.object({ updates: z.array(z.base64()) })),
  /** Appends updates to a document's cache in one transaction; each must decode as a Yjs update. */
  'cache.appendUpdates': op(
    z.strictObject({ doc: DocName, updates: z.array(Base64Update).min(1).max(1000) }),
    z.object({}),
  ),
  /**
   * The board's last rows for these documents (a cold start shows them before the documents load), as stored: they
   * were checked on the way in (cache.putRows), and the window checks each again (`validRows`) and drops one that
   * no longer fits, rather than checking 20,000 rows twice on the cold-start path. The board worker writes every
   * row again once its documents are loaded.
   */
  'cache.loadRows': op(
    z.strictObject({ docs: z.array(DocName).max(64) }),
    z.object({ rows: z.array(z.unknown()).max(MAX_ROWS) }),
  ),
  /** Stores rows of one document (replacing by id) and forgets `removed`, in one transaction. */
  'cache.putRows': op(
    z.strictObject({
      doc: DocName,
      upserts: z.array(BoardRow).max(MAX_ROWS_PER_PUT),
      removed: z.array(z.string().max(128)).max(MAX_ROWS_PER_PUT),
    }),
    z.object({}),
  ),
  /**
   * Forgets a document's cached updates and rows (after the centre refused a write in it, the console reloads that
   * document from the centre: its replica holds something no centre will ever take).
   */
  'cache.clearDoc': op(z.strictObject({ doc: DocName }), z.object({ cleared: z.number().int().nonnegative() })),
  /** Where the cache lives, how many documents it holds, and whether a corrupt file was moved aside at start. */
  'cache.status': op(
    Empty,
    z.object({
      file: z.string(),
      /** Set when the cache file was unreadable at start: where the bad file was moved (it is kept, not deleted). */
      recoveredFrom: z.string().optional(),
      /** What SQLite said about the bad file, for the UI's notice. */
      recoveryReason: z.string().optional(),
      docs: z.number().int().nonnegative(),
    }),
  ),
  /** Half-typed orders that must survive a crash, newest first. */
  'drafts.list': op(Empty, z.object({ drafts: z.array(Draft) })),
  /** Stores a draft unless a newer one (greater updatedAt) is already stored; `stored` says which happened. */
  'drafts.put': op(Draft.strict(), z.object({ stored: z.boolean() })),
  'drafts.delete': op(z.strictObject({ id: DraftId }), z.object({ deleted: z.boolean() })),
  'settings.get': op(Empty, Settings),
  /** Changes some settings; the merged result must be valid as a whole, else nothing is written. Returns it. */
  'settings.set': op(SettingsShape.partial(), Settings),
  /** The login token and similar. `value` is null when the key is not set (or cannot be decrypted here). */
  'secrets.get': op(z.strictObject({ key: SecretKey }), z.object({ value: z.string().nullable() })),
  'secrets.set': op(
    z.strictObject({
      key: SecretKey,
      value: z
        .string()
        .min(1)
        .max(16 * 1024),
    }),
    z.object({}),
  ),
  'secrets.delete': op(z.strictObject({ key: SecretKey }), z.object({ deleted: z.boolean() })),
  /**
   * Writes one page of a centre's customer delta into the console's customer cache, in one transaction with the
   * (centre, city) cursor: `rows` are inserted or replaced by account, `removed` accounts deleted. Without
   * `nextVersion` the cursor is left alone (customers fetched by-phone). `caughtUp`: the page ended the delta.
   */
  'customers.apply': op(
    z
      .strictObject({
        centre: CentreName,
        city: CityId,
        rows: z.array(CustomerSchema).max(MAX_CUSTOMERS_PER_APPLY),
        removed: z.array(AccountNumberSchema).max(MAX_CUSTOMERS_PER_APPLY),
        nextVersion: z.number().int().nonnegative().optional(),
        caughtUp: z.boolean().optional(),
      })
      .superRefine((p, ctx) => {
        p.rows.forEach((c, i) => {
          if (c.region.city !== p.city)
            ctx.addIssue({ code: 'custom', path: ['rows', i, 'region', 'city'], message: `must be ${p.city}` });
        });
      }),
    z.object({
      changed: z.number().int().nonnegative(),
      removed: z.number().int().nonnegative(),
      /** Customers of the city in the cache afterwards. */
      count: z.number().int().nonnegative(),
    }),
  ),
  /** The customer cache: its file (and a bad one set aside at start), customers per city, and the delta cursors. */
  'customers.status': op(
    Empty,
    z.object({
      file: z.string(),
      recoveredFrom: z.string().optional(),
      recoveryReason: z.string().optional(),
      /** Quick search uses a trigram index (false: a slower scan). */
      fullText: z.boolean(),
      customers: z.number().int().nonnegative(),
      cities: z.array(CustomerCityStatus),
    }),
  ),
  /**
   * The screen-pop lookup in the cache: every customer with this number, normalised first (any spelling, a SIP URI or
   * From header). `phone` is null when the caller's number is not a phone number (withheld); `cities` narrows to the
   * user's readable cities.
   */
  'customers.byPhone': op(
    z.strictObject({ phone: z.string().min(1).max(200), cities: z.array(CityId).max(16).optional() }),
    z.object({ phone: z.string().nullable(), customers: z.array(CustomerSchema) }),
  ),
  /** Quick search in the cache for an unknown caller: name, address, account or phone (the centre's search rules). */
  'customers.search': op(
    z.strictObject({
      q: z.string().trim().min(1).max(100),
      city: CityId.optional(),
      cities: z.array(CityId).max(16).optional(),
      limit: z.number().int().min(1).max(100).default(20),
    }),
    z.object({ customers: z.array(CustomerSchema) }),
  ),
  /**
   * The outage drawing: the cached customers of some counties of a city as points, to plot and select from. Beyond
   * `limit` the area is thinned evenly (`step`), never cut off at a county.
   */
  'customers.inArea': op(
    z.strictObject({
      city: CityId,
      counties: z.array(CountyId).min(1).max(50),
      limit: z.number().int().min(1).max(MAX_AREA_POINTS).default(MAX_AREA_POINTS),
    }),
    AreaPoints,
  ),
  /** A desktop notification. Electron shows it; in browser mode the host cannot, and says so (`shown: false`). */
  notify: op(
    z.strictObject({ title: z.string().min(1).max(200), body: z.string().max(2000) }),
    z.object({ shown: z.boolean() }),
  ),
} as const;

export type Bridge = typeof bridge;
export type BridgeName = keyof Bridge;
/** What a caller passes (before zod defaults/transforms). */
export type BridgeInput<N extends BridgeName> = z.input<Bridge[N]['input']>;
/** What a handler receives (after validation). */
export type BridgeParsedInput<N extends BridgeName> = z.output<Bridge[N]['input']>;
/** What a handler returns. */
export type BridgeResultInput<N extends BridgeName> = z.input<Bridge[N]['output']>;
/** What a caller gets back (after validation). */
export type BridgeOutput<N extends BridgeName> = z.output<Bridge[N]['output']>;

/** The operations' names, in the map's order: what the preload exposes and the transports accept. */
export const bridgeNames = Object.keys(bridge) as BridgeName[];

export function isBridgeName(name: unknown): name is BridgeName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(bridge, name);
}

/** The implementation side: one async function per operation. */
export type BridgeHandlers = {
  [N in BridgeName]: (input: BridgeParsedInput<N>) => Promise<BridgeResultInput<N>>;
};

/**
 * Why a call failed. `bad_input`: the payload did not match the schema (nothing was done); `bad_output`: the
 * implementation returned something off-contract (a bug); `unknown_op`; `failed`: the handler threw; the rest are
 * transport-level (HTTP auth/origin/size, Electron sender check, host process down).
 */
export const BridgeErrorCode = z.enum([
  'bad_input',
  'bad_output',
  'unknown_op',
  'failed',
  'unauthorized',
  'forbidden',
  'too_large',
  'unavailable',
]);
export type BridgeErrorCode = z.infer<typeof BridgeErrorCode>;

export const BridgeFailure = z.object({ code: BridgeErrorCode, message: z.string() });
export type BridgeFailure = z.infer<typeof BridgeFailure>;

/** The envelope every transport carries (IPC and MessagePort as is; HTTP as status code + body). */
export type BridgeReply<T = unknown> = { ok: true; result: T } | { ok: false; error: BridgeFailure };
export const BridgeReplySchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: BridgeFailure }),
]);

export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What Electron's preload puts on `window.twinline`: the raw envelope, so error codes survive contextBridge (which
 * copies only an Error's message). Renderer code uses desktop/src/browser/bridge-client.ts, not this directly.
 */
export interface TwinlinePreloadApi {
  invoke<N extends BridgeName>(name: N, payload: BridgeInput<N>): Promise<BridgeReply<BridgeOutput<N>>>;
}

/** The IPC channel the preload and Electron's main process use. */
export const IPC_CHANNEL = 'twinline:invoke';
/** The header that carries the browser-mode host's per-launch token. */
export const TOKEN_HEADER = 'x-twinline-token';
