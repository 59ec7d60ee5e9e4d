import { describe, expect, it } from 'vitest';
import { applyEvent, createOrder } from '@twinline/workorder';
import type { Actor, EvidenceFlag, OrderEvent, WorkOrder } from '@twinline/workorder';
import { FiguresFold, FiguresInputSchema, crewFigures, figuresInput, memberFigures, ratings } from './crew-figures';
import { agent, dispatcherA, draftFor } from './testkit';

const crewActor: Actor = { userId: 'c1', role: 'crew', centre: 'fuzhou', stationId: dispatcherA.stationId };
let seq = 0;
const at = (minute: number) => new Date(Date.UTC(2026, 10, 23, 0, minute)).toISOString();
const ev = (action: OrderEvent['action'], by: Actor, minute: number, extra: Partial<OrderEvent> = {}): OrderEvent => ({
  id: `e${++seq}`,
  action,
  by,
  at: at(minute),
  ...extra,
});
const evidence = (flags: { code: EvidenceFlag; detail: string }[] = [], members?: string[]) => ({
  serverAt: at(0),
  offline: false,
  location: { lat: 26.08, lng: 119.3, accuracyM: 10 },
  photos: [],
  flags,
  ...(members ? { members } : {}),
});
const on = (...members: string[]) => evidence([], members);
const tooFar = [{ code: 'too_far' as const, detail: '5.2 km' }];

function run(steps: OrderEvent[]): WorkOrder {
  return steps.reduce((o, e) => applyEvent(o, e), createOrder(`o${++seq}`, draftFor(), ev('create', agent, 0)));
}

describe('figures per crew', () => {
  it('counts real on-site arrivals, flagged reports, times to accept, arrive and handle, and the load', () => {
    const common = [
      ev('dispatch', agent, 1, { stationId: dispatcherA.stationId }),
      ev('take', dispatcherA, 2),
      ev('assign', dispatcherA, 10, { crewId: 'c1' }),
    ];
    const verified = run([
      ...common,
      ev('accept', crewActor, 12, { evidence: evidence() }),
      ev('arrive', crewActor, 40, { evidence: evidence() }),
      ev('handle', crewActor, 100, { note: '更换熔断器', evidence: evidence() }),
    ]);
    const flagged = run([
      ...common,
      ev('accept', crewActor, 20, { evidence: evidence() }),
      ev('arrive', crewActor, 60, { evidence: evidence([{ code: 'too_far', detail: '5.2 km' }]) }),
    ]);
    const byDispatcher = run([...common, ev('arrive', dispatcherA, 30)]);
    const f = crewFigures([verified, flagged, byDispatcher]).get('c1')!;
    // load: all three are still the crew's (on site, or handled and not yet replied)
    expect(f).toMatchObject({ assigned: 3, arrivals: 3, verifiedArrivals: 1, flagged: 1, load: 3 });
    expect(f.minutesToAccept).toBe(6); // 2 and 10
    expect(f.minutesToArrive).toBe(33.3); // 30, 50, 20
    expect(f.minutesToHandle).toBe(60);
  });
});

