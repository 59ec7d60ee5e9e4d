// SLA clocks of a work order: which milestones an order type owes, by when, and how close each one is.
// Pure rules: the time comes in as an argument, all calendar arithmetic is done in the policy's zone (Asia/Shanghai by
// default, offsets from Luxon), never in the zone of the machine that runs it. Clocks stop while an order is paused;
// each order type may have an escalation ladder (who is told, how long past which deadline).
// Defaults and their sources: docs/decisions/2026-11-23-sla-policy.md.
import { DateTime, IANAZone, Info } from 'luxon';
import { z } from 'zod';
import { ConfigError, parseConfig } from '@twinline/config';
import { RULES } from './machine';
import { AREA_CLASSES, ORDER_TYPES, PRIORITIES } from './model';
import type { Action, AreaClass, OrderEvent, OrderType, Priority, WorkOrder } from './model';

/** The milestones a clock can run for, named after the step that stops it. */
export const SLA_KINDS = ['on_site', 'handle', 'reply', 'callback'] as const;
export type SlaKind = (typeof SLA_KINDS)[number];

/** What starts a clock: the acceptance (or the latest reopen), or the latest dispatch, handling or reply since. */
export const CLOCK_STARTS = ['accepted', 'dispatched', 'handled', 'replied'] as const;
export type ClockStart = (typeof CLOCK_STARTS)[number];

/** How a countdown is coloured; `paused` when its clock stands still (the order is paused). */
export const SLA_LEVELS = ['ok', 'warning', 'due_soon', 'overdue', 'paused'] as const;
export type SlaLevel = (typeof SLA_LEVELS)[number];

/** Who an escalation step tells: the order's station, the centre's team lead (班长), the centre's manager. */
export const ESCALATION_TARGETS = ['station', 'team_lead', 'centre_manager'] as const;
export type EscalationTarget = (typeof ESCALATION_TARGETS)[number];

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

