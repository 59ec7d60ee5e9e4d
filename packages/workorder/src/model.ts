// The words of a work order: its kinds, states, roles and the shape of every event in its life.
// Validated with zod at every boundary; the types are inferred from the schemas, so there is one definition of each.
import { z } from 'zod';

export const ORDER_TYPES = [
  'repair',
  'complaint',
  'consultation',
  'inquiry',
  'report',
  'suggestion',
  'gov12345',
  'outage', // 停电信息 (a mass outage: the master order its area's calls are merged under)
] as const;
export const CHANNELS = ['phone', 'app', 'gov12345', 'walk_in', 'internal'] as const;
export const PRIORITIES = ['normal', 'urgent', 'critical'] as const;
export const AREA_CLASSES = ['urban', 'rural', 'remote'] as const;
/** The roles people sign in with. */
export const ROLES = ['agent', 'dispatcher', 'team_lead', 'admin'] as const;
/**
 * Who acts on orders: the people above, and `crew`, a station's field crew. A crew never signs in to the board; the
 * centre writes its steps (from the crew's mobile page) with the crew as the actor (`userId` the crew id).
 */
export const ACTOR_ROLES = [...ROLES, 'crew'] as const;
export const SATISFACTION = ['very_satisfied', 'satisfied', 'neutral', 'dissatisfied', 'unreachable'] as const;

/** The closed loop (闭环), in order, plus `merged` for a child under a mass-outage master order. */
export const STATES = [
  'accepted', // 受理
  'dispatched', // 派单
  'taken', // 接单
  'assigned', // 派工
  'on_site', // 到达现场
  'handled', // 处理
  'replied', // 回单
  'called_back', // 回访
  'archived', // 归档
  'merged', // 并单 (child of a master order)
] as const;

/** Every step a user can take on an order. Some move the state, some (urge, escalate, edit) do not. */
export const ACTIONS = [
  'create',
  'dispatch',
  'take',
  'assign',
  'arrive',
  'handle',
  'reply',
  'callback',
  'archive',
  'send_back',
  'urge',
  'escalate',
  'reopen',
  'merge',
  'restore', // an outage is over: its master order closes, the orders merged under it go to callback
  'accept', // the assigned crew accepts the job (from its mobile page)
  'pause', // the SLA clocks stop, with a reason (customer not at home, waiting for parts)
  'resume', // they run again
  'callback_attempt', // a callback call that did not reach the customer (after three, unreachable may be recorded)
  'evaluate', // two-way evaluation after archiving: the centre rates the station, the station the centre
] as const;

export type OrderType = (typeof ORDER_TYPES)[number];
export type Channel = (typeof CHANNELS)[number];
export type Priority = (typeof PRIORITIES)[number];
export type AreaClass = (typeof AREA_CLASSES)[number];
export type Role = (typeof ROLES)[number];
export type ActorRole = (typeof ACTOR_ROLES)[number];
export type Satisfaction = (typeof SATISFACTION)[number];
export type OrderState = (typeof STATES)[number];
export type Action = (typeof ACTIONS)[number];

const id = z.string().min(1).max(64);
const text = (max: number) => z.string().max(max);
const isoTime = z.string().datetime({ offset: true });
/** A crew member's id as the station's roster writes it (checked in form only: the roster may no longer have it). */
export const MemberIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'a member id: letters, digits, _ . : -');

/** Who did something: the user, the role they acted in, their station if a dispatcher, and the centre they were on. */
export const ActorSchema = z.object({
  userId: id,
  role: z.enum(ACTOR_ROLES),
  centre: id,
  stationId: id.optional(),
});
export type Actor = z.infer<typeof ActorSchema>;

export const RegionSchema = z.object({
  city: id,
  county: id,
  areaClass: z.enum(AREA_CLASSES),
});
export type Region = z.infer<typeof RegionSchema>;

/** Why the power is off (停电原因 as the notices name it). */
export const OUTAGE_CAUSES = ['fault', 'planned', 'weather', 'external_damage', 'upstream'] as const;
export type OutageCause = (typeof OUTAGE_CAUSES)[number];

/**
 * The area an outage covers, within the order's city: whole counties (districts), streets (matched as words in an
 * address) and service points (台区/计量点 ids of the customer directory). At least one of them.
 */
export const OutageAreaSchema = z
  .object({
    counties: z.array(id).max(50).default([]),
    streets: z.array(text(40).trim().min(2)).max(200).default([]),
    servicePoints: z.array(id).max(5000).default([]),
  })
  .refine((a) => a.counties.length + a.streets.length + a.servicePoints.length > 0, {
    message: 'an outage covers at least one county, street or service point',
  });
export type OutageArea = z.infer<typeof OutageAreaSchema>;

/** What a mass-outage master order declares besides its draft: cause, area and the expected restoration. */
export const OutageSchema = z.object({
  cause: z.enum(OUTAGE_CAUSES),
  area: OutageAreaSchema,
  /** When power is expected back (shown to callers' agents, updated as the crews learn more). */
  expectedRestoreAt: isoTime,
});
export type Outage = z.infer<typeof OutageSchema>;