describe('figures per crew member', () => {
  // Crew c1: 林 (m1), 陈 (m2), 黄 (m3). Each report lists who was on the job when the crew sent it.
  const assigned = (crewId: string, minute: number) => [
    ev('dispatch', agent, 1, { stationId: dispatcherA.stationId }),
    ev('take', dispatcherA, 2),
    ev('assign', dispatcherA, minute, { crewId }),
  ];
  const orders = () => [
    // 林 and 陈 accept and arrive; 陈 leaves, 林 finishes alone (handled, still the crew's: load for 林 only).
    run([
      ...assigned('c1', 10),
      ev('accept', crewActor, 12, { evidence: on('m1', 'm2') }),
      ev('arrive', crewActor, 40, { evidence: on('m1', 'm2') }),
      ev('handle', crewActor, 100, { note: '更换熔断器', evidence: on('m1') }),
    ]),
    // 陈 and 黄: an arrival 5 km off, flagged (on site: load for both).
    run([
      ...assigned('c1', 10),
      ev('accept', crewActor, 20, { evidence: on('m2', 'm3') }),
      ev('arrive', crewActor, 60, { evidence: evidence(tooFar, ['m2', 'm3']) }),
    ]),
    // Accepted from a page that did not say who (before members were recorded): the crew's figures only.
    run([...assigned('c1', 10), ev('accept', crewActor, 15, { evidence: evidence() })]),
    // 林 accepts, then the order goes to crew c2: a job for 林, but no load.
    run([
      ...assigned('c1', 10),
      ev('accept', crewActor, 14, { evidence: on('m1') }),
      ev('assign', dispatcherA, 30, { crewId: 'c2' }),
    ]),
  ];

  it('counts each report for every member it lists: arrivals, real on-site rate, flags, times and who holds what', () => {
    const f = memberFigures(orders()).get('c1')!;
    expect([...f.keys()].sort()).toEqual(['m1', 'm2', 'm3']);
    expect(f.get('m1')).toEqual({
      crewId: 'c1',
      memberId: 'm1',
      jobs: 2,
      arrivals: 1,
      verifiedArrivals: 1,
      flagged: 0,
      minutesToAccept: 3, // 2 and 4
      minutesToArrive: 30,
      minutesToHandle: 60,
      load: 1,
    });
    expect(f.get('m2')).toMatchObject({ jobs: 2, arrivals: 2, verifiedArrivals: 1, flagged: 1, load: 1 });
    expect(f.get('m2')).toMatchObject({ minutesToAccept: 6, minutesToArrive: 40, minutesToHandle: null });
    expect(f.get('m3')).toMatchObject({ jobs: 1, arrivals: 1, verifiedArrivals: 0, flagged: 1, load: 1 });
    expect(memberFigures(orders()).has('c2')).toBe(false); // nobody of c2 has reported
  });

  it("leaves the crew's own figures as they were, counting the reports that name nobody", () => {
    expect(crewFigures(orders()).get('c1')).toMatchObject({
      assigned: 4,
      arrivals: 2,
      verifiedArrivals: 1,
      flagged: 1,
      minutesToAccept: 5.3, // 2, 10, 5, 4
      load: 3,
    });
  });

  it('gives figures to a member the roster no longer has, whose reports count as flagged', () => {
    // An offline arrival names 吴 (m9), taken off the crew's roster before it reached the centre: kept, flagged.
    const unknown = [{ code: 'member_unknown' as const, detail: 'm9 不在班组名单中 / m9 is not in the crew roster' }];
    const o = run([
      ...assigned('c1', 10),
      ev('accept', crewActor, 12, { evidence: on('m1', 'm9') }),
      ev('arrive', crewActor, 30, { evidence: evidence(unknown, ['m1', 'm9']) }),
    ]);
    expect(crewFigures([o]).get('c1')).toMatchObject({ arrivals: 1, verifiedArrivals: 0, flagged: 1 });
    expect(memberFigures([o]).get('c1')!.get('m9')).toEqual({
      crewId: 'c1',
      memberId: 'm9',
      jobs: 1,
      arrivals: 1,
      verifiedArrivals: 0,
      flagged: 1,
      minutesToAccept: 2,
      minutesToArrive: 20,
      minutesToHandle: null,
      load: 1,
    });
  });

  it('counts a member listed twice on one report once', () => {
    const o = run([...assigned('c1', 10), ev('accept', crewActor, 13, { evidence: on('m1', 'm1') })]);
    expect(memberFigures([o]).get('c1')!.get('m1')).toMatchObject({ jobs: 1, minutesToAccept: 3, load: 1 });
  });
});

describe('evaluation results per person and per station', () => {
  it("averages the stations' ratings of each agent and the agents' ratings of each station", () => {
    const loop = (agentScore: number, stationScore: number, note?: string) =>
      run([
        ev('dispatch', agent, 1, { stationId: dispatcherA.stationId }),
        ev('take', dispatcherA, 2),
        ev('assign', dispatcherA, 3, { crewId: 'c1' }),
        ev('arrive', dispatcherA, 4),
        ev('handle', dispatcherA, 5, { note: '处理' }),
        ev('reply', dispatcherA, 6, { note: '回单' }),
        ev('callback', agent, 7, { satisfaction: 'satisfied' }),
        ev('archive', agent, 8),
        ev('evaluate', agent, 9, { score: stationScore }),
        ev('evaluate', dispatcherA, 10, { score: agentScore, ...(note ? { note } : {}) }),
      ]);
    const r = ratings([loop(5, 4), loop(2, 3, '工单地址写错了小区名')]);
    expect(r.agents.get(agent.userId)).toMatchObject({ count: 2, mean: 3.5 });
    expect(r.agents.get(agent.userId)!.comments.map((c) => c.note)).toEqual(['工单地址写错了小区名']);
    expect(r.stations.get(dispatcherA.stationId!)).toMatchObject({ count: 2, mean: 3.5 });
  });
});

