import { describe, it, expect, afterEach } from 'vitest';
import fc from 'fast-check';
import { DateTime, Settings } from 'luxon';
import { applyEvent, createOrder } from './machine';
import type { Action, Actor, AreaClass, OrderDraft, OrderType, Priority, WorkOrder } from './model';
import {
  DEFAULT_POLICY,
  SlaPolicyError,
  addBusinessMinutes,
  businessMinutesBetween,
  deadlinesFor,
  escalationsDue,
  ladderMarker,
  parsePolicy,
  slaStatus,
  statusOfDeadlines,
} from './sla';
import type { BusinessCalendar, SlaPolicy } from './sla';

// ---- fixtures -------------------------------------------------------------------------------------------------------

const agent: Actor = { userId: 'a1', role: 'agent', centre: 'fz' };
const dispatcher: Actor = { userId: 'd1', role: 'dispatcher', centre: 'fz', stationId: 'S1' };

const BUSINESS: BusinessCalendar = { zone: 'Asia/Shanghai', open: '08:00', close: '22:00' };

/** A Shanghai wall-clock time, written the way people at the centre say it. */
const sh = (local: string) => DateTime.fromISO(local, { zone: 'Asia/Shanghai' }).toISO() as string;

function order(
  type: OrderType,
  acceptedAt: string,
  opts: { priority?: Priority; areaClass?: AreaClass } = {},
): WorkOrder {
  const draft: OrderDraft = {
    type,
    channel: 'phone',
    priority: opts.priority ?? 'normal',
    region: { city: 'fuzhou', county: 'minhou', areaClass: opts.areaClass ?? 'urban' },
    address: '闽侯县上街镇',
    callerNumber: '13900000000',
    description: 'test',
  };
  return createOrder('WO-1', draft, { id: 'e0', action: 'create', by: agent, at: acceptedAt });
}

let n = 0;
const PAYLOAD: Partial<Record<Action, object>> = {
  dispatch: { stationId: 'S1' },
  assign: { crewId: 'c1' },
  callback: { satisfaction: 'satisfied' },
  reopen: { reason: 'repeat call' },
  send_back: { reason: 'misrouted' },
  merge: { masterId: 'WO-M' },
  pause: { reason: '客户不在家' },
  escalate: { reason: '客户多次来电' },
};
const CENTRE: Action[] = ['dispatch', 'callback', 'archive', 'reopen', 'merge'];

/** Applies steps, each at a given Shanghai local time. */
function step(o: WorkOrder, ...steps: [Action, string][]): WorkOrder {
  return steps.reduce((acc, [action, local]) => {
    n += 1;
    const by = CENTRE.includes(action) ? agent : dispatcher;
    return applyEvent(acc, { id: `e${n}`, action, by, at: sh(local), ...PAYLOAD[action] });
  }, o);
}

const dueOf = (o: WorkOrder, kind: string, policy?: SlaPolicy) =>
  deadlinesFor(o, policy).find((d) => d.kind === kind)?.due;

/** The default policy with one milestone changed. */
function withTarget(type: OrderType, kind: 'reply' | 'handle', minutes: number): SlaPolicy {
  const p = structuredClone(DEFAULT_POLICY);
  const m = p.types[type].milestones[kind];
  if (!m) throw new Error(`${type} has no ${kind}`);
  m.minutes = minutes;
  return parsePolicy(p);
}

// ---- repair: the public on-site commitment, 7x24 --------------------------------------------------------------------

describe('repair deadlines', () => {
  it.each([
    ['urban', '2026-11-23T10:55:00+08:00'],
    ['rural', '2026-11-23T11:40:00+08:00'],
    ['remote', '2026-11-23T12:10:00+08:00'],
  ] as const)('%s: crew on site within the commitment from acceptance', (areaClass, due) => {
    const o = order('repair', sh('2026-11-23T10:10'), { areaClass });
    expect(dueOf(o, 'on_site')).toBe(due);
  });

  it('runs round the clock: an outage reported at 23:30 has the crew due at 00:15', () => {
    const o = order('repair', sh('2026-11-23T23:30'));
    expect(dueOf(o, 'on_site')).toBe('2026-11-24T00:15:00+08:00');
    expect(dueOf(o, 'handle')).toBe('2026-11-24T03:30:00+08:00');
  });

  it('lists on_site and handle from acceptance, reply once handled, callback once replied', () => {
    let o = order('repair', sh('2026-11-23T10:00'), { areaClass: 'rural' });
    expect(deadlinesFor(o).map((d) => d.kind)).toEqual(['on_site', 'handle']);
    o = step(o, ['dispatch', '2026-11-23T10:05'], ['take', '2026-11-23T10:06'], ['assign', '2026-11-23T10:07']);
    o = step(o, ['arrive', '2026-11-23T11:20'], ['handle', '2026-11-23T13:00']);
    const ds = deadlinesFor(o);
    expect(ds.map((d) => d.kind)).toEqual(['on_site', 'handle', 'reply']);
    expect(ds[0]).toMatchObject({ metAt: '2026-11-23T11:20:00+08:00', late: false });
    expect(ds[2]).toMatchObject({
      from: 'handled',
      startedAt: '2026-11-23T13:00:00+08:00',
      due: '2026-11-23T14:00:00+08:00',
    });
    o = step(o, ['reply', '2026-11-23T21:30']);
    // the reply came late; the callback waits for business hours: 30 minutes tonight, the rest tomorrow
    const callback = deadlinesFor(o).find((d) => d.kind === 'callback');
    expect(callback).toMatchObject({ calendar: 'business', due: '2026-11-24T21:30:00+08:00' });
    expect(slaStatus(o, sh('2026-11-23T21:31')).late).toEqual(['reply']);
  });

  it('a crew arriving after the deadline is recorded as late', () => {
    let o = order('repair', sh('2026-11-23T10:00'));
    o = step(o, ['dispatch', '2026-11-23T10:01'], ['take', '2026-11-23T10:02'], ['assign', '2026-11-23T10:03']);
    o = step(o, ['arrive', '2026-11-23T10:46']);
    expect(deadlinesFor(o)[0]).toMatchObject({ kind: 'on_site', late: true });
    const status = slaStatus(o, sh('2026-11-23T10:50'));
    expect(status.late).toEqual(['on_site']);
    expect(status.overdue).toBe(false); // nothing open is past due: handle is due 14:00
    expect(status.next?.kind).toBe('handle');
  });
});

