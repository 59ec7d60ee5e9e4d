// SLA clocks of a work order: which milestones an order type owes, by when, and how close each one is.
// Pure rules: the time comes in as an argument, all calendar arithmetic is done by Luxon in the policy's zone
// (Asia/Shanghai by default), never in the zone of the machine that runs it.
// Defaults and their sources: docs/decisions/2026-11-23-sla-policy.md.
import { DateTime, IANAZone, Interval } from 'luxon';
import { z } from 'zod';
import { ConfigError, parseConfig } from '@twinline/config';
import { AREA_CLASSES, ORDER_TYPES, PRIORITIES } from './model';
import type { Action, AreaClass, OrderEvent, OrderType, Priority, WorkOrder } from './model';

/** The milestones a clock can run for, named after the step that stops it. */
export const SLA_KINDS = ['on_site', 'handle', 'reply', 'callback'] as const;
export type SlaKind = (typeof SLA_KINDS)[number];

/** What starts a clock: the acceptance (or the latest reopen), or the latest dispatch, handling or reply since. */
export const CLOCK_STARTS = ['accepted', 'dispatched', 'handled', 'replied'] as const;
export type ClockStart = (typeof CLOCK_STARTS)[number];

export const SLA_LEVELS = ['ok', 'warning', 'due_soon', 'overdue'] as const;
export type SlaLevel = (typeof SLA_LEVELS)[number];

/** The step that stops each clock, and the step that starts it. */
const STOPPED_BY: Record<SlaKind, Action> = {
  on_site: 'arrive',
  handle: 'handle',
  reply: 'reply',
  callback: 'callback',
};
const STARTED_BY: Record<Exclude<ClockStart, 'accepted'>, Action> = {
  dispatched: 'dispatch',
  handled: 'handle',
  replied: 'reply',
};

// ---- schema ---------------------------------------------------------------------------------------------------------

const hhmm = z.string().regex(/^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/, 'a time of day as HH:mm, 00:00 to 24:00');
const isoDate = z
  .string()
  .regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'an ISO date YYYY-MM-DD')
  .refine((s) => DateTime.fromISO(s).isValid, 'not a calendar date');

/** Opening hours in one zone, every day except the listed holidays. `00:00`–`24:00` is round the clock (7x24). */
export const CalendarSchema = z
  .strictObject({
    zone: z.string().refine((s) => IANAZone.isValidZone(s), 'an IANA time zone such as Asia/Shanghai'),
    open: hhmm,
    close: hhmm,
    /** ISO dates (in `zone`) on which business is closed all day. */
    holidays: z.array(isoDate).optional(),
  })
  .refine((c) => minuteOfDay(c.open) < minuteOfDay(c.close), {
    message: 'open must be before close (a calendar open across midnight is not supported)',
    path: ['close'],
  });
export type BusinessCalendar = z.infer<typeof CalendarSchema>;

const minutes = z
  .number()
  .positive('a positive number of minutes')
  .max(60 * 24 * 366, 'at most a year of minutes');
/** A target in minutes of the milestone's calendar: one number, or one per area class. */
const TargetMinutesSchema = z.union([
  minutes,
  z.strictObject(Object.fromEntries(AREA_CLASSES.map((a) => [a, minutes])) as Record<AreaClass, typeof minutes>),
]);

export const MilestonePolicySchema = z.strictObject({
  /** What starts the clock. */
  from: z.enum(CLOCK_STARTS),
  /** Minutes of the calendar allowed, before the priority factor. */
  minutes: TargetMinutesSchema,
  /** Name of a calendar in `calendars`; defaults to the order type's calendar. */
  calendar: z.string().min(1).optional(),
});
export type MilestonePolicy = z.infer<typeof MilestonePolicySchema>;

export const TypePolicySchema = z.strictObject({
  /** Name of a calendar in `calendars`. */
  calendar: z.string().min(1),
  /** The milestones this type owes; a type without `on_site` has no on-site clock. */
  milestones: z.strictObject({
    on_site: MilestonePolicySchema.optional(),
    handle: MilestonePolicySchema.optional(),
    reply: MilestonePolicySchema.optional(),
    callback: MilestonePolicySchema.optional(),
  }),
});
export type TypePolicy = z.infer<typeof TypePolicySchema>;