describe('figures folded one order at a time', () => {
  it('gives what the functions over all the orders give, keeping only the newest five comments', () => {
    const orders = Array.from({ length: 120 }, (_, i) => {
      const crew = { ...crewActor, userId: `c${i % 3}` };
      return run([
        ev('dispatch', agent, 1, { stationId: dispatcherA.stationId }),
        ev('take', dispatcherA, 2),
        ev('assign', dispatcherA, 3, { crewId: crew.userId }),
        ev('accept', crew, 4 + (i % 7), { evidence: on('m1') }),
        ev('arrive', crew, 20 + (i % 11), { evidence: i % 4 ? on('m1', 'm2') : evidence(tooFar, ['m2']) }),
        ev('handle', crew, 60, { note: '处理', evidence: on('m2') }),
        ev('reply', dispatcherA, 70, { note: '回单' }),
        ev('callback', agent, 80, { satisfaction: 'satisfied' }),
        ev('archive', agent, 90),
        ev('evaluate', agent, 91, { score: 1 + (i % 5), ...(i % 2 ? { note: `站点评价 ${i}` } : {}) }),
        // Many comments at the same minute: the newest five, and of those made at once the earliest first.
        ev('evaluate', dispatcherA, 100 + (i % 9), { score: 1 + (i % 4), note: `坐席评价 ${i}` }),
      ]);
    });
    const fold = new FiguresFold();
    for (const o of orders) fold.add(o);
    expect(fold.orders).toBe(120);
    expect(fold.crewFigures()).toEqual(crewFigures(orders));
    expect(fold.memberFigures()).toEqual(memberFigures(orders));
    expect(fold.ratings()).toEqual(ratings(orders));
    expect(
      fold
        .ratings()
        .agents.get(agent.userId)!
        .comments.map((c) => c.note),
    ).toEqual([8, 17, 26, 35, 44].map((i) => `坐席评价 ${i}`));
  });
});

describe('the part of an order the figures read', () => {
  const loop = (i: number) => {
    const crew = { ...crewActor, userId: `c${i % 2}` };
    return run([
      ev('dispatch', agent, 1, { stationId: dispatcherA.stationId }),
      ev('take', dispatcherA, 2),
      ev('assign', dispatcherA, 3, { crewId: crew.userId }),
      ev('urge', agent, 4),
      ev('accept', crew, 5 + (i % 4), { evidence: i % 3 ? on('m1') : evidence() }),
      ...(i % 4 === 0 ? [ev('assign', dispatcherA, 12, { crewId: 'c9' })] : []),
      ev('arrive', i % 5 ? { ...crewActor, userId: i % 4 === 0 ? 'c9' : crew.userId } : dispatcherA, 30, {
        ...(i % 5 ? { evidence: i % 3 ? on('m1', 'm2') : evidence(tooFar, ['m2']) } : {}),
      }),
      ev('handle', dispatcherA, 60, { note: '处理' }),
      ...(i % 2
        ? [
            ev('reply', dispatcherA, 70, { note: '回单' }),
            ev('callback', agent, 80, { satisfaction: 'satisfied' }),
            ev('archive', agent, 90),
            ev('evaluate', agent, 91, { score: 1 + (i % 5), ...(i % 3 ? { note: `站点评价 ${i}` } : {}) }),
            ev('evaluate', dispatcherA, 92, { score: 1 + (i % 4), note: `坐席评价 ${i}` }),
          ]
        : []),
    ]);
  };

  it('folds to the same figures as the whole order, also as JSON, from its figure fields and crew events only', () => {
    const orders = Array.from({ length: 40 }, (_, i) => loop(i));
    const parts = orders.map((o) => FiguresInputSchema.parse(JSON.parse(JSON.stringify(figuresInput(o)))));
    expect(crewFigures(parts)).toEqual(crewFigures(orders));
    expect(memberFigures(parts)).toEqual(memberFigures(orders));
    expect(ratings(parts)).toEqual(ratings(orders));

    const [part, order] = [figuresInput(orders[1])!, orders[1]!];
    expect(Object.keys(part).sort()).toEqual([
      'createdBy',
      'crewId',
      'evaluations',
      'history',
      'id',
      'state',
      'stationId',
    ]);
    expect(part.history.map((e) => e.action)).toEqual(['assign', 'accept', 'arrive', 'handle', 'reply']);
    expect(part.history[2]).toEqual({
      action: 'arrive',
      at: at(30),
      by: { role: 'crew' },
      evidence: { flags: [], location: { lat: 26.08, lng: 119.3, accuracyM: 10 }, members: ['m1', 'm2'] },
    });
    expect(part.evaluations.station).toEqual({ score: 2, note: '坐席评价 1', at: order.evaluations.station!.at });
    expect(part.createdBy).toEqual({ userId: agent.userId });
  });

  it('refuses an order missing a field the fold reads, and gives an order from before evaluations none', () => {
    const order = JSON.parse(JSON.stringify(loop(1))) as Record<string, unknown> & { history: object[] };
    const without = (o: object, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
    expect(figuresInput(without(order, 'createdBy'))).toBeUndefined();
    expect(figuresInput({ ...order, state: 'lost' })).toBeUndefined();
    expect(figuresInput({ ...order, history: [without(order.history[3]!, 'at'), ...order.history] })).toBeUndefined();
    const badMembers = { ...order.history[4]!, evidence: { flags: [], members: [7] } };
    expect(figuresInput({ ...order, history: [badMembers] })).toBeUndefined();
    expect(figuresInput({ ...order, evaluations: { centre: { score: '5', at: order.stateSince } } })).toBeUndefined();
    expect(figuresInput('{"id":"o1"}')).toBeUndefined();

    const older = figuresInput(without(order, 'evaluations'))!;
    expect(older.evaluations).toEqual({});
    expect(ratings([older])).toEqual({ agents: new Map(), stations: new Map() });
  });
});