// ---- 7x14 business minutes ------------------------------------------------------------------------------------------

describe('business minutes (7x14, 08:00-22:00 Asia/Shanghai)', () => {
  it('a consultation accepted at 21:50 with a 1-hour reply target is due 08:50 next day', () => {
    const policy = withTarget('consultation', 'reply', 60);
    expect(dueOf(order('consultation', sh('2026-11-23T21:50')), 'reply', policy)).toBe('2026-11-24T08:50:00+08:00');
  });

  it('uses the whole evening before rolling over, and a window used up exactly is due at close', () => {
    expect(addBusinessMinutes(sh('2026-11-23T20:00'), 240, BUSINESS).toISO()).toBe('2026-11-24T10:00:00.000+08:00');
    expect(addBusinessMinutes(sh('2026-11-23T21:00'), 60, BUSINESS).toISO()).toBe('2026-11-23T22:00:00.000+08:00');
  });

  it('a start at night or before opening counts from 08:00', () => {
    expect(addBusinessMinutes(sh('2026-11-23T23:40'), 30, BUSINESS).toISO()).toBe('2026-11-24T08:30:00.000+08:00');
    expect(addBusinessMinutes(sh('2026-11-24T03:00'), 30, BUSINESS).toISO()).toBe('2026-11-24T08:30:00.000+08:00');
    expect(addBusinessMinutes(sh('2026-11-24T07:59'), 1, BUSINESS).toISO()).toBe('2026-11-24T08:01:00.000+08:00');
  });

  it('spans several days: five business days of a report accepted Monday 10:00 are due Saturday 10:00', () => {
    const o = order('report', sh('2026-11-23T10:00')); // a Monday; 7x14 knows no weekends
    expect(dueOf(o, 'handle')).toBe('2026-11-28T10:00:00+08:00');
    expect(addBusinessMinutes(sh('2026-11-23T10:00'), 14 * 60 * 30 + 1, BUSINESS).toISO()).toBe(
      '2026-12-23T10:01:00.000+08:00',
    );
  });

  it('skips holidays, also when several follow each other or the clock starts on one', () => {
    const cal: BusinessCalendar = { ...BUSINESS, holidays: ['2026-11-24'] };
    expect(addBusinessMinutes(sh('2026-11-23T21:50'), 60, cal).toISO()).toBe('2026-11-25T08:50:00.000+08:00');
    const festival: BusinessCalendar = { ...BUSINESS, holidays: ['2027-02-06', '2027-02-07', '2027-02-08'] };
    expect(addBusinessMinutes(sh('2027-02-05T21:00'), 120, festival).toISO()).toBe('2027-02-09T09:00:00.000+08:00');
    expect(addBusinessMinutes(sh('2027-02-07T12:00'), 30, festival).toISO()).toBe('2027-02-09T08:30:00.000+08:00');
  });

  it('a holiday in the policy moves the deadline of an order', () => {
    const p = structuredClone(DEFAULT_POLICY);
    (p.calendars.business as BusinessCalendar).holidays = ['2026-11-24'];
    const policy = parsePolicy(p);
    const o = order('consultation', sh('2026-11-23T20:00'));
    expect(dueOf(o, 'reply')).toBe('2026-11-24T10:00:00+08:00');
    expect(dueOf(o, 'reply', policy)).toBe('2026-11-25T10:00:00+08:00');
  });

  it('round the clock is plain elapsed time', () => {
    const intake = DEFAULT_POLICY.calendars.intake as BusinessCalendar;
    expect(addBusinessMinutes(sh('2026-11-23T23:00'), 26 * 60, intake).toISO()).toBe('2026-11-25T01:00:00.000+08:00');
  });

  it('counts business minutes between two times, skipping the night', () => {
    expect(businessMinutesBetween(sh('2026-11-23T21:30'), sh('2026-11-24T08:30'), BUSINESS)).toBe(60);
    expect(businessMinutesBetween(sh('2026-11-24T08:30'), sh('2026-11-23T21:30'), BUSINESS)).toBe(-60);
    expect(businessMinutesBetween(sh('2026-11-23T23:00'), sh('2026-11-24T07:00'), BUSINESS)).toBe(0);
  });

  it('adding then measuring gives back the minutes, from any start (property)', () => {
    const cal: BusinessCalendar = { ...BUSINESS, holidays: ['2026-11-25', '2026-11-26'] };
    const base = DateTime.fromISO('2026-11-20T00:00', { zone: 'Asia/Shanghai' });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 14 * 24 * 60 }),
        fc.integer({ min: 1, max: 20 * 14 * 60 }),
        (offset, mins) => {
          const start = base.plus({ minutes: offset });
          const due = addBusinessMinutes(start, mins, cal);
          expect(businessMinutesBetween(start, due, cal)).toBe(mins);
          expect(due > start).toBe(true);
          // a deadline always lands inside business hours of a working day
          const local = due.setZone('Asia/Shanghai');
          expect(cal.holidays).not.toContain(local.toISODate());
          const minuteOfDay = local.hour * 60 + local.minute;
          expect(minuteOfDay > 8 * 60 && minuteOfDay <= 22 * 60).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a negative duration', () => {
    expect(() => addBusinessMinutes(sh('2026-11-23T10:00'), -5, BUSINESS)).toThrow(/>= 0/);
  });
});

