import { describe, expect, it } from 'vitest';
import { applyEvent, createOrder } from '@twinline/workorder';
import type { Actor, OrderEvent, WorkOrder } from '@twinline/workorder';
import { crewFigures, ratings } from './crew-figures';
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
const evidence = (flags: { code: 'too_far'; detail: string }[] = []) => ({
  serverAt: at(0),
  offline: false,
  location: { lat: 26.08, lng: 119.3, accuracyM: 10 },
  photos: [],
  flags,
});

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
