// Routing decision latency and throughput: one centre's router with 200 agents across the five demo groups and about
// 500 calls waiting, driven by a mixed, seeded stream of arrivals, answers, hang-ups (after-call work ends on ticks),
// callers giving up, offers declined or ringing out, and agents taking breaks. Every call into the router is timed
// (it is synchronous: a call's time is the decision's time).
import * as prng from 'lib0/prng';
import type { RoutingConfig } from '../config';
import type { Call, RouterOutput } from '../decision';
import { Router } from '../router';
import { DEMO_GROUPS, demoRoutingConfig } from '../testkit';
import type { BenchResult } from '../../../../scripts/bench';

export type RoutingBenchResult = BenchResult;

const AGENTS = 200;
const QUEUED = 500;
const OPS = 60_000;
const CALLERS = ['05921234567', '059512345678', '05961234567', '05971234567', '13859512345', '19912345678'];

function config(): RoutingConfig {
  const base = demoRoutingConfig('xiamen');
  const groups = DEMO_GROUPS.map((g) => g.id);
  return demoRoutingConfig('xiamen', {
    // Limits high enough that calls queue instead of overflowing: the point is a long queue.
    regions: base.regions.map((r) => ({ ...r, maxCallsInProgress: 2_000 })),
    groups: base.groups.map((g) => ({ ...g, queueLimit: 2_000, maxWaitMs: 3_600_000, afterCallWorkMs: 20_000 })),
    agents: Array.from({ length: AGENTS }, (_, i) => ({
      id: `agent${i}`,
      // Everyone takes repair or business; one in five also a dialect or complaints.
      skills: [groups[i % 2]!, ...(i % 5 === 0 ? [groups[2 + (i % 3)]!] : [])],
    })),
  });
}