/** One rung of an escalation ladder: whom to tell once a milestone is this late. */
export const EscalationStepSchema = z.strictObject({
  /** The milestone whose lateness counts. */
  deadline: z.enum(SLA_KINDS),
  /** Minutes of the milestone's calendar past its due time (paused time not counted); 0 is at the due time. */
  after: z
    .number()
    .min(0, 'minutes past the deadline, 0 or more')
    .max(60 * 24 * 366, 'at most a year of minutes'),
  tell: z.enum(ESCALATION_TARGETS),
});
export type EscalationStep = z.infer<typeof EscalationStepSchema>;

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
  /** The escalation ladder of this type (none when absent): the centre writes each step once, when it falls due. */
  escalation: z.array(EscalationStepSchema).max(32).optional(),
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
      const markers = new Set<string>();
      tp.escalation?.forEach((step, i) => {
        if (!tp.milestones[step.deadline]) {
          ctx.addIssue({
            code: 'custom',
            path: ['types', type, 'escalation', i, 'deadline'],
            message: `${type} orders have no ${step.deadline} milestone`,
          });
        }
        const marker = ladderMarker(step);
        if (markers.has(marker))
          ctx.addIssue({
            code: 'custom',
            path: ['types', type, 'escalation', i],
            message: `${marker} is listed twice`,
          });
        markers.add(marker);
      });
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
      escalation: [
        // the crew is late: the station hears at once, the team lead after half an hour more
        { deadline: 'on_site', after: 0, tell: 'station' },
        { deadline: 'on_site', after: 30, tell: 'team_lead' },
        // still not handled: the team lead at the deadline, the centre's manager two hours on
        { deadline: 'handle', after: 0, tell: 'team_lead' },
        { deadline: 'handle', after: 120, tell: 'centre_manager' },
        // a forgotten reply or callback is the centre's own lateness
        { deadline: 'reply', after: 60, tell: 'team_lead' },
        { deadline: 'callback', after: 0, tell: 'team_lead' },
      ],
    },
    complaint: {
      calendar: 'business',
      milestones: {
        handle: { from: 'accepted', minutes: 24 * 60 },
        reply: { from: 'handled', minutes: 4 * 60 },
        callback: { from: 'replied', minutes: BUSINESS_DAY },
      },
      escalation: [
        // a complaint is the centre's reputation: the team lead is told of any lateness, the manager of a long one
        { deadline: 'handle', after: 0, tell: 'team_lead' },
        { deadline: 'handle', after: 4 * 60, tell: 'centre_manager' },
        { deadline: 'reply', after: 0, tell: 'team_lead' },
        { deadline: 'callback', after: 0, tell: 'team_lead' },
        { deadline: 'callback', after: BUSINESS_DAY, tell: 'centre_manager' },
      ],
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
//
// Done on epoch milliseconds: a board recomputes the clocks of 20,000 orders and the centre checks their ladders every
// minute, and Luxon resolving an IANA zone on every step cost ~100-300 µs an order. The zone's offset comes from Luxon
// (Intl), looked up once per hour of time and remembered; local days, opening hours and holidays are plain arithmetic.

type TimeInput = Date | string | DateTime;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MAX_DAYS = 3 * 366; // a calendar with no business day in three years is a configuration error

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

/** ISO times with an explicit offset, as every stored event carries: read without Luxon. */
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A time as epoch milliseconds. Strings without an offset are read as local time of `zone`. */
function toMs(input: TimeInput, zone: string): number {
  if (typeof input === 'string' && WITH_OFFSET.test(input)) {
    const t = Date.parse(input);
    if (!Number.isNaN(t)) return t;
  }
  if (input instanceof Date && !Number.isNaN(input.getTime())) return input.getTime();
  return toZoned(input, zone).toMillis();
}

/** Minutes east of UTC at an instant, per zone; constant zones answer at once, others are remembered per hour. */
type OffsetAt = (ms: number) => number;
const offsetsByZone = new Map<string, { offset: OffsetAt; universal: boolean }>();

function zoneOffsets(name: string): { offset: OffsetAt; universal: boolean } {
  let known = offsetsByZone.get(name);
  if (known) return known;
  const zone = Info.normalizeZone(name);
  if (!zone.isValid) throw new RangeError(`not a time zone: ${name}`);
  if (zone.isUniversal) {
    const fixed = zone.offset(0);
    known = { offset: () => fixed, universal: true };
  } else {
    const byHour = new Map<number, number>();
    known = {
      universal: false,
      offset: (ms) => {
        const hour = Math.floor(ms / HOUR_MS);
        let o = byHour.get(hour);
        if (o === undefined) {
          const first = zone.offset(hour * HOUR_MS);
          // an hour in which the offset changes (a daylight-saving switch) is asked about each time
          o = first === zone.offset(hour * HOUR_MS + HOUR_MS - 1) ? first : NaN;
          if (byHour.size > 50_000) byHour.clear();
          byHour.set(hour, o);
        }
        return Number.isNaN(o) ? zone.offset(ms) : o;
      },
    };
  }
  offsetsByZone.set(name, known);
  return known;
}

/** A calendar ready for arithmetic; built once per calendar object (and again if its fields are replaced). */
interface Compiled {
  source: BusinessCalendar;
  zone: string;
  open: string;
  close: string;
  holidayList: readonly string[] | undefined;
  holidayCount: number;
  openMs: number;
  closeMs: number;
  /** Local day numbers (days since 1970-01-01 in the zone) on which business is closed. */
  holidays: Set<number>;
  /** 00:00-24:00 with no holidays: plain elapsed time. */
  roundTheClock: boolean;
  offset: OffsetAt;
  universal: boolean;
}
const compiledCalendars = new WeakMap<BusinessCalendar, Compiled>();

function compile(calendar: BusinessCalendar): Compiled {
  const hit = compiledCalendars.get(calendar);
  if (
    hit &&
    hit.zone === calendar.zone &&
    hit.open === calendar.open &&
    hit.close === calendar.close &&
    hit.holidayList === calendar.holidays &&
    hit.holidayCount === (calendar.holidays?.length ?? 0)
  )
    return hit;
  const holidays = new Set<number>();
  for (const d of calendar.holidays ?? []) {
    const [y, m, day] = d.split('-').map(Number);
    holidays.add(Date.UTC(y ?? 0, (m ?? 1) - 1, day ?? 1) / DAY_MS);
  }
  const openMs = minuteOfDay(calendar.open) * MINUTE_MS;
  const closeMs = minuteOfDay(calendar.close) * MINUTE_MS;
  const compiled: Compiled = {
    source: calendar,
    zone: calendar.zone,
    open: calendar.open,
    close: calendar.close,
    holidayList: calendar.holidays,
    holidayCount: calendar.holidays?.length ?? 0,
    openMs,
    closeMs,
    holidays,
    roundTheClock: openMs === 0 && closeMs === DAY_MS && holidays.size === 0,
    ...zoneOffsets(calendar.zone),
  };
  compiledCalendars.set(calendar, compiled);
  return compiled;
}

/** The local day (days since 1970-01-01 in the calendar's zone) that contains `ms`. */
function localDay(c: Compiled, ms: number): number {
  return Math.floor((ms + c.offset(ms) * MINUTE_MS) / DAY_MS);
}

/**
 * The instant of a local wall-clock time (ms since the local epoch). A time that happens twice (clocks going back) is
 * its first occurrence; a time that does not happen (clocks going forward) moves on by the gap.
 */
function fromLocal(c: Compiled, local: number): number {
  if (c.universal) return local - c.offset(0) * MINUTE_MS;
  const before = c.offset(local - DAY_MS);
  const after = c.offset(local + DAY_MS);
  const early = local - before * MINUTE_MS;
  if (before === after && c.offset(early) === before) return early; // no clock change near this time
  const late = local - after * MINUTE_MS;
  const earlyFits = c.offset(early) === before;
  const lateFits = c.offset(late) === after;
  if (earlyFits && lateFits) return Math.min(early, late);
  if (lateFits) return late;
  return early;
}

/** `ms` as ISO 8601 in the calendar's zone, as Luxon writes it (seconds always, milliseconds only when not zero). */
function isoIn(c: Compiled, ms: number): string {
  const o = c.offset(ms);
  const local = new Date(ms + o * MINUTE_MS).toISOString();
  const body = local.slice(0, ms % 1000 === 0 ? 19 : 23);
  if (o === 0 && c.universal) return `${body}Z`;
  const a = Math.abs(o);
  return `${body}${o < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** The instant `ms` business milliseconds after `from` (see {@link addBusinessMinutes}). */
function addBusinessMs(c: Compiled, from: number, ms: number): number {
  if (ms === 0 || c.roundTheClock) return from + ms;
  let left = ms;
  let day = localDay(c, from);
  for (let i = 0; i < MAX_DAYS; i += 1, day += 1) {
    if (c.holidays.has(day)) continue;
    const end = fromLocal(c, day * DAY_MS + c.closeMs);
    if (end <= from) continue;
    const open = fromLocal(c, day * DAY_MS + c.openMs);
    const start = open < from ? from : open;
    if (left <= end - start) return start + left;
    left -= end - start;
  }
  throw new RangeError(`calendar has no business hours within ${MAX_DAYS} days of ${isoIn(c, from)}`);
}

/** Business milliseconds in [a, b), for a <= b. */
function businessMsBetween(c: Compiled, a: number, b: number): number {
  if (c.roundTheClock || b <= a) return Math.max(0, b - a);
  let ms = 0;
  let day = localDay(c, a);
  for (let i = 0; i < MAX_DAYS; i += 1, day += 1) {
    if (c.holidays.has(day)) continue;
    const end = fromLocal(c, day * DAY_MS + c.closeMs);
    if (end <= a) continue;
    const open = fromLocal(c, day * DAY_MS + c.openMs);
    const start = open < a ? a : open;
    if (start >= b) return ms;
    if (end >= b) return ms + (b - start);
    ms += end - start;
  }
  throw new RangeError(`calendar has no business hours within ${MAX_DAYS} days of ${isoIn(c, a)}`);
}

/**
 * The time `minutes` business minutes after `start`, counting only the calendar's opening hours on non-holidays.
 * A start outside business hours begins counting at the next opening; a deadline that uses up a day's window exactly
 * is due at that day's close (not at the next opening). Returns a DateTime in the calendar's zone.
 */
export function addBusinessMinutes(start: TimeInput, minutes: number, calendar: BusinessCalendar): DateTime {
  if (!Number.isFinite(minutes) || minutes < 0)
    throw new RangeError(`minutes must be a finite number >= 0, got ${minutes}`);
  const from = toMs(start, calendar.zone);
  const due = addBusinessMs(compile(calendar), from, Math.round(minutes * MINUTE_MS));
  return DateTime.fromMillis(due, { zone: calendar.zone });
}

/** Business minutes between two times (negative when `to` is before `from`). */
export function businessMinutesBetween(from: TimeInput, to: TimeInput, calendar: BusinessCalendar): number {
  const c = compile(calendar);
  const a = toMs(from, calendar.zone);
  const b = toMs(to, calendar.zone);
  return b < a ? -businessMsBetween(c, b, a) / MINUTE_MS : businessMsBetween(c, a, b) / MINUTE_MS;
}

// ---- paused clocks --------------------------------------------------------------------------------------------------

/** A stop of an order's clocks as the order records it (`WorkOrder.pauses`); open while `until` is absent. */
export interface ClockPause {
  at: string;
  until?: string;
}

export interface ClockRun {
  /** When the clock reaches its target; for a clock standing still, when it would were it resumed at `pausedAt`. */
  due: DateTime;
  /** Calendar milliseconds by which ended pauses moved `due`. */
  pausedMs: number;
  /** The clock stands still since then (an open pause, clipped to the clock's start). */
  pausedAt?: DateTime;
}

interface Run {
  due: number;
  pausedMs: number;
  pausedAt?: number;
}

/**
 * Runs one clock: started at `start`, `minutes` of `calendar` to go, stopped while the order is paused. Each pause
 * that begins before the clock is due (and before `stop`, when the milestone was met) moves the due time later by the
 * calendar time it covered: business minutes only, so a pause overnight on the 08:00-22:00 calendar adds none of the
 * night. A pause that begins once the clock is due, or once it was met, changes nothing (an overdue clock that is then
 * paused stays overdue by as much as it was). An open pause stands the clock still: `due` is then what it would be were
 * the clock resumed at the pause's start, and `pausedAt` says since when. Pauses are taken in the order recorded; a
 * pause starting before the clock did counts only from the start, and time already counted as paused is not counted
 * twice.
 */
export function runClock(
  start: TimeInput,
  minutes: number,
  calendar: BusinessCalendar,
  pauses: readonly ClockPause[],
  stop?: TimeInput,
): ClockRun {
  const zone = calendar.zone;
  const stopMs = stop === undefined ? undefined : toMs(stop, zone);
  const run = runClockMs(compile(calendar), toMs(start, zone), minutes * MINUTE_MS, pauses, stopMs);
  const out: ClockRun = { due: DateTime.fromMillis(run.due, { zone }), pausedMs: run.pausedMs };
  if (run.pausedAt !== undefined) out.pausedAt = DateTime.fromMillis(run.pausedAt, { zone });
  return out;
}

function runClockMs(c: Compiled, start: number, ms: number, pauses: readonly ClockPause[], stop?: number): Run {
  const run: Run = { due: addBusinessMs(c, start, Math.round(ms)), pausedMs: 0 };
  let floor = start; // nothing before this is counted (again)
  for (const p of pauses) {
    const at = toMs(p.at, c.zone);
    const from = at < floor ? floor : at;
    if (stop !== undefined && from >= stop) break;
    if (p.until === undefined) {
      run.pausedAt = from;
      break;
    }
    if (from >= run.due) continue;
    let until = toMs(p.until, c.zone);
    if (stop !== undefined && until > stop) until = stop;
    if (until <= from) continue;
    floor = until;
    const paused = businessMsBetween(c, from, until);
    if (paused > 0) {
      run.due = addBusinessMs(c, run.due, paused);
      run.pausedMs += paused;
    }
  }
  return run;
}

/** Calendar milliseconds a clock started at `start` has run by `to`, paused time not counted. */
function elapsedMs(c: Compiled, start: number, to: number, pauses: readonly ClockPause[]): number {
  if (to <= start) return 0;
  let ms = businessMsBetween(c, start, to);
  let floor = start;
  for (const p of pauses) {
    const at = toMs(p.at, c.zone);
    const from = at < floor ? floor : at;
    if (from >= to) break;
    const u = p.until === undefined ? to : toMs(p.until, c.zone);
    const until = u > to ? to : u;
    if (until <= from) continue;
    floor = until;
    ms -= businessMsBetween(c, from, until);
  }
  return ms;
}

// ---- deadlines ------------------------------------------------------------------------------------------------------

export interface Deadline {
  kind: SlaKind;
  /** What started the clock, and when (ISO with the calendar's offset, +08:00 by default). */
  from: ClockStart;
  startedAt: string;
  /**
   * When the milestone is due (ISO with the calendar's offset), later by the pauses before it. While `paused`, the
   * time it would be due were the clock resumed at `pausedAt`: it moves on for as long as the pause lasts.
   */
  due: string;
  /** The target in calendar minutes, after the priority factor. */
  minutes: number;
  /** Name of the calendar the clock counts in. */
  calendar: string;
  /** When the milestone was met, if it was; `late` when that was after `due`. */
  metAt?: string;
  late?: boolean;
  /** The clock is open and stands still now: the order is paused (since `pausedAt`). */
  paused?: true;
  pausedAt?: string;
  /** Calendar minutes by which ended pauses moved `due` (absent when none did). */
  pausedMinutes?: number;
}

/**
 * Whether `e` starts a new cycle of the order's clocks: a reopening, or a dissatisfied callback (which sends the order
 * back to its station to be worked again: on site, handle and reply are owed afresh, from the callback).
 */
const startsCycle = (e: OrderEvent) =>
  e.action === 'reopen' || (e.action === 'callback' && e.satisfaction === 'dissatisfied');

/** The events of the current cycle: everything since the latest reopening (its clocks start afresh there). */
function currentCycle(order: WorkOrder): { acceptedAt: string; events: OrderEvent[] } {
  const history = order.history;
  let i = history.length - 1;
  while (i >= 0 && !startsCycle(history[i]!)) i -= 1;
  if (i < 0) return { acceptedAt: order.createdAt, events: history.slice(1) };
  return { acceptedAt: (history[i] as OrderEvent).at, events: history.slice(i + 1) };
}

function targetMinutes(m: MilestonePolicy, kind: SlaKind, order: WorkOrder, policy: SlaPolicy): number {
  const base = typeof m.minutes === 'number' ? m.minutes : m.minutes[order.draft.region.areaClass];
  const factor = policy.priorityAppliesTo.includes(kind) ? policy.priorityFactor[order.draft.priority] : 1;
  return Math.ceil(base * factor);
}

/** One started clock of an order: what deadlinesFor reports and the escalation ladder counts from. */
interface Clock {
  kind: SlaKind;
  from: ClockStart;
  calendarName: string;
  calendar: Compiled;
  start: number;
  minutes: number;
  /** The events after the one that started the clock (of the current cycle). */
  since: OrderEvent[];
  met?: number;
}

function clocksOf(order: WorkOrder, policy: SlaPolicy): Clock[] {
  const tp = policy.types[order.draft.type];
  const { acceptedAt, events } = currentCycle(order);
  const out: Clock[] = [];
  for (const kind of SLA_KINDS) {
    const m = tp.milestones[kind];
    if (!m) continue;
    const calendarName = m.calendar ?? tp.calendar;
    const calendar = compile(policy.calendars[calendarName] as BusinessCalendar);
    let startIndex = -1;
    let startedAt: string | undefined = acceptedAt;
    if (m.from !== 'accepted') {
      const starter = STARTED_BY[m.from];
      startIndex = events.findLastIndex((e) => e.action === starter);
      startedAt = events[startIndex]?.at;
    }
    if (startedAt === undefined) continue;
    const since = events.slice(startIndex + 1);
    const met = since.find((e) => e.action === STOPPED_BY[kind]);
    const clock: Clock = {
      kind,
      from: m.from,
      calendarName,
      calendar,
      start: toMs(startedAt, calendar.zone),
      minutes: targetMinutes(m, kind, order, policy),
      since,
    };
    if (met) clock.met = toMs(met.at, calendar.zone);
    out.push(clock);
  }
  return out;
}

function toDeadline(c: Clock, run: Run): Deadline {
  const deadline: Deadline = {
    kind: c.kind,
    from: c.from,
    startedAt: isoIn(c.calendar, c.start),
    due: isoIn(c.calendar, run.due),
    minutes: c.minutes,
    calendar: c.calendarName,
  };
  if (c.met !== undefined) {
    deadline.metAt = isoIn(c.calendar, c.met);
    deadline.late = c.met > run.due;
  } else if (run.pausedAt !== undefined) {
    deadline.paused = true;
    deadline.pausedAt = isoIn(c.calendar, run.pausedAt);
  }
  if (run.pausedMs > 0) deadline.pausedMinutes = run.pausedMs / MINUTE_MS;
  return deadline;
}

/** The pauses of an order (an order folded by an older version, e.g. from a cache, has none recorded). */
const pausesOf = (order: WorkOrder): readonly ClockPause[] => (order.pauses as ClockPause[] | undefined) ?? [];

/**
 * The milestones the order's type owes whose clocks have started, in the order of the policy (on_site, handle, reply,
 * callback). A clock starts at acceptance (or the latest reopen), or at the latest dispatch / handling / reply of the
 * current cycle; a milestone whose starting step has not happened yet is not listed. A send-back does not stop or
 * restart the clocks: the customer is still waiting. A pause stops every clock that is running (see {@link runClock});
 * an open clock of a paused order is marked `paused`.
 */
export function deadlinesFor(order: WorkOrder, policy: SlaPolicy = DEFAULT_POLICY): Deadline[] {
  const pauses = pausesOf(order);
  return clocksOf(order, policy).map((c) =>
    toDeadline(c, runClockMs(c.calendar, c.start, c.minutes * MINUTE_MS, pauses, c.met)),
  );
}

// ---- status ---------------------------------------------------------------------------------------------------------

export interface SlaClock {
  kind: SlaKind;
  due: string;
  /**
   * Wall-clock milliseconds until `due`; negative once overdue. What a countdown shows. For a clock standing still,
   * what was left when it stopped (`due` − `pausedAt`), frozen.
   */
  remainingMs: number;
  /** Calendar minutes until `due` (business minutes on a 7x14 calendar); negative once overdue. Frozen when paused. */
  remainingMinutes: number;
  /** `paused` for a clock standing still, whatever was left (an overdue clock that is paused stays overdue by as much). */
  level: SlaLevel;
  paused?: true;
}

export interface SlaStatus {
  /** The open milestone due first, if any. */
  next?: SlaClock;
  /** Every milestone still open, due first first. */
  open: SlaClock[];
  /** Some open milestone whose clock runs is past due. */
  overdue: boolean;
  /** Some open milestone's clock stands still (the order is paused). */
  paused: boolean;
  /** The worst level over the open milestones (a running warning outranks paused); `ok` when nothing is open. */
  level: SlaLevel;
  /** Milestones of the current cycle that were met, but late. */
  late: SlaKind[];
}

const RANK: Record<SlaLevel, number> = { ok: 0, paused: 1, warning: 2, due_soon: 3, overdue: 4 };

function levelOf(left: number, total: number, remainingMs: number, policy: SlaPolicy): SlaLevel {
  if (remainingMs <= 0) return 'overdue';
  const { warningShare, dueSoonShare, dueSoonMinutes } = policy.levels;
  if (left < dueSoonMinutes || left < total * dueSoonShare) return 'due_soon';
  if (left < total * warningShare) return 'warning';
  return 'ok';
}

/** Signed business minutes from `a` to `b`. */
const minutesBetween = (c: Compiled, a: number, b: number) =>
  (b < a ? -businessMsBetween(c, b, a) : businessMsBetween(c, a, b)) / MINUTE_MS;

/**
 * How the order stands against its SLA at `now`: the next deadline, whether anything open is overdue, and a level for
 * colouring countdowns. A merged order owes nothing itself (its master carries the clocks).
 */
export function slaStatus(order: WorkOrder, now: Date | string, policy: SlaPolicy = DEFAULT_POLICY): SlaStatus {
  return statusOfDeadlines(order.state === 'merged' ? [] : deadlinesFor(order, policy), now, policy);
}

/**
 * The status at `now` of deadlines computed earlier by {@link deadlinesFor} (with the same policy): what a board row
 * that carries its deadlines shows, without the order's events. A paused deadline must keep `paused` and `pausedAt`.
 */
export function statusOfDeadlines(
  deadlines: readonly Deadline[],
  now: Date | string,
  policy: SlaPolicy = DEFAULT_POLICY,
): SlaStatus {
  const at = toMs(now, ZONE);
  const open: SlaClock[] = [];
  for (const d of deadlines) {
    if (d.metAt !== undefined) continue;
    const calendar = policy.calendars[d.calendar];
    if (!calendar) continue; // computed under another policy: nothing to count it in
    const c = compile(calendar);
    const due = toMs(d.due, c.zone);
    if (d.paused && d.pausedAt !== undefined) {
      const stoppedAt = toMs(d.pausedAt, c.zone);
      open.push({
        kind: d.kind,
        due: d.due,
        remainingMs: due - stoppedAt,
        remainingMinutes: minutesBetween(c, stoppedAt, due),
        level: 'paused',
        paused: true,
      });
      continue;
    }
    const remainingMs = due - at;
    const remainingMinutes = minutesBetween(c, at, due);
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
    paused: open.some((c) => c.paused),
    level,
    late: deadlines.filter((d) => d.late).map((d) => d.kind),
  };
  if (open[0]) status.next = open[0];
  return status;
}

// ---- escalation ladder ----------------------------------------------------------------------------------------------

/**
 * The mark an escalation step leaves in the reason of the `escalate` event that carries it out, e.g.
 * `[ladder:on_site+30:team_lead]`. An order whose events of the running clock hold it has had that step.
 */
export function ladderMarker(step: EscalationStep): string {
  return `[ladder:${step.deadline}+${step.after}:${step.tell}]`;
}

export interface EscalationDue {
  step: EscalationStep;
  /** What the `escalate` event's reason must contain (see {@link ladderMarker}). */
  marker: string;
  /** The milestone the step counts from, as {@link deadlinesFor} reports it. */
  deadline: Deadline;
  /** When the step fell due: `after` calendar minutes past the deadline, paused time not counted. */
  dueAt: string;
  /** Calendar minutes the milestone is late at `now` (rounded down), paused time not counted. */
  lateMinutes: number;
}

/**
 * The steps of the order type's escalation ladder that are due at `now` and not yet done, the earliest first. A step
 * is due when its milestone's clock runs (started, not met, in a state that can still be escalated) and has spent
 * `after` calendar minutes past the due time; paused time does not count, so a paused order falls due for nothing new
 * while it stands still (a step that fell due before the pause is still due). A step is done when an `escalate` event
 * since the clock started carries its marker in the reason, by whichever centre or person wrote it: the rule can be
 * run again anywhere (both centres, after restarts) without repeating itself. A reopened order, whose clocks start
 * afresh, can have its ladder again.
 */
export function escalationsDue(order: WorkOrder, policy: SlaPolicy, now: Date | string): EscalationDue[] {
  const ladder = policy.types[order.draft.type].escalation;
  if (!ladder?.length || !RULES.escalate.from.includes(order.state)) return [];
  const nowMs = toMs(now, ZONE);
  const pauses = pausesOf(order);
  const due: EscalationDue[] = [];
  const dueMs = new Map<EscalationDue, number>();
  let clocks: Clock[] | undefined;
  for (const step of ladder) {
    clocks ??= clocksOf(order, policy);
    const c = clocks.find((x) => x.kind === step.deadline);
    // not started, met, or not even due by the wall clock (business minutes never run faster than it)
    if (!c || c.met !== undefined || c.start + (c.minutes + step.after) * MINUTE_MS > nowMs) continue;
    const marker = ladderMarker(step);
    if (c.since.some((e) => e.action === 'escalate' && e.reason?.includes(marker))) continue;
    const run = runClockMs(c.calendar, c.start, (c.minutes + step.after) * MINUTE_MS, pauses);
    const counted = run.pausedAt === undefined || run.pausedAt > nowMs ? nowMs : run.pausedAt; // the clock ran until
    if (run.due > counted) continue;
    const late = elapsedMs(c.calendar, c.start, counted, pauses) / MINUTE_MS - c.minutes;
    const item: EscalationDue = {
      step,
      marker,
      deadline: toDeadline(c, runClockMs(c.calendar, c.start, c.minutes * MINUTE_MS, pauses)),
      dueAt: isoIn(c.calendar, run.due),
      lateMinutes: Math.floor(Math.max(step.after, late)),
    };
    due.push(item);
    dueMs.set(item, run.due);
  }
  return due.sort((a, b) => (dueMs.get(a) ?? 0) - (dueMs.get(b) ?? 0));
}