// ---- priority -------------------------------------------------------------------------------------------------------

describe('priority', () => {
  it('urgent halves and critical quarters the handling target of a complaint', () => {
    const at = sh('2026-11-23T08:00');
    expect(dueOf(order('complaint', at), 'handle')).toBe('2026-11-24T18:00:00+08:00'); // 24 business hours
    expect(dueOf(order('complaint', at, { priority: 'urgent' }), 'handle')).toBe('2026-11-23T20:00:00+08:00'); // 12
    expect(dueOf(order('complaint', at, { priority: 'critical' }), 'handle')).toBe('2026-11-23T14:00:00+08:00'); // 6
  });

  it('shortens a consultation reply from 4 business hours to 1 when critical', () => {
    const o = order('consultation', sh('2026-11-23T21:30'), { priority: 'critical' });
    expect(deadlinesFor(o)[0]).toMatchObject({ kind: 'reply', minutes: 60, due: '2026-11-24T08:30:00+08:00' });
  });

  it('does not shorten the on-site travel commitment or the callback', () => {
    let o = order('repair', sh('2026-11-23T10:00'), { priority: 'critical', areaClass: 'remote' });
    expect(dueOf(o, 'on_site')).toBe('2026-11-23T12:00:00+08:00');
    expect(dueOf(o, 'handle')).toBe('2026-11-23T12:00:00+08:00'); // 480 x 0.25
    o = step(o, ['dispatch', '2026-11-23T10:01'], ['take', '2026-11-23T10:02'], ['assign', '2026-11-23T10:03']);
    o = step(o, ['arrive', '2026-11-23T11:00'], ['handle', '2026-11-23T11:30'], ['reply', '2026-11-23T11:40']);
    expect(deadlinesFor(o).find((d) => d.kind === 'callback')?.minutes).toBe(14 * 60);
  });
});

// ---- status and levels ----------------------------------------------------------------------------------------------