const quantile = (sorted: Float64Array, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export function runRoutingBench(ops = OPS, seed = 2026) {
  const gen = prng.create(seed);
  const pick = <T>(xs: readonly T[]): T => xs[prng.uint32(gen, 0, xs.length - 1)]!;
  const router = new Router(config());
  const agents = Array.from({ length: AGENTS }, (_, i) => `agent${i}`);
  let now = 0;
  let n = 0;
  let decisions = 0;
  let spent = 0;
  const times = new Float64Array(ops);
  let timed = 0;
  const byKind: Record<string, number> = {};
  const ringing = new Set<string>();
  const connected = new Set<string>();
  const queued = new Set<string>();
  const absorb = (out: RouterOutput) => {
    for (const d of out.decisions) {
      byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
      queued.delete(d.callId);
      ringing.delete(d.callId);
      if (d.kind === 'offer') ringing.add(d.callId);
      else if (d.kind === 'queue') queued.add(d.callId);
    }
    decisions += out.decisions.length;
  };
  const arrivals: number[] = [];
  let waitingSum = 0;
  let waitingN = 0;
  const time = (f: () => RouterOutput, record = true, also?: number[]) => {
    const t0 = performance.now();
    const out = f();
    const dt = performance.now() - t0;
    if (record) {
      times[timed++] = dt;
      spent += dt;
      also?.push(dt);
      waitingSum += queued.size;
      waitingN++;
    }
    absorb(out);
  };
  const call = (): Call => ({
    id: `c${++n}`,
    caller: pick(CALLERS),
    menu: { service: pick(['1', '1', '1', '2', '2', '3', '8', '9']) },
    vip: prng.uint32(gen, 0, 19) === 0,
  });
  const any = <T>(s: Set<T>): T | undefined => {
    // A pseudo-random member without copying the set: skip a few from the start.
    let skip = prng.uint32(gen, 0, Math.min(s.size, 16) - 1);
    for (const x of s) if (skip-- <= 0) return x;
    return undefined;
  };

  // Warm-up, untimed: everyone ready, every agent on a call, then 500 more calls waiting.
  for (const id of agents)
    time(
      () =>
        router.agentEvent({
          type: 'set_state',
          agentId: id,
          at: 0,
          by: { role: 'agent', userId: id },
          target: { to: 'ready' },
        }),
      false,
    );
  while (queued.size < QUEUED) {
    now += 10;
    time(() => router.callArrived(call(), now), false);
    for (const id of [...ringing]) {
      ringing.delete(id);
      connected.add(id);
      time(() => router.callAnswered(id, now), false);
    }
  }
  for (const k of Object.keys(byKind)) delete byKind[k];
  decisions = 0;

  for (let i = 0; i < ops; i++) {
    now += 50;
    const r = prng.uint32(gen, 0, 99);
    if (r < 25 && ringing.size) {
      const id = any(ringing)!;
      ringing.delete(id);
      connected.add(id);
      time(() => router.callAnswered(id, now));
    } else if (r < 45 && connected.size) {
      const id = any(connected)!;
      connected.delete(id);
      time(() => router.callEnded(id, 'completed', now));
    } else if (r < 48 && queued.size) {
      const id = any(queued)!;
      queued.delete(id);
      time(() => router.callEnded(id, 'abandoned', now));
    } else if (r < 50 && ringing.size) {
      const id = any(ringing)!;
      ringing.delete(id);
      time(() => router.callEnded(id, 'rejected', now));
    } else if (r < 54) {
      // Agents going on a break and coming back (on a call, it is a choice for after the call).
      const id = pick(agents);
      const to = prng.bool(gen) ? { to: 'ready' as const } : { to: 'not_ready' as const, reason: 'break' as const };
      try {
        time(() =>
          router.agentEvent({ type: 'set_state', agentId: id, at: now, by: { role: 'agent', userId: id }, target: to }),
        );
      } catch {
        // Refused (e.g. ready while ringing): not timed, not a decision.
      }
    } else if (r < 64 || queued.size >= QUEUED + 20) {
      time(() => router.tick(now));
    } else {
      time(() => router.callArrived(call(), now), true, arrivals);
    }
  }
  const lat = times.slice(0, timed).sort();
  const arr = Float64Array.from(arrivals).sort();
  const snapT0 = performance.now();
  const snap = router.snapshot(now);
  const snapMs = performance.now() - snapT0;
  return {
    p50: quantile(lat, 0.5),
    p99: quantile(lat, 0.99),
    max: lat[lat.length - 1]!,
    arrivalP50: quantile(arr, 0.5),
    arrivalP99: quantile(arr, 0.99),
    arrivals: arr.length,
    meanWaiting: Math.round(waitingSum / Math.max(1, waitingN)),
    calls: timed,
    decisions,
    decisionsPerSecond: decisions / (spent / 1000),
    callsPerSecond: timed / (spent / 1000),
    byKind,
    waiting: snap.groups.reduce((s, g) => s + g.waiting, 0),
    snapMs,
  };
}

export default async function run(): Promise<RoutingBenchResult[]> {
  runRoutingBench(10_000, 7); // warm the JIT
  const r = runRoutingBench();
  const us = (ms: number) => Math.round(ms * 1000 * 10) / 10;
  const mix = Object.entries(r.byKind)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const shape = `${AGENTS} agents in 5 groups, ${r.meanWaiting} calls waiting on average (${r.waiting} at the end)`;
  return [
    {
      name: 'routing: decision for an arriving call (bind, limits, offer or queue), p50',
      value: us(r.arrivalP50),
      unit: 'µs',
      note: `${shape}; ${r.arrivals} arrivals`,
    },
    {
      name: 'routing: decision for an arriving call, p99',
      value: us(r.arrivalP99),
      unit: 'µs',
      target: 'p99 < 5 ms',
      met: r.arrivalP99 < 5,
    },
    {
      name: 'routing: latency of one router call (arrival, answer, hang-up, agent change, tick), p50',
      value: us(r.p50),
      unit: 'µs',
      note: `${shape}; ${r.calls} calls into the router`,
    },
    {
      name: 'routing: latency of one router call (any kind), p99',
      value: us(r.p99),
      unit: 'µs',
      target: 'p99 < 5 ms',
      met: r.p99 < 5,
      note: `max ${us(r.max)} µs (includes GC pauses)`,
    },
    {
      name: 'routing: decisions per second (one core, router time only)',
      value: Math.round(r.decisionsPerSecond),
      unit: 'decisions/s',
      note: `${r.decisions} decisions: ${mix}; ${Math.round(r.callsPerSecond)} router calls/s`,
    },
    {
      name: "routing: team lead's snapshot",
      value: us(r.snapMs),
      unit: 'µs',
      note: shape,
    },
  ];
}