const fraction = z.number().min(0).max(1);

export const PolicySchema = z
  .strictObject({
    calendars: z.record(z.string().min(1), CalendarSchema),
    types: z.strictObject(
      Object.fromEntries(ORDER_TYPES.map((t) => [t, TypePolicySchema])) as Record<OrderType, typeof TypePolicySchema>,
    ),
    /** Multiplies the target minutes of the kinds in `priorityAppliesTo`: 1 keeps, 0.5 halves. */
    priorityFactor: z.strictObject(
      Object.fromEntries(
        PRIORITIES.map((p) => [p, z.number().gt(0, 'a factor above 0').max(1, 'a factor of at most 1')]),
      ) as Record<Priority, z.ZodNumber>,
    ),
    priorityAppliesTo: z.array(z.enum(SLA_KINDS)),
    levels: z
      .strictObject({
        /** `warning` when less than this share of the window is left. */
        warningShare: fraction,
        /** `due_soon` when less than this share of the window is left... */
        dueSoonShare: fraction,
        /** ...or fewer than this many calendar minutes. */
        dueSoonMinutes: z.number().min(0),
      })
      .refine((l) => l.dueSoonShare <= l.warningShare, {
        message: 'dueSoonShare must not exceed warningShare',
        path: ['dueSoonShare'],
      }),
  })
  .superRefine((policy, ctx) => {
    const known = Object.keys(policy.calendars);
    const check = (name: string | undefined, path: (string | number)[]) => {
      if (name !== undefined && !known.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `unknown calendar "${name}" (known: ${known.join(', ') || 'none'})`,
        });
      }
    };
    for (const type of ORDER_TYPES) {
      const tp = policy.types[type];
      check(tp.calendar, ['types', type, 'calendar']);
      for (const kind of SLA_KINDS)
        check(tp.milestones[kind]?.calendar, ['types', type, 'milestones', kind, 'calendar']);
    }
  });
export type SlaPolicy = z.infer<typeof PolicySchema>;

/** A policy that does not parse. `message` lists every problem with its path, one a line. */
export class SlaPolicyError extends ConfigError {
  override readonly name = 'SlaPolicyError';
}

/** Parses a policy from JSON text or an already-parsed value; throws SlaPolicyError naming each bad field. */
export function parsePolicy(json: unknown): SlaPolicy {
  return parseConfig(PolicySchema, json, 'SLA policy', (message, issues) => new SlaPolicyError(message, issues));
}

// ---- defaults -------------------------------------------------------------------------------------------------------

const ZONE = 'Asia/Shanghai';
const BUSINESS_DAY = 14 * 60; // one 7x14 day, 08:00-22:00

/**
 * The defaults. on_site for repair is the public power-supply commitment (45 / 90 / 120 minutes for urban / rural /
 * remote areas, repair intake 7x24); other business runs 7x14 (08:00-22:00) and counts business minutes only. The
 * remaining numbers are this project's choices, explained in docs/decisions/2026-11-23-sla-policy.md.
 */