describe('slaStatus', () => {
  const o = order('repair', sh('2026-11-23T10:00')); // on site due 10:45

  it('flips to overdue at the deadline instant', () => {
    const before = slaStatus(o, '2026-11-23T02:44:59Z');
    expect(before).toMatchObject({ overdue: false, level: 'due_soon', next: { kind: 'on_site', remainingMs: 1000 } });
    const at = slaStatus(o, new Date('2026-11-23T02:45:00Z'));
    expect(at.overdue).toBe(true);
    expect(at.level).toBe('overdue');
    const after = slaStatus(o, sh('2026-11-23T11:00'));
    expect(after.overdue).toBe(true);
    expect(after.next).toMatchObject({ kind: 'on_site', due: '2026-11-23T10:45:00+08:00', remainingMs: -15 * 60_000 });
  });

  it('arriving stops the on-site clock: the next deadline is the handling one', () => {
    let done = step(o, ['dispatch', '2026-11-23T10:01'], ['take', '2026-11-23T10:02'], ['assign', '2026-11-23T10:03']);
    done = step(done, ['arrive', '2026-11-23T10:40']);
    const s = slaStatus(done, sh('2026-11-23T11:00'));
    expect(s.overdue).toBe(false);
    expect(s.next).toMatchObject({ kind: 'handle', due: '2026-11-23T14:00:00+08:00', remainingMs: 3 * 3_600_000 });
    expect(s.open.map((c) => c.kind)).toEqual(['handle']);
  });

  it('colours the countdown ok → warning → due_soon → overdue as business time runs out', () => {
    // complaint accepted Monday 08:00: 1440 business minutes, due Tuesday 18:00
    const c = order('complaint', sh('2026-11-23T08:00'));
    const level = (local: string) => slaStatus(c, sh(local)).level;
    expect(level('2026-11-23T09:00')).toBe('ok');
    expect(level('2026-11-24T11:59')).toBe('ok'); // 361 minutes left, just over a quarter
    expect(level('2026-11-24T12:01')).toBe('warning'); // 359 left
    expect(level('2026-11-24T17:59')).toBe('due_soon'); // 1 left
    expect(level('2026-11-24T18:01')).toBe('overdue');
  });

  it('under 10% of the window, or 15 minutes, is due_soon', () => {
    const c = order('complaint', sh('2026-11-23T08:00'));
    expect(slaStatus(c, sh('2026-11-24T15:35')).level).toBe('warning'); // 145 left
    expect(slaStatus(c, sh('2026-11-24T15:37')).level).toBe('due_soon'); // 143 left
    const r = order('repair', sh('2026-11-23T10:00'));
    expect(slaStatus(r, sh('2026-11-23T10:29')).level).toBe('ok'); // 16 of 45 left
    expect(slaStatus(r, sh('2026-11-23T10:31')).level).toBe('due_soon'); // 14 of 45 left
  });

  it('the night does not eat into a 7x14 window: at 23:00 a reply due 08:50 still has 50 minutes', () => {
    const c = order('consultation', sh('2026-11-23T21:50'), { priority: 'critical' }); // 60 minutes
    const s = slaStatus(c, sh('2026-11-23T23:00'));
    expect(s.next).toMatchObject({ kind: 'reply', due: '2026-11-24T08:50:00+08:00', remainingMinutes: 50 });
    expect(s.next?.remainingMs).toBe((9 * 60 + 50) * 60_000);
    expect(s.level).toBe('ok');
  });

  it('a reopened order starts its clocks again; a send-back does not', () => {
    let c = order('consultation', sh('2026-11-23T09:00'));
    c = step(c, ['dispatch', '2026-11-23T09:10'], ['send_back', '2026-11-23T09:30']);
    expect(dueOf(c, 'reply')).toBe('2026-11-23T13:00:00+08:00');
    c = step(c, ['dispatch', '2026-11-23T09:40'], ['take', '2026-11-23T09:41'], ['assign', '2026-11-23T09:42']);
    c = step(c, ['arrive', '2026-11-23T10:00'], ['handle', '2026-11-23T10:10'], ['reply', '2026-11-23T10:20']);
    c = step(c, ['callback', '2026-11-23T15:00'], ['archive', '2026-11-23T15:05']);
    expect(slaStatus(c, sh('2026-11-30T00:00'))).toMatchObject({ overdue: false, level: 'ok', open: [], late: [] });
    c = step(c, ['reopen', '2026-11-24T10:00']);
    expect(deadlinesFor(c)).toEqual([
      expect.objectContaining({
        kind: 'reply',
        startedAt: '2026-11-24T10:00:00+08:00',
        due: '2026-11-24T14:00:00+08:00',
      }),
    ]);
    expect(slaStatus(c, sh('2026-11-24T14:01')).overdue).toBe(true);
  });

  it('a dissatisfied callback sends the order back with its clocks started again from the callback', () => {
    let c = order('repair', sh('2026-11-23T09:00')); // urban: on site within 45 min, handled within 240
    c = step(c, ['dispatch', '2026-11-23T09:05'], ['take', '2026-11-23T09:06'], ['assign', '2026-11-23T09:07']);
    c = step(c, ['arrive', '2026-11-23T10:00'], ['handle', '2026-11-23T10:30'], ['reply', '2026-11-23T10:40']);
    expect(
      deadlinesFor(c)
        .filter((d) => d.metAt === undefined)
        .map((d) => d.kind),
    ).toEqual(['callback']);
    c = applyEvent(c, {
      id: 'unhappy',
      action: 'callback',
      by: agent,
      at: sh('2026-11-23T14:00'),
      satisfaction: 'dissatisfied',
      note: '第二天又停电了',
    });
    expect(c.state).toBe('dispatched');
    const open = deadlinesFor(c).filter((d) => d.metAt === undefined);
    expect(open.map((d) => [d.kind, d.startedAt])).toEqual([
      ['on_site', '2026-11-23T14:00:00+08:00'],
      ['handle', '2026-11-23T14:00:00+08:00'],
    ]);
    expect(dueOf(c, 'on_site')).toBe('2026-11-23T14:45:00+08:00');
    expect(slaStatus(c, sh('2026-11-23T14:46')).overdue).toBe(true);
    // A satisfied callback closes the cycle as before: nothing more is owed.
    const ok = step(order('repair', sh('2026-11-23T09:00')), ['dispatch', '2026-11-23T09:05']);
    const done = step(ok, ['take', '2026-11-23T09:06'], ['assign', '2026-11-23T09:07'], ['arrive', '2026-11-23T10:00']);
    const closed = step(
      done,
      ['handle', '2026-11-23T10:30'],
      ['reply', '2026-11-23T10:40'],
      ['callback', '2026-11-23T14:00'],
    );
    expect(slaStatus(closed, sh('2026-11-30T00:00')).open).toEqual([]);
  });

  it('a merged order owes nothing itself', () => {
    const m = step(order('repair', sh('2026-11-23T10:00')), ['merge', '2026-11-23T10:05']);
    expect(slaStatus(m, sh('2026-11-23T23:00'))).toMatchObject({ overdue: false, level: 'ok', open: [] });
    expect(slaStatus(m, sh('2026-11-23T23:00')).next).toBeUndefined();
  });
});

