// SLA clocks for a whole board: the console's board worker computes `deadlinesFor` for every order it shows (20,000
// for the province), and the centre's escalation pass runs `escalationsDue` over the same orders every minute. Orders
// are folded once beforehand (the fold is not measured here); a tenth of them have been paused (one or two ended
// pauses, some still paused), as crews waiting for parts or customers not at home would leave them.
import type { BenchResult } from '../../../../scripts/bench';
import { applyEvent, createOrder } from '../machine';
import type { Action, Actor, OrderDraft, OrderEvent, OrderType, WorkOrder } from '../model';
import { DEFAULT_POLICY, deadlinesFor, escalationsDue } from '../sla';
import type { SlaPolicy } from '../sla';

const ORDERS = 20_000;
const ROUNDS = 5;
const NOW = Date.parse('2026-11-23T16:00:00+08:00');

/** What the console computes with: the same calendars in the fixed zone UTC+8 (desktop/.../board/sla.ts). */
export const BOARD_LIKE_POLICY: SlaPolicy = {
  ...DEFAULT_POLICY,
  calendars: Object.fromEntries(
    Object.entries(DEFAULT_POLICY.calendars).map(([n, c]) => [
      n,
      c.zone === 'Asia/Shanghai' ? { ...c, zone: 'UTC+8' } : c,
    ]),
  ),
};

/** A seeded random source (mulberry32), so runs are repeatable. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const agent: Actor = { userId: 'agent.fz', role: 'agent', centre: 'fuzhou' };
const dispatcher: Actor = { userId: 'disp.fz', role: 'dispatcher', centre: 'fuzhou', stationId: 'S1' };
const TYPES: OrderType[] = ['repair', 'repair', 'repair', 'repair', 'complaint', 'consultation', 'inquiry', 'report'];
const PATH: Action[] = ['dispatch', 'take', 'assign', 'arrive', 'handle', 'reply', 'callback'];

/** `count` open orders of the last two days at random steps of the loop, every tenth paused at some point. */
export function boardOrders(count: number, seed = 95598): WorkOrder[] {
  const r = random(seed);
  const out: WorkOrder[] = [];
  for (let i = 0; i < count; i++) {
    const type = TYPES[Math.floor(r() * TYPES.length)]!;
    const draft: OrderDraft = {
      type,
      channel: 'phone',
      priority: r() < 0.8 ? 'normal' : r() < 0.5 ? 'urgent' : 'critical',
      region: { city: 'fuzhou', county: 'gulou', areaClass: r() < 0.7 ? 'urban' : r() < 0.6 ? 'rural' : 'remote' },
      address: '鼓楼区五四路 1 号',
      callerNumber: '13900000000',
      description: '停电',
    };
    let t = NOW - Math.floor(r() * 2 * 86_400_000);
    const at = () => new Date((t += Math.floor(r() * 40 * 60_000) + 60_000)).toISOString();
    let n = 0;
    const ev = (action: Action, extra: Partial<OrderEvent> = {}): OrderEvent => ({
      id: `e${++n}`,
      action,
      by: ['dispatch', 'callback'].includes(action) ? agent : dispatcher,
      at: at(),
      ...extra,
    });
    let o = createOrder(`fuzhou-20261123-${i}`, draft, ev('create', { by: agent }));
    const steps = Math.floor(r() * PATH.length);
    const paused = r() < 0.1;
    for (const action of PATH.slice(0, steps)) {
      o = applyEvent(o, ev(action, { stationId: 'S1', crewId: 'c1', satisfaction: 'satisfied' }));
      if (paused && ['dispatched', 'taken', 'assigned', 'on_site'].includes(o.state) && !o.paused) {
        o = applyEvent(o, ev('pause', { reason: '等待备件' }));
        if (r() < 0.7) o = applyEvent(o, ev('resume'));
      }
    }
    out.push(o);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median milliseconds of ROUNDS passes of `pass` over the orders. */
function time(pass: () => void): number {
  pass(); // warm up
  const ms: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    pass();
    ms.push(performance.now() - t0);
  }
  return Math.round(median(ms));
}

export default async function run(): Promise<BenchResult[]> {
  const orders = boardOrders(ORDERS);
  const paused = orders.filter((o) => o.pauses.length > 0).length;
  const board = time(() => orders.forEach((o) => deadlinesFor(o, BOARD_LIKE_POLICY)));
  const shanghai = time(() => orders.forEach((o) => deadlinesFor(o, DEFAULT_POLICY)));
  const ladder = time(() => orders.forEach((o) => escalationsDue(o, DEFAULT_POLICY, new Date(NOW))));
  const note = `${ORDERS} open orders of the last two days, ${paused} of them paused at some point; median of ${ROUNDS}`;
  return [
    {
      name: 'SLA deadlines for a 20,000-order board (deadlinesFor, the console policy in UTC+8)',
      value: board,
      unit: 'ms',
      note,
    },
    { name: 'SLA deadlines for a 20,000-order board, calendars in Asia/Shanghai', value: shanghai, unit: 'ms', note },
    {
      name: 'escalation ladder check over 20,000 orders (escalationsDue, one centre pass without the fold)',
      value: ladder,
      unit: 'ms',
      note,
    },
  ];
}