export const DEFAULT_POLICY: SlaPolicy = parsePolicy({
  calendars: {
    intake: { zone: ZONE, open: '00:00', close: '24:00' },
    business: { zone: ZONE, open: '08:00', close: '22:00' },
  },
  types: {
    repair: {
      calendar: 'intake',
      milestones: {
        on_site: { from: 'accepted', minutes: { urban: 45, rural: 90, remote: 120 } },
        handle: { from: 'accepted', minutes: { urban: 240, rural: 360, remote: 480 } },
        reply: { from: 'handled', minutes: 60 },
        // customers are not called back at night: one business day on the 7x14 calendar
        callback: { from: 'replied', minutes: BUSINESS_DAY, calendar: 'business' },
      },
    },
    complaint: {
      calendar: 'business',
      milestones: {
        handle: { from: 'accepted', minutes: 24 * 60 },
        reply: { from: 'handled', minutes: 4 * 60 },
        callback: { from: 'replied', minutes: BUSINESS_DAY },
      },
    },
    consultation: {
      calendar: 'business',
      milestones: {
        reply: { from: 'accepted', minutes: 4 * 60 },
        callback: { from: 'replied', minutes: BUSINESS_DAY },
      },
    },
    inquiry: {
      calendar: 'business',
      milestones: {
        reply: { from: 'accepted', minutes: 4 * 60 },
        callback: { from: 'replied', minutes: BUSINESS_DAY },
      },
    },
    report: {
      calendar: 'business',
      milestones: {
        handle: { from: 'accepted', minutes: 5 * BUSINESS_DAY },
        reply: { from: 'handled', minutes: BUSINESS_DAY },
        callback: { from: 'replied', minutes: BUSINESS_DAY },
      },
    },
    suggestion: {
      calendar: 'business',
      milestones: {
        handle: { from: 'accepted', minutes: 5 * BUSINESS_DAY },
        reply: { from: 'handled', minutes: BUSINESS_DAY },
        callback: { from: 'replied', minutes: BUSINESS_DAY },
      },
    },
    outage: {
      // The master order of a mass outage: the restoration is the crews' on-site and handling clock, 7x24.
      calendar: 'intake',
      milestones: {
        on_site: { from: 'accepted', minutes: { urban: 45, rural: 90, remote: 120 } },
        handle: { from: 'accepted', minutes: { urban: 240, rural: 360, remote: 480 } },
      },
    },
    gov12345: {
      calendar: 'business',
      milestones: {
        handle: { from: 'accepted', minutes: 5 * BUSINESS_DAY },
        reply: { from: 'handled', minutes: BUSINESS_DAY },
        callback: { from: 'replied', minutes: BUSINESS_DAY },
      },
    },
  },
  priorityFactor: { normal: 1, urgent: 0.5, critical: 0.25 },
  // on_site is a travel time, not shortened by asking; the callback is centre work at its own pace
  priorityAppliesTo: ['handle', 'reply'],
  levels: { warningShare: 0.25, dueSoonShare: 0.1, dueSoonMinutes: 15 },
});

// ---- business-calendar arithmetic -----------------------------------------------------------------------------------

type TimeInput = Date | string | DateTime;

function minuteOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** A time as a Luxon DateTime in `zone`. Strings without an offset are read as local time of `zone`. */
export function toZoned(input: TimeInput, zone: string = ZONE): DateTime {
  const dt =
    input instanceof Date
      ? DateTime.fromJSDate(input, { zone })
      : typeof input === 'string'
        ? DateTime.fromISO(input, { zone })
        : input.setZone(zone);
  if (!dt.isValid)
    throw new RangeError(`not a valid time: ${String(input)} (${dt.invalidExplanation ?? dt.invalidReason})`);
  return dt;
}

/** The business window [open, close) of the calendar day that contains `t`, or null on a holiday. */
function dayWindow(t: DateTime, calendar: BusinessCalendar): Interval | null {
  const day = t.startOf('day');
  if (calendar.holidays?.includes(day.toISODate() ?? '')) return null;
  const at = (hhmm: string) => {
    const m = minuteOfDay(hhmm);
    return m === 24 * 60 ? day.plus({ days: 1 }) : day.set({ hour: Math.floor(m / 60), minute: m % 60 });
  };
  return Interval.fromDateTimes(at(calendar.open), at(calendar.close));
}

const MAX_DAYS = 3 * 366; // a calendar with no business day in three years is a configuration error

/** Yields the business windows from the day containing `from` onwards, clipped to start no earlier than `from`. */
function* windowsFrom(from: DateTime, calendar: BusinessCalendar): Generator<Interval> {
  let day = from.startOf('day');
  for (let i = 0; i < MAX_DAYS; i += 1, day = day.plus({ days: 1 })) {
    const w = dayWindow(day, calendar);
    if (!w || !w.end || w.end <= from) continue;
    yield w.start && w.start < from ? Interval.fromDateTimes(from, w.end) : w;
  }
  throw new RangeError(`calendar has no business hours within ${MAX_DAYS} days of ${from.toISO()}`);
}

