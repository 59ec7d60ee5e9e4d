// Random event sequences against the router: whatever happens, it never offers a call to an agent who is not ready or
// lacks the call's skill, never holds more calls from a region than its limit, never leaves a call waiting while an
// agent of its group is ready, never sends a call back to the twin it came from, and its agent states stay the fold
// of the events it put out.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { AgentStateError, applyAgentEvent, foldAgentEvents, initialAgentState, type AgentEvent } from './agent';
import { CALL_ENDINGS, type Call } from './decision';
import { Router, RoutingError } from './router';
import { demoRoutingConfig } from './testkit';

const AGENTS = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'];
const SKILLS = [['repair'], ['repair', 'business'], ['business'], ['minnan'], ['repair', 'minnan'], ['complaint']];
const base = demoRoutingConfig('xiamen');
const config = demoRoutingConfig('xiamen', {
  agents: AGENTS.map((id, i) => ({ id, skills: SKILLS[i]! })),
  regions: base.regions.map((r) => ({ ...r, maxCallsInProgress: r.id === 'quanzhou' ? 2 : 3 })),
  groups: base.groups.map((g) => ({
    ...g,
    queueLimit: 2,
    maxWaitMs: 12_000,
    afterCallWorkMs: g.id === 'repair' ? 0 : 5_000,
  })),
  offerTimeoutMs: 8_000,
});
const CALLERS = ['05921234567', '059512345678', '05961234567', '059187654321', '13859712345', '19912345678'];

type Cmd =
  | { k: 'state'; agent: number; target: number; lead: boolean }
  | { k: 'arrive'; caller: number; service: number; vip: boolean; fromTwin: boolean }
  | { k: 'answer'; pick: number }
  | { k: 'end'; pick: number; how: number }
  | { k: 'twin'; status: number };

/** A call arriving (weighted: it appears several times in the mix below, so queues fill and limits are reached). */
const arrival = fc.record({
  k: fc.constant('arrive' as const),
  caller: fc.nat(CALLERS.length - 1),
  service: fc.constantFrom(1, 2, 3, 8, 9, 0),
  vip: fc.boolean(),
  fromTwin: fc.nat(4).map((x) => x === 0),
});

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({
    k: fc.constant('state' as const),
    agent: fc.nat(5),
    target: fc.constantFrom(0, 0, 0, 1, 2, 3), // mostly ready, so calls are offered
    lead: fc.nat(6).map((x) => x === 0),
  }),
  arrival,
  arrival,
  arrival,
  fc.record({ k: fc.constant('answer' as const), pick: fc.nat(20) }),
  fc.record({ k: fc.constant('end' as const), pick: fc.nat(20), how: fc.nat(CALL_ENDINGS.length - 1) }),
  fc.record({ k: fc.constant('twin' as const), status: fc.nat(2) }),
);
const step = fc.record({ cmd, dt: fc.integer({ min: 0, max: 3_000 }) });

describe('router invariants under random events', () => {
  it('holds for random sequences of agent changes, calls, answers, endings, ticks and twin changes', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), (steps) => {
        const router = new Router(config);
        const log: AgentEvent[] = [];
        const shadow = new Map(AGENTS.map((id) => [id, initialAgentState(id)]));
        const skills = new Map(config.agents.map((a) => [a.id, a.skills]));
        const fromTwin = new Set<string>();
        let now = 0;
        let n = 0;
        const absorb = (out: ReturnType<Router['tick']>) => {
          for (const e of out.events) {
            const before = shadow.get(e.agentId)!;
            if (e.type === 'offer') expect(before.status.state).toBe('ready');
            shadow.set(e.agentId, applyAgentEvent(before, e));
            log.push(e);
          }
          for (const d of out.decisions) {
            if (d.kind === 'offer') expect(skills.get(d.agentId)).toContain(d.group);
            if (d.kind === 'overflow') expect(fromTwin.has(d.callId)).toBe(false);
          }
        };
        const held = () => router.snapshot(now).calls.map((c) => c.callId);
        for (const agentId of AGENTS)
          absorb(
            router.agentEvent({
              type: 'set_state',
              agentId,
              at: 0,
              by: { role: 'agent', userId: agentId },
              target: { to: 'ready' },
            }),
          );
        for (const { cmd: c, dt } of steps) {
          now += dt;
          absorb(router.tick(now));
          try {
            if (c.k === 'state') {
              const agentId = AGENTS[c.agent]!;
              const target = [
                { to: 'ready' as const },
                { to: 'not_ready' as const, reason: 'break' as const },
                { to: 'signed_out' as const },
                { to: 'not_ready' as const, reason: 'meal' as const },
              ][c.target]!;
              const by = c.lead
                ? { role: 'team_lead' as const, userId: 'lead' }
                : { role: 'agent' as const, userId: agentId };
              absorb(router.agentEvent({ type: 'set_state', agentId, at: now, by, target }));
            } else if (c.k === 'arrive') {
              const call: Call = {
                id: `k${++n}`,
                caller: CALLERS[c.caller]!,
                menu: { service: String(c.service) },
                vip: c.vip,
                fromTwin: c.fromTwin,
              };
              if (c.fromTwin) fromTwin.add(call.id);
              absorb(router.callArrived(call, now));
            } else if (c.k === 'answer') {
              const ids = held();
              if (ids.length) absorb(router.callAnswered(ids[c.pick % ids.length]!, now));
            } else if (c.k === 'end') {
              const ids = held();
              if (ids.length) absorb(router.callEnded(ids[c.pick % ids.length]!, CALL_ENDINGS[c.how]!, now));
            } else {
              router.setTwin((['up', 'down', 'full'] as const)[c.status]!);
            }
          } catch (error) {
            // Refusals are expected (illegal or forbidden changes, answering a call that is not ringing).
            if (!(error instanceof AgentStateError) && !(error instanceof RoutingError)) throw error;
          }
          const snap = router.snapshot(now);
          for (const r of snap.regions) {
            expect(r.inProgress).toBeLessThanOrEqual(r.limit);
            expect(r.inProgress).toBe(snap.calls.filter((x) => x.region === r.id).length);
          }
          for (const g of snap.groups) if (g.waiting > 0) expect(g.ready).toBe(0);
          for (const x of snap.calls) if (x.status === 'queued') expect(now - x.waitedMs).toBeGreaterThanOrEqual(0);
        }
        expect(router.agentStates()).toEqual(new Map([...shadow]));
        const folded = foldAgentEvents(log);
        for (const [id, s] of folded) expect(s).toEqual(shadow.get(id));
      }),
      { numRuns: 300 },
    );
  });
});