// ---- time zone ------------------------------------------------------------------------------------------------------

describe('time zone', () => {
  const savedZone = Settings.defaultZone;
  afterEach(() => {
    Settings.defaultZone = savedZone;
  });

  it('computes in Asia/Shanghai whatever the zone of the machine or of the input', () => {
    Settings.defaultZone = 'America/Los_Angeles';
    // 13:50Z is 21:50 in Shanghai: the 1-hour reply rolls to the next morning
    const policy = withTarget('consultation', 'reply', 60);
    expect(dueOf(order('consultation', '2026-11-23T13:50:00Z'), 'reply', policy)).toBe('2026-11-24T08:50:00+08:00');
    expect(dueOf(order('consultation', '2026-11-23T08:50:00-05:00'), 'reply', policy)).toBe(
      '2026-11-24T08:50:00+08:00',
    );
    // 01:00Z is 09:00 in Shanghai: within business hours, due the same morning
    expect(dueOf(order('consultation', '2026-11-23T01:00:00Z'), 'reply', policy)).toBe('2026-11-23T10:00:00+08:00');
    expect(addBusinessMinutes(new Date('2026-11-23T13:50:00Z'), 60, BUSINESS).toISO()).toBe(
      '2026-11-24T08:50:00.000+08:00',
    );
  });

  it('reads a time without an offset as Shanghai local time', () => {
    expect(addBusinessMinutes('2026-11-23T21:50', 60, BUSINESS).toISO()).toBe('2026-11-24T08:50:00.000+08:00');
  });

  it('honours another zone when a calendar is configured for one', () => {
    const urumqi: BusinessCalendar = { zone: 'Asia/Urumqi', open: '10:00', close: '20:00' };
    expect(addBusinessMinutes('2026-11-23T12:30:00Z', 60, urumqi).toISO()).toBe('2026-11-23T19:30:00.000+06:00');
    expect(addBusinessMinutes('2026-11-23T13:30:00Z', 60, urumqi).toISO()).toBe('2026-11-24T10:30:00.000+06:00');
  });

  it('rejects a time that is not one', () => {
    expect(() => addBusinessMinutes('yesterday', 5, BUSINESS)).toThrow(/not a valid time/);
  });
});

// ---- policy ---------------------------------------------------------------------------------------------------------

describe('parsePolicy', () => {
  it('accepts the defaults, as an object or as JSON text', () => {
    expect(parsePolicy(JSON.stringify(DEFAULT_POLICY))).toEqual(DEFAULT_POLICY);
    expect(DEFAULT_POLICY.types.repair.milestones.on_site?.minutes).toEqual({ urban: 45, rural: 90, remote: 120 });
  });

  function problems(value: unknown): string {
    try {
      parsePolicy(value);
    } catch (error) {
      expect(error).toBeInstanceOf(SlaPolicyError);
      return (error as Error).message;
    }
    throw new Error('policy was accepted');
  }

  it('names the field and the problem for bad numbers, hours and zones', () => {
    const p = structuredClone(DEFAULT_POLICY) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    p.types.repair.milestones.on_site.minutes.rural = -90;
    p.calendars.business.close = '25:00';
    p.calendars.intake.zone = 'China/Beijing';
    p.priorityFactor.urgent = 2;
    const message = problems(p);
    expect(message).toMatch(/^invalid SLA policy:/);
    expect(message).toContain('types.repair.milestones.on_site.minutes');
    expect(message).toContain('calendars.business.close: a time of day as HH:mm');
    expect(message).toContain('calendars.intake.zone: an IANA time zone');
    expect(message).toContain('priorityFactor.urgent: a factor of at most 1');
  });

  it('rejects a missing order type, an unknown key, an unknown calendar and a backwards day', () => {
    const p = structuredClone(DEFAULT_POLICY) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    delete p.types.gov12345;
    p.types.complaint.milestones.handel = p.types.complaint.milestones.handle;
    p.calendars.business.open = '22:00';
    p.calendars.business.close = '08:00';
    const message = problems(p);
    expect(message).toContain('types.gov12345');
    expect(message).toMatch(/types\.complaint\.milestones.*handel/);
    expect(message).toContain('calendars.business.close: open must be before close');
    // calendar names are checked once the shape is right
    const q = structuredClone(DEFAULT_POLICY) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    q.types.report.calendar = '5x8';
    q.types.repair.milestones.callback.calendar = 'night';
    expect(problems(q)).toBe(
      'invalid SLA policy:\n' +
        '  - types.repair.milestones.callback.calendar: unknown calendar "night" (known: intake, business)\n' +
        '  - types.report.calendar: unknown calendar "5x8" (known: intake, business)',
    );
  });

  it('rejects text that is not JSON, and bad holidays', () => {
    expect(problems('{"calendars": ')).toMatch(/not valid JSON/);
    const p = structuredClone(DEFAULT_POLICY);
    (p.calendars.business as BusinessCalendar).holidays = ['2026-02-30'];
    expect(problems(p)).toContain('calendars.business.holidays.0: not a calendar date');
  });
});