/**
 * The time `minutes` business minutes after `start`, counting only the calendar's opening hours on non-holidays.
 * A start outside business hours begins counting at the next opening; a deadline that uses up a day's window exactly
 * is due at that day's close (not at the next opening). Returns a DateTime in the calendar's zone.
 */
export function addBusinessMinutes(start: TimeInput, minutes: number, calendar: BusinessCalendar): DateTime {
  if (!Number.isFinite(minutes) || minutes < 0)
    throw new RangeError(`minutes must be a finite number >= 0, got ${minutes}`);
  const from = toZoned(start, calendar.zone);
  let left = Math.round(minutes * 60_000);
  if (left === 0) return from;
  for (const w of windowsFrom(from, calendar)) {
    const span = w.toDuration().toMillis();
    if (left <= span) return (w.start as DateTime).plus({ milliseconds: left });
    left -= span;
  }
  throw new RangeError('unreachable'); // windowsFrom throws first
}

/** Business minutes between two times (negative when `to` is before `from`). */
export function businessMinutesBetween(from: TimeInput, to: TimeInput, calendar: BusinessCalendar): number {
  const a = toZoned(from, calendar.zone);
  const b = toZoned(to, calendar.zone);
  if (b < a) return -businessMinutesBetween(b, a, calendar);
  let ms = 0;
  for (const w of windowsFrom(a, calendar)) {
    if ((w.start as DateTime) >= b) break;
    const end = (w.end as DateTime) < b ? (w.end as DateTime) : b;
    ms += end.toMillis() - (w.start as DateTime).toMillis();
    if (end >= b) break;
  }
  return ms / 60_000;
}

// ---- deadlines ------------------------------------------------------------------------------------------------------

export interface Deadline {
  kind: SlaKind;
  /** What started the clock, and when (ISO with the calendar's offset, +08:00 by default). */
  from: ClockStart;
  startedAt: string;
  /** When the milestone is due (ISO with the calendar's offset). */
  due: string;
  /** The target in calendar minutes, after the priority factor. */
  minutes: number;
  /** Name of the calendar the clock counts in. */
  calendar: string;
  /** When the milestone was met, if it was; `late` when that was after `due`. */
  metAt?: string;
  late?: boolean;
}

const iso = (t: DateTime) => t.toISO({ suppressMilliseconds: true }) as string;

/** The events of the current cycle: everything since the latest reopen (a reopened order starts its clocks afresh). */
function currentCycle(order: WorkOrder): { acceptedAt: string; events: OrderEvent[] } {
  const history = order.history;
  let i = history.length - 1;
  while (i >= 0 && history[i]?.action !== 'reopen') i -= 1;
  if (i < 0) return { acceptedAt: order.createdAt, events: history.slice(1) };
  return { acceptedAt: (history[i] as OrderEvent).at, events: history.slice(i + 1) };
}

function targetMinutes(m: MilestonePolicy, kind: SlaKind, order: WorkOrder, policy: SlaPolicy): number {
  const base = typeof m.minutes === 'number' ? m.minutes : m.minutes[order.draft.region.areaClass];
  const factor = policy.priorityAppliesTo.includes(kind) ? policy.priorityFactor[order.draft.priority] : 1;
  return Math.ceil(base * factor);
}

/**
 * The milestones the order's type owes whose clocks have started, in the order of the policy (on_site, handle, reply,
 * callback). A clock starts at acceptance (or the latest reopen), or at the latest dispatch / handling / reply of the
 * current cycle; a milestone whose starting step has not happened yet is not listed. A send-back does not stop or
 * restart the clocks: the customer is still waiting.
 */
