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
] as const;
export const CHANNELS = ['phone', 'app', 'gov12345', 'walk_in'] as const;
export const PRIORITIES = ['normal', 'urgent', 'critical'] as const;
export const AREA_CLASSES = ['urban', 'rural', 'remote'] as const;
export const ROLES = ['agent', 'dispatcher', 'team_lead', 'admin'] as const;
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
] as const;

export type OrderType = (typeof ORDER_TYPES)[number];
export type Channel = (typeof CHANNELS)[number];
export type Priority = (typeof PRIORITIES)[number];
export type AreaClass = (typeof AREA_CLASSES)[number];
export type Role = (typeof ROLES)[number];
export type Satisfaction = (typeof SATISFACTION)[number];
export type OrderState = (typeof STATES)[number];
export type Action = (typeof ACTIONS)[number];

const id = z.string().min(1).max(64);
const text = (max: number) => z.string().max(max);
const isoTime = z.string().datetime({ offset: true });

/** Who did something: the user, the role they acted in, their station if a dispatcher, and the centre they were on. */
export const ActorSchema = z.object({
  userId: id,
  role: z.enum(ROLES),
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
});
export type OrderDraft = z.infer<typeof OrderDraftSchema>;

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
  /** When the order last changed state, for SLA clocks and retention. */
  stateSince: string;
  /** Events that were applied, in the order they took effect. */
  history: OrderEvent[];
}