// ---- paused clocks --------------------------------------------------------------------------------------------------

/** A repair accepted at 10:00 (urban: on site due 10:45, handled 14:00), dispatched, taken and assigned by 10:03. */
function assignedRepair(): WorkOrder {
  const o = order('repair', sh('2026-11-23T10:00'));
  return step(o, ['dispatch', '2026-11-23T10:01'], ['take', '2026-11-23T10:02'], ['assign', '2026-11-23T10:03']);
}

const byKind = (o: WorkOrder, policy?: SlaPolicy) =>
  Object.fromEntries(deadlinesFor(o, policy).map((d) => [d.kind, d]));

describe('paused clocks', () => {
  it('a pause across the night adds only the business minutes it covered', () => {
    // complaint: 1440 business minutes from Monday 08:00, due Tuesday 18:00
    let c = order('complaint', sh('2026-11-23T08:00'));
    c = step(c, ['dispatch', '2026-11-23T08:10'], ['take', '2026-11-23T08:20']);
    c = step(c, ['pause', '2026-11-23T21:00'], ['resume', '2026-11-24T09:00']);
    // 21:00-22:00 and 08:00-09:00: two business hours, the night in between costs nothing
    expect(byKind(c).handle).toMatchObject({ due: '2026-11-24T20:00:00+08:00', pausedMinutes: 120 });
    expect(byKind(c).handle?.paused).toBeUndefined();
  });

  it('a pause across a holiday adds nothing for the holiday', () => {
    const p = structuredClone(DEFAULT_POLICY);
    (p.calendars.business as BusinessCalendar).holidays = ['2026-11-24'];
    const policy = parsePolicy(p);
    let c = order('complaint', sh('2026-11-23T08:00'));
    expect(dueOf(c, 'handle', policy)).toBe('2026-11-25T18:00:00+08:00'); // 840 on Monday, 600 on Wednesday
    c = step(c, ['dispatch', '2026-11-23T08:10'], ['take', '2026-11-23T08:20']);
    c = step(c, ['pause', '2026-11-23T20:00'], ['resume', '2026-11-25T10:00']);
    // 20:00-22:00 on Monday, none on the holiday, 08:00-10:00 on Wednesday: due at Wednesday's close
    expect(byKind(c, policy).handle).toMatchObject({ due: '2026-11-25T22:00:00+08:00', pausedMinutes: 240 });
  });

  it('a pause still open: the clocks stand still, the countdown is frozen and levelled paused', () => {
    const o = step(assignedRepair(), ['pause', '2026-11-23T10:30']);
    expect(o.paused?.reason).toBe('客户不在家');
    const ds = byKind(o);
    expect(ds.on_site).toMatchObject({
      due: '2026-11-23T10:45:00+08:00',
      paused: true,
      pausedAt: '2026-11-23T10:30:00+08:00',
    });
    expect(ds.handle).toMatchObject({ due: '2026-11-23T14:00:00+08:00', paused: true });
    for (const now of ['2026-11-23T11:00', '2026-11-23T18:00', '2026-11-25T03:00']) {
      const s = slaStatus(o, sh(now));
      expect(s).toMatchObject({ level: 'paused', paused: true, overdue: false });
      expect(s.next).toMatchObject({ kind: 'on_site', level: 'paused', paused: true, remainingMinutes: 15 });
      expect(s.next?.remainingMs).toBe(15 * 60_000);
    }
    // nothing on the ladder falls due while it stands still
    expect(escalationsDue(o, DEFAULT_POLICY, sh('2026-11-23T18:00'))).toEqual([]);
    // resumed at 12:00 with 15 minutes left: due 12:15, and overdue (and on the ladder) from then
    const r = step(o, ['resume', '2026-11-23T12:00']);
    expect(byKind(r).on_site).toMatchObject({ due: '2026-11-23T12:15:00+08:00', pausedMinutes: 90 });
    expect(byKind(r).on_site?.paused).toBeUndefined();
    expect(slaStatus(r, sh('2026-11-23T12:14')).level).toBe('due_soon');
    expect(slaStatus(r, sh('2026-11-23T12:16'))).toMatchObject({ overdue: true, paused: false, level: 'overdue' });
    expect(escalationsDue(r, DEFAULT_POLICY, sh('2026-11-23T12:14'))).toEqual([]);
    expect(escalationsDue(r, DEFAULT_POLICY, sh('2026-11-23T12:16'))).toMatchObject([
      { marker: '[ladder:on_site+0:station]', dueAt: '2026-11-23T12:15:00+08:00', lateMinutes: 1 },
    ]);
  });

  it('two pauses add up', () => {
    const o = step(
      assignedRepair(),
      ['pause', '2026-11-23T10:10'],
      ['resume', '2026-11-23T10:20'],
      ['pause', '2026-11-23T10:30'],
      ['resume', '2026-11-23T11:00'],
    );
    expect(o.pauses).toHaveLength(2);
    expect(byKind(o).on_site).toMatchObject({ due: '2026-11-23T11:25:00+08:00', pausedMinutes: 40 });
    expect(byKind(o).handle).toMatchObject({ due: '2026-11-23T14:40:00+08:00', pausedMinutes: 40 });
  });

  it('a pause ended by the crew arriving moves the on-site deadline it met', () => {
    const o = step(assignedRepair(), ['pause', '2026-11-23T10:20'], ['arrive', '2026-11-23T11:00']);
    expect(o.paused).toBeUndefined();
    expect(o.pauses[0]?.until).toBe(sh('2026-11-23T11:00'));
    // 40 paused minutes: on site due 11:25, met at 11:00 on time; handling due 14:40 and running again
    expect(byKind(o).on_site).toMatchObject({ due: '2026-11-23T11:25:00+08:00', late: false, pausedMinutes: 40 });
    expect(byKind(o).handle).toMatchObject({ due: '2026-11-23T14:40:00+08:00' });
    expect(slaStatus(o, sh('2026-11-23T12:00'))).toMatchObject({
      paused: false,
      level: 'ok',
      next: { kind: 'handle' },
    });
  });

  it('a deadline met before a pause is not changed by it', () => {
    const o = step(
      assignedRepair(),
      ['arrive', '2026-11-23T10:40'],
      ['pause', '2026-11-23T11:00'], // waiting for parts
      ['resume', '2026-11-23T12:00'],
    );
    expect(byKind(o).on_site).toMatchObject({ due: '2026-11-23T10:45:00+08:00', late: false });
    expect(byKind(o).on_site?.pausedMinutes).toBeUndefined();
    expect(byKind(o).handle).toMatchObject({ due: '2026-11-23T15:00:00+08:00', pausedMinutes: 60 });
  });

  it('an overdue clock that is paused stays as late as it was, and the ladder stops climbing', () => {
    const o = step(assignedRepair(), ['pause', '2026-11-23T11:00']); // on site was due 10:45
    expect(byKind(o).on_site).toMatchObject({ due: '2026-11-23T10:45:00+08:00', paused: true });
    const s = slaStatus(o, sh('2026-11-23T13:00'));
    expect(s).toMatchObject({ level: 'paused', overdue: false, paused: true });
    expect(s.next?.remainingMs).toBe(-15 * 60_000);
    // the station step fell due at 10:45, before the pause; the team lead's (10:45 + 30) never, while paused
    const due = escalationsDue(o, DEFAULT_POLICY, sh('2026-11-23T13:00'));
    expect(due.map((d) => d.marker)).toEqual(['[ladder:on_site+0:station]']);
    expect(due[0]?.lateMinutes).toBe(15);
    const r = step(o, ['resume', '2026-11-23T13:00']);
    expect(escalationsDue(r, DEFAULT_POLICY, sh('2026-11-23T13:14')).map((d) => d.step.tell)).toEqual(['station']);
    expect(escalationsDue(r, DEFAULT_POLICY, sh('2026-11-23T13:15')).map((d) => [d.step.tell, d.dueAt])).toEqual([
      ['station', '2026-11-23T10:45:00+08:00'],
      ['team_lead', '2026-11-23T13:15:00+08:00'],
    ]);
  });

  it('statusOfDeadlines reads a paused deadline carried by a board row the same way', () => {
    const o = step(assignedRepair(), ['pause', '2026-11-23T10:30']);
    const rowDeadlines = JSON.parse(JSON.stringify(deadlinesFor(o))) as ReturnType<typeof deadlinesFor>;
    expect(statusOfDeadlines(rowDeadlines, sh('2026-11-23T20:00'))).toEqual(slaStatus(o, sh('2026-11-23T20:00')));
  });
});