export function deadlinesFor(order: WorkOrder, policy: SlaPolicy = DEFAULT_POLICY): Deadline[] {
  const tp = policy.types[order.draft.type];
  const { acceptedAt, events } = currentCycle(order);
  const out: Deadline[] = [];
  for (const kind of SLA_KINDS) {
    const m = tp.milestones[kind];
    if (!m) continue;
    const calendarName = m.calendar ?? tp.calendar;
    const calendar = policy.calendars[calendarName] as BusinessCalendar;
    let startIndex = -1;
    let startedAt: string | undefined = acceptedAt;
    if (m.from !== 'accepted') {
      const starter = STARTED_BY[m.from];
      startIndex = events.findLastIndex((e) => e.action === starter);
      startedAt = events[startIndex]?.at;
    }
    if (startedAt === undefined) continue;
    const mins = targetMinutes(m, kind, order, policy);
    const start = toZoned(startedAt, calendar.zone);
    const due = addBusinessMinutes(start, mins, calendar);
    const deadline: Deadline = {
      kind,
      from: m.from,
      startedAt: iso(start),
      due: iso(due),
      minutes: mins,
      calendar: calendarName,
    };
    const met = events.slice(startIndex + 1).find((e) => e.action === STOPPED_BY[kind]);
    if (met) {
      const metAt = toZoned(met.at, calendar.zone);
      deadline.metAt = iso(metAt);
      deadline.late = metAt > due;
    }
    out.push(deadline);
  }
  return out;
}

// ---- status ---------------------------------------------------------------------------------------------------------

export interface SlaClock {
  kind: SlaKind;
  due: string;
  /** Wall-clock milliseconds until `due`; negative once overdue. What a countdown shows. */
  remainingMs: number;
  /** Calendar minutes until `due` (business minutes on a 7x14 calendar); negative once overdue. */
  remainingMinutes: number;
  level: SlaLevel;
}

export interface SlaStatus {
  /** The open milestone due first, if any. */
  next?: SlaClock;
  /** Every milestone still open, due first first. */
  open: SlaClock[];
  /** Some open milestone is past due. */
  overdue: boolean;
  /** The worst level over the open milestones; `ok` when nothing is open. */
  level: SlaLevel;
  /** Milestones of the current cycle that were met, but late. */
  late: SlaKind[];
}

const RANK: Record<SlaLevel, number> = { ok: 0, warning: 1, due_soon: 2, overdue: 3 };

function levelOf(left: number, total: number, remainingMs: number, policy: SlaPolicy): SlaLevel {
  if (remainingMs <= 0) return 'overdue';
  const { warningShare, dueSoonShare, dueSoonMinutes } = policy.levels;
  if (left < dueSoonMinutes || left < total * dueSoonShare) return 'due_soon';
  if (left < total * warningShare) return 'warning';
  return 'ok';
}

/**
 * How the order stands against its SLA at `now`: the next deadline, whether anything open is overdue, and a level for
 * colouring countdowns. A merged order owes nothing itself (its master carries the clocks).
 */
export function slaStatus(order: WorkOrder, now: Date | string, policy: SlaPolicy = DEFAULT_POLICY): SlaStatus {
  return statusOfDeadlines(order.state === 'merged' ? [] : deadlinesFor(order, policy), now, policy);
}

/**
 * The status at `now` of deadlines computed earlier by {@link deadlinesFor} (with the same policy): what a board row
 * that carries its deadlines shows, without the order's events.
 */
export function statusOfDeadlines(
  deadlines: readonly Deadline[],
  now: Date | string,
  policy: SlaPolicy = DEFAULT_POLICY,
): SlaStatus {
  const at = toZoned(now);
  const open: SlaClock[] = [];
  for (const d of deadlines) {
    if (d.metAt !== undefined) continue;
    const calendar = policy.calendars[d.calendar];
    if (!calendar) continue; // computed under another policy: nothing to count it in
    const due = toZoned(d.due, calendar.zone);
    const remainingMs = due.toMillis() - at.toMillis();
    const remainingMinutes = businessMinutesBetween(at, due, calendar);
    open.push({
      kind: d.kind,
      due: d.due,
      remainingMs,
      remainingMinutes,
      level: levelOf(remainingMinutes, d.minutes, remainingMs, policy),
    });
  }
  open.sort((a, b) => a.remainingMs - b.remainingMs);
  const level = open.reduce<SlaLevel>((worst, c) => (RANK[c.level] > RANK[worst] ? c.level : worst), 'ok');
  const status: SlaStatus = {
    open,
    overdue: open.some((c) => c.level === 'overdue'),
    level,
    late: deadlines.filter((d) => d.late).map((d) => d.kind),
  };
  if (open[0]) status.next = open[0];
  return status;
}
