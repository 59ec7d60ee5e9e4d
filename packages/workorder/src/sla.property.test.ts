// Paused SLA clocks and the escalation ladder against a brute-force model that walks the clock minute by minute: a
// minute counts when it is inside the calendar's opening hours on a working day and the order is not paused. Random
// calendars (any opening hours, holidays), random starts, targets and pauses (before the start, across nights and
// holidays, still open), with and without the milestone being met.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { applyEvent, createOrder } from './machine';
import type { Actor, OrderDraft, OrderEvent, WorkOrder } from './model';
import { DEFAULT_POLICY, deadlinesFor, escalationsDue, parsePolicy, runClock, statusOfDeadlines } from './sla';
import type { BusinessCalendar, ClockPause, EscalationStep, SlaPolicy } from './sla';

const ZONE = 'Asia/Shanghai'; // UTC+8 all year (no daylight saving since 1991), so the model can count in plain minutes
const OFFSET = 8 * 60;
const BASE = Date.parse('2026-11-20T00:00:00+08:00') / 60_000; // epoch minutes, a Shanghai midnight
const DAYS = 60; // every time a run can reach lies within this many days of BASE

// ---- the model --------------------------------------------------------------------------------------------------------

interface Cal {
  open: number; // minute of day
  close: number; // minute of day, after open, at most 1440
  holidays: number[]; // day numbers after BASE's day
}

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const isoDay = (day: number) => DateTime.fromMillis((BASE + day * 1440) * 60_000, { zone: ZONE }).toISODate()!;
const at = (minute: number) => DateTime.fromMillis(minute * 60_000, { zone: ZONE });
const isoAt = (minute: number) => at(minute).toISO({ suppressMilliseconds: true })!;
const minuteOf = (iso: string) => Date.parse(iso) / 60_000;

function calendarOf(c: Cal): BusinessCalendar {
  return { zone: ZONE, open: hhmm(c.open), close: hhmm(c.close), holidays: c.holidays.map(isoDay) };
}

function isBusiness(c: Cal, minute: number): boolean {
  const local = minute + OFFSET;
  const day = Math.floor(local / 1440) - Math.floor((BASE + OFFSET) / 1440);
  const m = ((local % 1440) + 1440) % 1440;
  return !c.holidays.includes(day) && m >= c.open && m < c.close;
}

/** A closed pause [from, to) of the model, already clipped to the clock's start and stop. */
type Span = [number, number];

/** Minute the clock reaches `target` counted minutes, skipping closed minutes and paused spans. */
function modelDue(c: Cal, start: number, target: number, paused: Span[]): number {
  let counted = 0;
  for (let m = start; ; m++) {
    if (m > start + DAYS * 1440) throw new Error('model ran off its range');
    if (!isBusiness(c, m) || paused.some(([a, b]) => m >= a && m < b)) continue;
    counted += 1;
    if (counted === target) return m + 1;
  }
}

/** Counted minutes in [start, to). */
function modelElapsed(c: Cal, start: number, to: number, paused: Span[]): number {
  let counted = 0;
  for (let m = start; m < to; m++) if (isBusiness(c, m) && !paused.some(([a, b]) => m >= a && m < b)) counted += 1;
  return counted;
}

// ---- generators -------------------------------------------------------------------------------------------------------

const calArb: fc.Arbitrary<Cal> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Cal>({ open: 0, close: 1440, holidays: [] }) },
  {
    weight: 4,
    arbitrary: fc
      .record({
        open: fc.integer({ min: 0, max: 22 * 60 }),
        len: fc.integer({ min: 120, max: 24 * 60 }),
        holidays: fc.uniqueArray(fc.integer({ min: 0, max: 12 }), { maxLength: 4 }),
      })
      .map(({ open, len, holidays }) => ({ open, close: Math.min(1440, open + len), holidays })),
  },
);

/** Pauses as the order records them, from `first` on: in order, not overlapping, the last possibly open. */
interface PauseGaps {
  spans: [gap: number, length: number][];
  open?: number;
}
const pauseGapsArb: fc.Arbitrary<PauseGaps> = fc.record(
  {
    spans: fc.array(fc.tuple(fc.integer({ min: 0, max: 2 * 1440 }), fc.integer({ min: 1, max: 1440 })), {
      maxLength: 4,
    }),
    open: fc.integer({ min: 0, max: 1440 }),
  },
  { requiredKeys: ['spans'] },
);