/** What an agent types when opening an order (受理). */
export const OrderDraftSchema = z.object({
  type: z.enum(ORDER_TYPES),
  channel: z.enum(CHANNELS),
  priority: z.enum(PRIORITIES),
  region: RegionSchema,
  address: text(200).min(1),
  callerNumber: z.string().regex(/^\+?[0-9]{3,20}$/, 'a phone number of 3-20 digits'),
  callerName: text(60).optional(),
  customerAccount: text(32).optional(),
  description: text(2000).min(1),
  /** Only on an order of type `outage` (and there it is required). */
  outage: OutageSchema.optional(),
});
export type OrderDraft = z.infer<typeof OrderDraftSchema>;

/** Why a crew's record does not add up (kept with the record, never silently trusted or dropped). */
export const EVIDENCE_FLAGS = [
  'too_far', // the phone's location is far from the order's address
  'no_location', // the phone gave no location
  'too_early', // arrival claimed before the crew could have got there (or before the assignment)
  'offline_late', // recorded offline, arrived at the centre much later than it says it was made
  'clock_skew', // the phone's clock disagrees with the server's
  'photo_reused', // the same photo (by content) was used before
  'photo_old', // the photo's own time is well before the arrival
  'photo_far', // the photo's own place is far from the address
  'photo_no_metadata', // the photo carries no time or place of its own
  'member_unknown', // names members the crew's roster does not have (left since an offline record, or never in it)
] as const;
export type EvidenceFlag = (typeof EVIDENCE_FLAGS)[number];

/** What the centre recorded when a crew reported from its mobile page (accept, arrive, handle, reply). */
export const EvidenceSchema = z.object({
  /** The centre's own clock when the record reached it. */
  serverAt: isoTime,
  /** When the phone says it was made (for an offline record, possibly long before serverAt). */
  deviceAt: isoTime.optional(),
  offline: z.boolean(),
  location: z
    .object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180), accuracyM: z.number().min(0) })
    .optional(),
  /** Metres from the order's address (demo coordinates), when both are known. */
  distanceM: z.number().min(0).optional(),
  photos: z
    .array(
      z.object({
        /** The centre's id for the stored photo. */
        id,
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        bytes: z.number().int().positive(),
        takenAt: isoTime.optional(),
        lat: z.number().min(-90).max(90).optional(),
        lng: z.number().min(-180).max(180).optional(),
      }),
    )
    .max(10),
  flags: z.array(z.object({ code: z.enum(EVIDENCE_FLAGS), detail: text(200) })).max(20),
  /**
   * The roster ids of the crew's members who were on the job when it reported, as the crew sent them (absent on older
   * records); ids its roster did not have when it was recorded are kept too, flagged `member_unknown`.
   */
  members: z.array(MemberIdSchema).max(30).optional(),
  /**
   * The recording centre's seal: HMAC-SHA256 (hex) over the order id and the whole event without this field, with a
   * key derived from the twins' shared peer secret (sync-server/src/crews/sign.ts). Every crew event a centre writes
   * has one; the guard refuses a crew event relayed by a console without a valid one (absent on older records).
   */
  sig: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

/** One step in an order's life, as stored in the board document. `by` is who, `at` when, `centre` where. */
export const OrderEventSchema = z.object({
  id,
  action: z.enum(ACTIONS),
  by: ActorSchema,
  at: isoTime,
  stationId: id.optional(), // dispatch: to which station
  crewId: id.optional(), // assign: to which crew
  masterId: id.optional(), // merge: under which master order
  reason: text(500).optional(), // send_back, escalate, reopen
  note: text(2000).optional(), // handle, reply, urge, callback: what the user typed
  satisfaction: z.enum(SATISFACTION).optional(), // callback
  score: z.number().int().min(1).max(5).optional(), // evaluate: 1 (poor) to 5 (excellent)
  evidence: EvidenceSchema.optional(), // accept, arrive, handle, reply by a crew
});
export type OrderEvent = z.infer<typeof OrderEventSchema>;

export const CommentSchema = z.object({
  id,
  by: ActorSchema,
  at: isoTime,
  text: text(4000).min(1),
});
export type Comment = z.infer<typeof CommentSchema>;

/** The state of an order derived from its draft and its events (never stored, always folded). */
export interface WorkOrder {
  id: string;
  draft: OrderDraft;
  createdAt: string;
  createdBy: Actor;
  state: OrderState;
  stationId?: string;
  crewId?: string;
  masterId?: string;
  satisfaction?: Satisfaction;
  urgeCount: number;
  escalation: number;
  reopenCount: number;
  /** Callback calls that did not reach the customer, since the order was last replied. */
  callbackAttempts: number;
  /** The SLA clocks are stopped since this pause (absent while they run). */
  paused?: { at: string; reason: string; by: Actor };
  /** Every pause of the clocks (ended ones with `until`), shown on the order. */
  pauses: { at: string; until?: string; reason: string; by: Actor }[];
  /** When the assigned crew accepted the current assignment. */
  acceptedByCrewAt?: string;
  /** The two-way evaluation after archiving: the centre's of the station, the station's of the centre. */
  evaluations: {
    centre?: { score: number; note?: string; by: Actor; at: string };
    station?: { score: number; note?: string; by: Actor; at: string };
  };
  /** When the order last changed state, for SLA clocks and retention. */
  stateSince: string;
  /** Events that were applied, in the order they took effect. */
  history: OrderEvent[];
}