// ---- escalation ladder ----------------------------------------------------------------------------------------------

describe('escalationsDue', () => {
  const markers = (o: WorkOrder, now: string) => escalationsDue(o, DEFAULT_POLICY, sh(now)).map((d) => d.marker);

  it('climbs the repair ladder as the crew is later: the station at the deadline, the team lead 30 minutes on', () => {
    const o = assignedRepair();
    expect(markers(o, '2026-11-23T10:44')).toEqual([]);
    expect(markers(o, '2026-11-23T10:45')).toEqual(['[ladder:on_site+0:station]']);
    expect(markers(o, '2026-11-23T11:14')).toEqual(['[ladder:on_site+0:station]']);
    const due = escalationsDue(o, DEFAULT_POLICY, sh('2026-11-23T11:15'));
    expect(due.map((d) => d.marker)).toEqual(['[ladder:on_site+0:station]', '[ladder:on_site+30:team_lead]']);
    expect(due[1]).toMatchObject({
      step: { deadline: 'on_site', after: 30, tell: 'team_lead' },
      dueAt: '2026-11-23T11:15:00+08:00',
      lateMinutes: 30,
      deadline: { kind: 'on_site', due: '2026-11-23T10:45:00+08:00' },
    });
    // handled late as well: at 14:00 the team lead hears of it; two hours on, the centre's manager
    expect(markers(o, '2026-11-23T16:00')).toContain('[ladder:handle+120:centre_manager]');
  });

  it('a step is done once an escalate event of this clock carries its marker, whoever wrote it', () => {
    const marker = ladderMarker({ deadline: 'on_site', after: 0, tell: 'station' });
    let o = assignedRepair();
    o = applyEvent(o, {
      id: 'esc1',
      action: 'escalate',
      by: { userId: 'system', role: 'admin', centre: 'xiamen' },
      at: sh('2026-11-23T10:46'),
      reason: `到达现场超时 1 分钟，已通知供电所。${marker}`,
    });
    // a person's escalation without a marker is not a ladder step
    o = step(o, ['escalate', '2026-11-23T10:50']);
    expect(markers(o, '2026-11-23T11:15')).toEqual(['[ladder:on_site+30:team_lead]']);
    // the crew arriving stops the on-site ladder; the handling one is still to come
    o = step(o, ['arrive', '2026-11-23T11:20']);
    expect(markers(o, '2026-11-23T12:00')).toEqual([]);
  });

  it('counts business minutes past a 7x14 deadline', () => {
    const c = step(order('complaint', sh('2026-11-23T08:00')), ['dispatch', '2026-11-23T08:10']);
    // handle due Tuesday 18:00; the manager four business hours later, at Tuesday's close
    expect(markers(c, '2026-11-24T21:59')).toEqual(['[ladder:handle+0:team_lead]']);
    const late = escalationsDue(c, DEFAULT_POLICY, sh('2026-11-25T08:30'));
    expect(late.map((d) => [d.marker, d.dueAt, d.lateMinutes])).toEqual([
      ['[ladder:handle+0:team_lead]', '2026-11-24T18:00:00+08:00', 270],
      ['[ladder:handle+240:centre_manager]', '2026-11-24T22:00:00+08:00', 270],
    ]);
  });

  it('a reopened order climbs its ladder again; closed and merged orders have none', () => {
    let c = step(order('complaint', sh('2026-11-23T08:00')), ['dispatch', '2026-11-23T08:10']);
    c = step(c, ['escalate', '2026-11-24T18:01']);
    c = applyEvent(c, {
      id: 'esc-ladder',
      action: 'escalate',
      by: agent,
      at: sh('2026-11-24T18:01'),
      reason: '[ladder:handle+0:team_lead]',
    });
    expect(markers(c, '2026-11-24T19:00')).toEqual([]);
    c = step(c, ['take', '2026-11-24T19:00'], ['assign', '2026-11-24T19:01'], ['arrive', '2026-11-24T19:30']);
    c = step(c, ['handle', '2026-11-24T20:00'], ['reply', '2026-11-24T20:30'], ['callback', '2026-11-25T09:00']);
    c = step(c, ['archive', '2026-11-25T09:05']);
    expect(markers(c, '2026-12-30T09:00')).toEqual([]);
    c = step(c, ['reopen', '2026-11-26T08:00']);
    expect(markers(c, '2026-11-27T18:00')).toEqual(['[ladder:handle+0:team_lead]']);
    const m = step(order('repair', sh('2026-11-23T10:00')), ['merge', '2026-11-23T10:05']);
    expect(markers(m, '2026-11-24T10:00')).toEqual([]);
  });

  it('types without a ladder escalate nothing', () => {
    expect(markers(order('consultation', sh('2026-11-23T08:00')), '2026-12-23T08:00')).toEqual([]);
  });

  it('the ladder is validated with the policy', () => {
    const p = structuredClone(DEFAULT_POLICY) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    p.types.complaint.escalation = [
      { deadline: 'on_site', after: 0, tell: 'team_lead' },
      { deadline: 'handle', after: -5, tell: 'team_lead' },
      { deadline: 'reply', after: 0, tell: 'mayor' },
    ];
    p.types.repair.escalation.push({ deadline: 'on_site', after: 30, tell: 'team_lead' });
    let message = '';
    try {
      parsePolicy(p);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('types.complaint.escalation.1.after: minutes past the deadline, 0 or more');
    expect(message).toContain('types.complaint.escalation.2.tell');
    const q = structuredClone(DEFAULT_POLICY) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    q.types.complaint.escalation = [{ deadline: 'on_site', after: 0, tell: 'team_lead' }];
    q.types.repair.escalation.push({ deadline: 'on_site', after: 30, tell: 'team_lead' });
    expect(() => parsePolicy(q)).toThrow(
      'invalid SLA policy:\n' +
        '  - types.repair.escalation.6: [ladder:on_site+30:team_lead] is listed twice\n' +
        '  - types.complaint.escalation.0.deadline: complaint orders have no on_site milestone',
    );
  });
});