function pausesFrom(first: number, g: PauseGaps): { at: number; until?: number }[] {
  const out: { at: number; until?: number }[] = [];
  let t = first;
  for (const [gap, len] of g.spans) {
    out.push({ at: t + gap, until: t + gap + len });
    t += gap + len;
  }
  if (g.open !== undefined) out.push({ at: t + g.open });
  return out;
}

// ---- runClock against the model ---------------------------------------------------------------------------------------

describe('runClock (property, against a minute-by-minute model)', () => {
  it('moves the due time by the calendar time each pause covered, and not for pauses once due or met', () => {
    fc.assert(
      fc.property(
        calArb,
        fc.integer({ min: 0, max: 3 * 1440 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: -300, max: 1440 }),
        pauseGapsArb,
        fc.option(fc.integer({ min: 0, max: 5 * 1440 }), { nil: undefined }),
        (c, startOffset, target, pauseOffset, gaps, stopOffset) => {
          const start = BASE + startOffset;
          const stop = stopOffset === undefined ? undefined : start + stopOffset;
          const gen = pausesFrom(start + pauseOffset, gaps);
          const pauses: ClockPause[] = gen.map((p) => ({
            at: isoAt(p.at),
            ...(p.until === undefined ? {} : { until: isoAt(p.until) }),
          }));
          const run = runClock(at(start), target, calendarOf(c), pauses, stop === undefined ? undefined : at(stop));

          // The model: a pause counts from the clock's start, up to the stop (a met milestone is never moved), and
          // only if it began before the clock was due; the open pause is left out ("as if resumed at its start").
          const spans: Span[] = [];
          let due = modelDue(c, start, target, spans);
          let pausedAt: number | undefined;
          for (const p of gen) {
            const from = Math.max(p.at, start);
            if (stop !== undefined && from >= stop) break;
            if (p.until === undefined) {
              pausedAt = from;
              break;
            }
            if (from >= due) continue;
            const until = stop === undefined ? p.until : Math.min(p.until, stop);
            if (until <= from) continue;
            spans.push([from, until]);
            due = modelDue(c, start, target, spans);
          }
          expect(run.due.toMillis() / 60_000).toBe(due);
          expect(run.pausedAt && run.pausedAt.toMillis() / 60_000).toBe(pausedAt);
          // the pauses moved it by exactly the counted minutes they covered
          expect(run.pausedMs / 60_000).toBe(spans.reduce((sum, [a, b]) => sum + modelElapsed(c, a, b, []), 0));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('equals the model that never looks ahead: counting minutes while the order is not paused', () => {
    // The second model does not know the rule "pauses after due do not count": it walks the minutes, skipping paused
    // ones, and stops at the target. For closed pauses and no stop the two must agree.
    fc.assert(
      fc.property(
        calArb,
        fc.integer({ min: 0, max: 2 * 1440 }),
        fc.integer({ min: 1, max: 2000 }),
        pauseGapsArb,
        (c, s, target, gaps) => {
          const start = BASE + s;
          const gen = pausesFrom(start - 200, { spans: gaps.spans }) as { at: number; until: number }[];
          const spans: Span[] = gen.filter((p) => p.until > start).map((p) => [Math.max(p.at, start), p.until]);
          const run = runClock(
            at(start),
            target,
            calendarOf(c),
            gen.map((p) => ({ at: isoAt(p.at), until: isoAt(p.until) })),
          );
          expect(run.due.toMillis() / 60_000).toBe(modelDue(c, start, target, spans));
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---- orders: deadlinesFor, statusOfDeadlines and the ladder through the real fold --------------------------------------

const agent: Actor = { userId: 'a1', role: 'agent', centre: 'fuzhou' };
const dispatcher: Actor = { userId: 'd1', role: 'dispatcher', centre: 'fuzhou', stationId: 'S1' };

/** The default policy with the repair type's calendar replaced, its targets and ladder given. */
function policyWith(c: Cal, onSite: number, handle: number, ladder: EscalationStep[]): SlaPolicy {
  const p = structuredClone(DEFAULT_POLICY);
  p.calendars.intake = calendarOf(c);
  p.types.repair.milestones.on_site = { from: 'accepted', minutes: onSite };
  p.types.repair.milestones.handle = { from: 'accepted', minutes: handle };
  p.types.repair.escalation = ladder;
  return parsePolicy(p);
}

const DRAFT: OrderDraft = {
  type: 'repair',
  channel: 'phone',
  priority: 'normal',
  region: { city: 'fuzhou', county: 'gulou', areaClass: 'urban' },
  address: '鼓楼区五四路 1 号',
  callerNumber: '13900000000',
  description: '停电',
};

/** A script of an order's life after its dispatch, assign: pause / resume, and maybe the crew arriving. */
interface Script {
  accepted: number;
  steps: { action: 'pause' | 'resume' | 'arrive'; at: number }[];
}

const scriptArb: fc.Arbitrary<Script> = fc
  .record({
    accepted: fc.integer({ min: 0, max: 2 * 1440 }),
    gaps: fc.array(fc.integer({ min: 1, max: 1200 }), { minLength: 0, maxLength: 6 }),
    arriveAfter: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  })
  .map(({ accepted, gaps, arriveAfter }) => {
    const start = BASE + accepted;
    let t = start + 3;
    const steps: Script['steps'] = [];
    gaps.forEach((gap, i) => {
      t += gap;
      if (arriveAfter !== undefined && i === arriveAfter) steps.push({ action: 'arrive', at: t });
      else if (!steps.some((s) => s.action === 'arrive')) steps.push({ action: i % 2 ? 'resume' : 'pause', at: t });
    });
    return { accepted: start, steps };
  });

function play(s: Script): WorkOrder {
  const ev = (
    n: number,
    action: OrderEvent['action'],
    minute: number,
    extra: Partial<OrderEvent> = {},
  ): OrderEvent => ({
    id: `e${n}`,
    action,
    by: action === 'dispatch' ? agent : dispatcher,
    at: isoAt(minute),
    ...extra,
  });
  let o = createOrder('fuzhou-20261120-x', DRAFT, ev(0, 'create', s.accepted, { by: agent }));
  o = applyEvent(o, ev(1, 'dispatch', s.accepted + 1, { stationId: 'S1' }));
  o = applyEvent(o, ev(2, 'take', s.accepted + 2));
  o = applyEvent(o, ev(3, 'assign', s.accepted + 3, { crewId: 'c1' }));
  s.steps.forEach((step, i) => {
    o = applyEvent(o, ev(10 + i, step.action, step.at, step.action === 'pause' ? { reason: '客户不在家' } : {}));
  });
  return o;
}

/** The paused spans of the script as the model sees them: a pause ends at resume or at the arrival. */
function spansOf(s: Script, now: number): { closed: Span[]; open?: number } {
  const closed: Span[] = [];
  let from: number | undefined;
  for (const step of s.steps) {
    if (step.action === 'pause') from = step.at;
    else if (from !== undefined) {
      closed.push([from, step.at]);
      from = undefined;
    }
  }
  void now;
  return from === undefined ? { closed } : { closed, open: from };
}

describe('deadlinesFor and escalationsDue on paused orders (property)', () => {
  it('match the model for the on-site and handling clocks of a repair, and the ladder at any time after', () => {
    fc.assert(
      fc.property(
        calArb,
        scriptArb,
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 1500 }),
        fc.integer({ min: 0, max: 3 * 1440 }),
        fc.integer({ min: 0, max: 300 }),
        (c, script, onSite, handle, nowAfter, after) => {
          const ladder: EscalationStep[] = [
            { deadline: 'on_site', after, tell: 'team_lead' },
            { deadline: 'handle', after: 0, tell: 'station' },
          ];
          const policy = policyWith(c, onSite, handle, ladder);
          const order = play(script);
          const last = script.steps.at(-1)?.at ?? script.accepted + 3;
          const now = last + nowAfter;
          const arrived = script.steps.find((s) => s.action === 'arrive')?.at;
          const { closed, open } = spansOf(script, now);
          const ds = deadlinesFor(order, policy);

          for (const [kind, target] of [
            ['on_site', onSite],
            ['handle', handle],
          ] as const) {
            const d = ds.find((x) => x.kind === kind)!;
            const stop = kind === 'on_site' ? arrived : undefined;
            // the model's due: pauses before the stop, and only those that began before the running due time
            const used: Span[] = [];
            let due = modelDue(c, script.accepted, target, used);
            for (const [a, b] of closed) {
              if ((stop !== undefined && a >= stop) || a >= due) continue;
              used.push([a, stop === undefined ? b : Math.min(b, stop)]);
              due = modelDue(c, script.accepted, target, used);
            }
            expect(minuteOf(d.due), kind).toBe(due);
            expect(d.metAt !== undefined).toBe(stop !== undefined);
            if (stop !== undefined) expect(d.late).toBe(stop > due);
            const pausedNow = stop === undefined && open !== undefined;
            expect(d.paused === true, `${kind} paused`).toBe(pausedNow);
            if (pausedNow) expect(minuteOf(d.pausedAt!)).toBe(open);
          }

          // The status: a paused clock is levelled `paused` and its countdown stands still.
          const status = statusOfDeadlines(ds, isoAt(now), policy);
          const status2 = statusOfDeadlines(ds, isoAt(now + 777), policy);
          expect(status.paused).toBe(open !== undefined && status.open.length > 0);
          for (const clock of status.open.filter((x) => x.paused)) {
            expect(clock.level).toBe('paused');
            expect(status2.open.find((x) => x.kind === clock.kind)?.remainingMs).toBe(clock.remainingMs);
          }

          // The ladder: a step is due when its clock is open and has counted target + after minutes by now, paused
          // minutes (the open pause until now included) not counted.
          const pausedAll: Span[] = open === undefined ? closed : [...closed, [open, now]];
          const expected = ladder
            .filter((step) => {
              const target = step.deadline === 'on_site' ? onSite : handle;
              if (step.deadline === 'on_site' && arrived !== undefined) return false;
              return modelElapsed(c, script.accepted, now, pausedAll) >= target + step.after;
            })
            .map((step) => `${step.deadline}+${step.after}`);
          const due = escalationsDue(order, policy, isoAt(now));
          expect(due.map((x) => `${x.step.deadline}+${x.step.after}`).sort()).toEqual(expected.sort());
          for (const x of due) {
            const target = x.step.deadline === 'on_site' ? onSite : handle;
            expect(x.lateMinutes).toBe(modelElapsed(c, script.accepted, now, pausedAll) - target);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---- the epoch arithmetic against Luxon's calendar arithmetic, in zones with daylight saving ---------------------------

/** The calendar arithmetic done step by step with Luxon (how sla.ts did it before it counted in epoch milliseconds). */
function luxonAdd(start: DateTime, minutes: number, cal: BusinessCalendar): DateTime {
  let left = minutes * 60_000;
  let day = start.setZone(cal.zone).startOf('day');
  for (let i = 0; i < 400; i++, day = day.plus({ days: 1 })) {
    if (cal.holidays?.includes(day.toISODate()!)) continue;
    const at = (hhmm: string) => {
      const [h, m] = hhmm.split(':').map(Number) as [number, number];
      return h === 24 ? day.plus({ days: 1 }) : day.set({ hour: h, minute: m });
    };
    const end = at(cal.close);
    if (end <= start) continue;
    const open = at(cal.open);
    const from = open < start ? start : open;
    const span = end.toMillis() - from.toMillis();
    if (left <= span) return from.plus({ milliseconds: left });
    left -= span;
  }
  throw new Error('no business hours');
}

describe('calendar arithmetic in epoch milliseconds (property, against Luxon)', () => {
  it('adds business minutes as Luxon does, across daylight-saving switches and odd offsets', () => {
    // Starts within three days of a clock change (both ways), opening hours often in the small hours when it happens.
    const switches: [zone: string, day: string][] = [
      ['America/New_York', '2026-03-08'],
      ['America/New_York', '2026-11-01'],
      ['Europe/London', '2026-03-29'],
      ['Europe/London', '2026-10-25'],
      ['Australia/Lord_Howe', '2026-04-05'],
      ['Australia/Lord_Howe', '2026-10-04'],
      ['Asia/Kathmandu', '2026-06-01'],
      ['Asia/Shanghai', '2026-11-23'],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...switches),
        fc.integer({ min: -3 * 1440, max: 3 * 1440 }),
        fc.oneof(fc.integer({ min: 0, max: 4 * 60 }), fc.integer({ min: 0, max: 22 * 60 })),
        fc.integer({ min: 30, max: 24 * 60 }),
        fc.integer({ min: 1, max: 3000 }),
        ([zone, day], offset, open, len, minutes) => {
          const cal: BusinessCalendar = { zone, open: hhmm(open), close: hhmm(Math.min(1440, open + len)) };
          const start = DateTime.fromISO(day, { zone }).plus({ minutes: offset });
          const ours = runClock(start, minutes, cal, []).due;
          expect(ours.toISO()).toBe(luxonAdd(start, minutes, cal).toISO());
        },
      ),
      { numRuns: 500 },
    );
  });
});
