import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { WorkOrderError } from './errors';
import { allowedActions, applyEvent, createOrder, draftProblem, foldEvents, refusal, RULES } from './machine';
import { ACTIONS, OutageSchema, ROLES, STATES } from './model';
import type { Action, Actor, OrderDraft, OrderEvent, OrderState, Role, WorkOrder } from './model';

// ---- fixtures -------------------------------------------------------------------------------------------------------

const agent: Actor = { userId: 'a1', role: 'agent', centre: 'fz' };
const lead: Actor = { userId: 'l1', role: 'team_lead', centre: 'fz' };
const admin: Actor = { userId: 'ad1', role: 'admin', centre: 'xm' };
const dispatcherS1: Actor = { userId: 'd1', role: 'dispatcher', centre: 'fz', stationId: 'S1' };
const dispatcherS2: Actor = { userId: 'd2', role: 'dispatcher', centre: 'fz', stationId: 'S2' };
const crew: Actor = { userId: 'crew-7', role: 'crew', centre: 'fz', stationId: 'S1' };

const draft: OrderDraft = {
  type: 'repair',
  channel: 'phone',
  priority: 'normal',
  region: { city: 'fuzhou', county: 'gulou', areaClass: 'urban' },
  address: '鼓楼区五四路 1 号',
  callerNumber: '13800000000',
  description: '整栋楼停电',
};

let seq = 0;
/** An event with a complete payload for its action, so only the state and the actor decide whether it is accepted. */
function ev(action: Action, by: Actor, extra: Partial<OrderEvent> = {}): OrderEvent {
  seq += 1;
  const payload: Partial<OrderEvent> =
    {
      dispatch: { stationId: 'S1' },
      assign: { crewId: 'crew-7' },
      send_back: { reason: '不属本站辖区' },
      escalate: { reason: '客户第三次来电' },
      reopen: { reason: '客户再次来电：仍无电' },
      merge: { masterId: 'WO-MASTER' },
      callback: { satisfaction: 'satisfied' as const },
      handle: { note: '更换熔断器' },
      reply: { note: '已恢复供电，附现场照片' },
      pause: { reason: '客户不在家' },
      evaluate: { score: 4, note: '处理及时' },
    }[action as string] ?? {};
  const at = new Date(Date.UTC(2026, 10, 23, 0, 0, seq)).toISOString();
  return { id: `e${seq}`, action, by, at, ...payload, ...extra };
}

function newOrder(): WorkOrder {
  return createOrder('WO-1', draft, ev('create', agent));
}

/** The actor who normally takes each step on the happy path. */
const DOER: Record<Exclude<Action, 'create'>, Actor> = {
  dispatch: agent,
  take: dispatcherS1,
  assign: dispatcherS1,
  arrive: dispatcherS1,
  handle: dispatcherS1,
  reply: dispatcherS1,
  callback: agent,
  archive: agent,
  send_back: dispatcherS1,
  urge: lead,
  escalate: lead,
  reopen: agent,
  merge: agent,
  restore: lead,
  accept: crew,
  pause: dispatcherS1,
  resume: dispatcherS1,
  callback_attempt: agent,
  evaluate: agent,
};

const HAPPY: Exclude<Action, 'create'>[] = [
  'dispatch',
  'take',
  'assign',
  'arrive',
  'handle',
  'reply',
  'callback',
  'archive',
];

function run(order: WorkOrder, steps: readonly Exclude<Action, 'create'>[]): WorkOrder {
  return steps.reduce((o, step) => applyEvent(o, ev(step, DOER[step])), order);
}

/** Builds an order in every state through the machine itself (never by hand), so the states are reachable ones. */
function orderIn(state: OrderState): WorkOrder {
  if (state === 'merged') return run(newOrder(), ['merge']);
  const idx = STATES.indexOf(state);
  return run(newOrder(), HAPPY.slice(0, idx));
}

function thrown(fn: () => unknown): WorkOrderError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WorkOrderError);
    return error as WorkOrderError;
  }
  throw new Error('expected a WorkOrderError, nothing was thrown');
}

// ---- the happy path -------------------------------------------------------------------------------------------------

describe('the closed loop', () => {
  it('runs create → dispatch → take → assign → arrive → handle → reply → callback → archive', () => {
    let order = newOrder();
    expect(order.state).toBe('accepted');
    expect(order.createdBy).toEqual(agent);
    const seen: OrderState[] = [order.state];
    for (const step of HAPPY) {
      const before = order;
      order = applyEvent(order, ev(step, DOER[step]));
      seen.push(order.state);
      expect(order.history).toHaveLength(before.history.length + 1);
      expect(order.stateSince).toBe(order.history.at(-1)?.at);
      // the previous value is not mutated: replicas hold on to old orders
      expect(before.history).toHaveLength(order.history.length - 1);
    }
    expect(seen).toEqual(STATES.filter((s) => s !== 'merged'));
    expect(order.stationId).toBe('S1');
    expect(order.crewId).toBe('crew-7');
    expect(order.satisfaction).toBe('satisfied');
    expect(order.history.map((e) => e.action)).toEqual(['create', ...HAPPY]);
    // archived: the agent who took it may still reopen it, and evaluates the station once
    expect(allowedActions(order, agent)).toEqual(['reopen', 'evaluate']);
  });

  it('records where it was dispatched, to which crew, and resets the crew on a new dispatch', () => {
    const taken = run(newOrder(), ['dispatch', 'take', 'assign']);
    expect(taken.crewId).toBe('crew-7');
    const reassigned = applyEvent(taken, ev('assign', dispatcherS1, { crewId: 'crew-9' }));
    expect(reassigned.state).toBe('assigned');
    expect(reassigned.crewId).toBe('crew-9');
    // re-assigning does not restart the state clock
    expect(reassigned.stateSince).toBe(taken.stateSince);
  });

  it('lets admin and team lead act on any station, a dispatcher only on its own', () => {
    const dispatched = run(newOrder(), ['dispatch']);
    expect(applyEvent(dispatched, ev('take', lead)).state).toBe('taken');
    expect(applyEvent(dispatched, ev('take', admin)).state).toBe('taken');
    expect(applyEvent(dispatched, ev('take', dispatcherS1)).state).toBe('taken');
    const err = thrown(() => applyEvent(dispatched, ev('take', dispatcherS2)));
    expect(err.code).toBe('forbidden');
    expect(err.detail).toMatchObject({ action: 'take', role: 'dispatcher' });
  });
});

// ---- side paths -----------------------------------------------------------------------------------------------------

describe('side paths', () => {
  it.each(['dispatched', 'taken'] as const)(
    'send_back with a reason from %s returns the order to accepted',
    (state) => {
      const order = orderIn(state);
      const back = applyEvent(order, ev('send_back', dispatcherS1, { reason: '地址属于 S2 辖区' }));
      expect(back.state).toBe('accepted');
      expect(back.crewId).toBeUndefined();
      expect(back.history.at(-1)?.reason).toBe('地址属于 S2 辖区');
      // the centre can now route it elsewhere, and the new station takes it
      const redispatched = applyEvent(back, ev('dispatch', agent, { stationId: 'S2' }));
      expect(redispatched.stationId).toBe('S2');
      expect(applyEvent(redispatched, ev('take', dispatcherS2)).state).toBe('taken');
      expect(thrown(() => applyEvent(redispatched, ev('take', dispatcherS1))).code).toBe('forbidden');
    },
  );

  it('send_back without a reason is refused as invalid_payload', () => {
    const err = thrown(() => applyEvent(orderIn('taken'), ev('send_back', dispatcherS1, { reason: undefined })));
    expect(err.code).toBe('invalid_payload');
    expect(err.message).toMatch(/reason/);
  });

  it('send_back after the crew was assigned is an illegal transition', () => {
    expect(thrown(() => applyEvent(orderIn('assigned'), ev('send_back', dispatcherS1))).code).toBe(
      'illegal_transition',
    );
  });

  it('counts urges without moving the state', () => {
    let order = orderIn('assigned');
    const since = order.stateSince;
    order = applyEvent(order, ev('urge', lead, { note: '客户催促' }));
    order = applyEvent(order, ev('urge', agent));
    order = applyEvent(order, ev('urge', dispatcherS1));
    expect(order.urgeCount).toBe(3);
    expect(order.state).toBe('assigned');
    expect(order.stateSince).toBe(since);
  });

  it('cannot urge an order nobody has been asked to work on yet, nor a finished one', () => {
    expect(thrown(() => applyEvent(orderIn('accepted'), ev('urge', lead))).code).toBe('illegal_transition');
    expect(thrown(() => applyEvent(orderIn('archived'), ev('urge', lead))).code).toBe('illegal_transition');
  });

  it('counts escalations with a reason, keeping the state', () => {
    let order = orderIn('on_site');
    order = applyEvent(order, ev('escalate', agent));
    order = applyEvent(order, ev('escalate', lead));
    expect(order.escalation).toBe(2);
    expect(order.state).toBe('on_site');
    expect(thrown(() => applyEvent(order, ev('escalate', lead, { reason: undefined }))).code).toBe('invalid_payload');
    expect(thrown(() => applyEvent(orderIn('archived'), ev('escalate', lead))).code).toBe('illegal_transition');
  });

  it.each(['handled', 'replied', 'called_back', 'archived'] as const)(
    'reopen from %s goes back to accepted, counts, and clears the satisfaction',
    (state) => {
      const order = orderIn(state);
      const reopened = applyEvent(order, ev('reopen', agent));
      expect(reopened.state).toBe('accepted');
      expect(reopened.reopenCount).toBe(1);
      expect(reopened.satisfaction).toBeUndefined();
      expect(reopened.stateSince).toBe(reopened.history.at(-1)?.at);
      // and the loop can run again
      const again = run(reopened, HAPPY);
      expect(again.state).toBe('archived');
      expect(again.reopenCount).toBe(1);
    },
  );

  it.each(['accepted', 'dispatched', 'taken', 'assigned', 'on_site'] as const)('reopen from %s is illegal', (state) => {
    expect(thrown(() => applyEvent(orderIn(state), ev('reopen', agent))).code).toBe('illegal_transition');
  });

  it('reopen needs a reason', () => {
    expect(thrown(() => applyEvent(orderIn('replied'), ev('reopen', agent, { reason: undefined }))).code).toBe(
      'invalid_payload',
    );
  });

  it.each(['accepted', 'dispatched', 'taken'] as const)('merge from %s puts the order under its master', (state) => {
    const merged = applyEvent(orderIn(state), ev('merge', lead, { masterId: 'WO-OUTAGE-42' }));
    expect(merged.state).toBe('merged');
    expect(merged.masterId).toBe('WO-OUTAGE-42');
    // a merged child is closed for every role: the master carries the work; it is restored with its outage
    for (const role of ROLES)
      expect(allowedActions(merged, actorFor(role))).toEqual(role === 'agent' ? [] : ['restore']);
  });

  it('refuses to merge an order under itself', () => {
    const err = thrown(() => applyEvent(orderIn('accepted'), ev('merge', agent, { masterId: 'WO-1' })));
    expect(err.code).toBe('invalid_payload');
    expect(err.message).toMatch(/itself/);
  });

  it('refuses a merge without a master and a merge once the crew is assigned', () => {
    expect(thrown(() => applyEvent(orderIn('accepted'), ev('merge', agent, { masterId: undefined }))).code).toBe(
      'invalid_payload',
    );
    expect(thrown(() => applyEvent(orderIn('assigned'), ev('merge', agent))).code).toBe('illegal_transition');
  });
});

// ---- refusals -------------------------------------------------------------------------------------------------------

function actorFor(role: Role): Actor {
  return { agent, dispatcher: dispatcherS1, team_lead: lead, admin }[role];
}

describe('refusals', () => {
  it('rejects each happy-path step from every state it does not start from', () => {
    let checked = 0;
    for (const action of HAPPY) {
      for (const state of STATES) {
        if (RULES[action].from.includes(state)) continue;
        const err = thrown(() => applyEvent(orderIn(state), ev(action, admin)));
        expect(err.code, `${action} from ${state}`).toBe('illegal_transition');
        expect(err.detail).toMatchObject({ action, state });
        checked += 1;
      }
    }
    expect(checked).toBe(HAPPY.length * STATES.length - 9); // assign starts from two states
  });

  it('skipping ahead is illegal: no arriving before a crew is assigned, no archiving before the callback', () => {
    expect(thrown(() => applyEvent(orderIn('taken'), ev('arrive', dispatcherS1))).code).toBe('illegal_transition');
    expect(thrown(() => applyEvent(orderIn('replied'), ev('archive', agent))).code).toBe('illegal_transition');
    expect(thrown(() => applyEvent(orderIn('accepted'), ev('take', lead))).code).toBe('illegal_transition');
  });

  it('a second create is illegal', () => {
    expect(thrown(() => applyEvent(orderIn('dispatched'), ev('create', agent))).code).toBe('illegal_transition');
  });

  it('a dispatcher may not open, dispatch, call back or archive', () => {
    expect(thrown(() => createOrder('WO-2', draft, ev('create', dispatcherS1))).code).toBe('forbidden');
    expect(thrown(() => applyEvent(orderIn('accepted'), ev('dispatch', dispatcherS1))).code).toBe('forbidden');
    expect(thrown(() => applyEvent(orderIn('replied'), ev('callback', dispatcherS1))).code).toBe('forbidden');
    expect(thrown(() => applyEvent(orderIn('called_back'), ev('archive', dispatcherS1))).code).toBe('forbidden');
    expect(thrown(() => applyEvent(orderIn('archived'), ev('reopen', dispatcherS1))).code).toBe('forbidden');
  });

  it('an agent may not do station work', () => {
    for (const [action, state] of [
      ['take', 'dispatched'],
      ['assign', 'taken'],
      ['arrive', 'assigned'],
      ['handle', 'on_site'],
      ['reply', 'handled'],
      ['send_back', 'dispatched'],
    ] as const) {
      const err = thrown(() => applyEvent(orderIn(state), ev(action, agent)));
      expect(err.code, action).toBe('forbidden');
      expect(err.detail.role).toBe('agent');
    }
  });

  it('a dispatcher of another station may not touch station work on the order', () => {
    for (const [action, state] of [
      ['take', 'dispatched'],
      ['assign', 'taken'],
      ['assign', 'assigned'],
      ['arrive', 'assigned'],
      ['handle', 'on_site'],
      ['reply', 'handled'],
      ['send_back', 'dispatched'],
      ['send_back', 'taken'],
    ] as const) {
      const order = orderIn(state);
      expect(order.stationId).toBe('S1');
      const err = thrown(() => applyEvent(order, ev(action, dispatcherS2)));
      expect(err.code, `${action} from ${state}`).toBe('forbidden');
      expect(err.message).toContain('S2');
      // while the dispatcher of the order's own station may
      expect(applyEvent(order, ev(action, dispatcherS1)).history.at(-1)?.action).toBe(action);
    }
  });

  it('a dispatcher with no station is not taken for the station of an order', () => {
    const noStation: Actor = { userId: 'd9', role: 'dispatcher', centre: 'fz' };
    expect(thrown(() => applyEvent(orderIn('dispatched'), ev('take', noStation))).code).toBe('forbidden');
  });

  it.each([
    ['dispatch', 'accepted', 'stationId'],
    ['assign', 'taken', 'crewId'],
    ['callback', 'replied', 'satisfaction'],
    ['merge', 'dispatched', 'masterId'],
    ['send_back', 'dispatched', 'reason'],
    ['escalate', 'taken', 'reason'],
    ['reopen', 'archived', 'reason'],
  ] as const)('%s without %s is invalid_payload and changes nothing', (action, state, field) => {
    const order = orderIn(state);
    const err = thrown(() => applyEvent(order, ev(action, admin, { [field]: undefined })));
    expect(err.code).toBe('invalid_payload');
    expect(err.message).toContain(field);
    expect(order.state).toBe(state);
  });
});

// ---- allowedActions vs applyEvent -----------------------------------------------------------------------------------

function accepts(order: WorkOrder, action: Action, actor: Actor): boolean {
  try {
    applyEvent(order, ev(action, actor));
    return true;
  } catch (error) {
    if (!(error instanceof WorkOrderError)) throw error;
    return false;
  }
}

describe('allowedActions', () => {
  const actors: Actor[] = [agent, lead, admin, dispatcherS1, dispatcherS2, crew];

  it('offers exactly what applyEvent accepts, for every state, role and action', () => {
    let pairs = 0;
    for (const state of STATES) {
      const order = orderIn(state);
      expect(order.state).toBe(state);
      for (const actor of actors) {
        const offered = allowedActions(order, actor);
        const accepted = ACTIONS.filter((action) => accepts(order, action, actor));
        expect(offered, `${state} / ${actor.role} ${actor.stationId ?? ''}`).toEqual(accepted);
        // and refusal agrees with both, naming the reason for anything not offered
        for (const action of ACTIONS) expect(refusal(order, action, actor) === null).toBe(offered.includes(action));
        pairs += 1;
      }
    }
    expect(pairs).toBe(STATES.length * actors.length);
  });

  it('matches what each role sees on the console at the key moments', () => {
    const expected: [OrderState, Actor, Action[]][] = [
      ['accepted', agent, ['dispatch', 'escalate', 'merge']],
      // not yet at any station: nothing for a dispatcher to do
      ['accepted', dispatcherS1, []],
      ['dispatched', dispatcherS1, ['take', 'send_back', 'urge', 'escalate', 'merge', 'pause']],
      // another station's order: hands off
      ['dispatched', dispatcherS2, []],
      ['dispatched', agent, ['urge', 'escalate', 'merge', 'pause']],
      ['taken', dispatcherS1, ['assign', 'send_back', 'urge', 'escalate', 'merge', 'pause']],
      ['assigned', dispatcherS1, ['assign', 'arrive', 'urge', 'escalate', 'pause']],
      // the assigned crew, from its page: accept, arrive, and pause (waiting for parts)
      ['assigned', crew, ['arrive', 'accept', 'pause']],
      ['on_site', dispatcherS1, ['handle', 'urge', 'escalate', 'pause']],
      ['on_site', crew, ['handle', 'pause']],
      ['handled', dispatcherS1, ['reply', 'urge', 'escalate']],
      ['handled', agent, ['urge', 'escalate', 'reopen']],
      ['replied', agent, ['callback', 'escalate', 'reopen', 'callback_attempt']],
      ['replied', dispatcherS1, ['escalate']],
      ['called_back', lead, ['archive', 'reopen']],
      ['archived', dispatcherS1, ['evaluate']],
      ['archived', admin, ['reopen', 'evaluate']],
      ['merged', admin, ['restore']],
      ['merged', agent, []],
      ['merged', crew, []],
    ];
    for (const [state, actor, actions] of expected) {
      expect([...allowedActions(orderIn(state), actor)].sort(), `${state} / ${actor.userId}`).toEqual(
        [...actions].sort(),
      );
    }
  });

  it('never offers create', () => {
    for (const state of STATES)
      for (const actor of actors) expect(allowedActions(orderIn(state), actor)).not.toContain('create');
  });
});

// ---- foldEvents -----------------------------------------------------------------------------------------------------

describe('foldEvents', () => {
  it('folds the same list to the same order as applying it step by step', () => {
    const events = [ev('create', agent), ...HAPPY.map((a) => ev(a, DOER[a]))];
    const { order, superseded } = foldEvents('WO-1', draft, events);
    expect(superseded).toEqual([]);
    expect(order.state).toBe('archived');
    expect(order.history).toEqual(events);
    expect(foldEvents('WO-1', draft, events)).toEqual({ order, superseded });
  });

  it('folds a second copy of one event (same id, relayed twice) once, neither applied again nor superseded', () => {
    const urge = ev('urge', lead);
    const take = ev('take', dispatcherS1);
    const events = [ev('create', agent), ev('dispatch', agent), urge, take, { ...urge }, { ...take }];
    const { order, superseded } = foldEvents('WO-1', draft, events);
    expect(order.urgeCount).toBe(1);
    expect(order.state).toBe('taken');
    expect(order.history.map((e) => e.id)).toEqual([events[0]!.id, events[1]!.id, urge.id, take.id]);
    expect(superseded).toEqual([]);
  });

  it('keeps a lost race aside as superseded: two stations take the same order', () => {
    const create = ev('create', agent);
    const dispatch = ev('dispatch', agent);
    const takeS1 = ev('take', dispatcherS1);
    const takeLead = ev('take', lead); // a team lead took it on another replica at the same moment
    const assign = ev('assign', dispatcherS1);
    const { order, superseded } = foldEvents('WO-1', draft, [create, dispatch, takeS1, takeLead, assign]);
    expect(order.state).toBe('assigned');
    expect(order.history.map((e) => e.id)).toEqual([create.id, dispatch.id, takeS1.id, assign.id]);
    expect(superseded).toHaveLength(1);
    expect(superseded[0]?.event).toBe(takeLead);
    expect(superseded[0]?.error.code).toBe('illegal_transition');
  });

  it('keeps forbidden and incomplete events too, and the result is a state the machine allows', () => {
    const events = [
      ev('create', agent),
      ev('take', lead), // before dispatch: illegal
      ev('dispatch', agent),
      ev('take', dispatcherS2), // wrong station: forbidden
      ev('take', dispatcherS1),
      ev('assign', dispatcherS1, { crewId: undefined }), // invalid payload
      ev('urge', lead),
      ev('create', agent), // a duplicate create
      ev('callback', agent), // far ahead of itself
    ];
    const { order, superseded } = foldEvents('WO-1', draft, events);
    expect(order.state).toBe('taken');
    expect(order.urgeCount).toBe(1);
    expect(superseded.map((s) => s.error.code)).toEqual([
      'illegal_transition',
      'forbidden',
      'invalid_payload',
      'illegal_transition',
      'illegal_transition',
    ]);
    // nothing typed is lost: every event is either in the history or superseded
    expect(order.history.length + superseded.length).toBe(events.length);
    // and replaying the kept history gives the same order with nothing superseded
    const replay = foldEvents('WO-1', draft, order.history);
    expect(replay.superseded).toEqual([]);
    expect(replay.order).toEqual(order);
  });

  it('any order of any events folds to a reachable state, and replays without loss', () => {
    const pool: Exclude<Action, 'create'>[] = [...HAPPY, 'send_back', 'urge', 'escalate', 'reopen', 'merge'];
    const actors = [agent, lead, dispatcherS1, dispatcherS2];
    const arbEvent = fc
      .tuple(fc.constantFrom(...pool), fc.constantFrom(...actors))
      .map(([action, actor]) => ev(action, actor));
    fc.assert(
      fc.property(fc.array(arbEvent, { maxLength: 30 }), (events) => {
        const { order, superseded } = foldEvents('WO-1', draft, [ev('create', agent), ...events]);
        expect(STATES).toContain(order.state);
        expect(order.history.length + superseded.length).toBe(events.length + 1);
        // every kept step was legal where it stood: replaying the history supersedes nothing
        const replay = foldEvents('WO-1', draft, order.history);
        expect(replay.superseded).toEqual([]);
        expect(replay.order).toEqual(order);
        // a merged order has a master; a reopen count never exceeds the reopen events kept
        if (order.state === 'merged') expect(order.masterId).toBeDefined();
        expect(order.reopenCount).toBe(order.history.filter((e) => e.action === 'reopen').length);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a list that does not begin with create', () => {
    expect(thrown(() => foldEvents('WO-1', draft, [])).code).toBe('invalid_payload');
    expect(thrown(() => foldEvents('WO-1', draft, [ev('dispatch', agent)])).code).toBe('invalid_payload');
  });
});

// ---- mass outages -----------------------------------------------------------------------------------------------------

describe('a mass outage', () => {
  const outageDraft: OrderDraft = {
    ...draft,
    type: 'outage',
    outage: {
      cause: 'fault',
      area: { counties: ['gulou'], streets: ['五四路'], servicePoints: [] },
      expectedRestoreAt: '2026-11-23T12:00:00+08:00',
    },
  };

  it('is declared by a station (its own from the start) or a team lead, never by an agent taking a call', () => {
    const byStation = createOrder('WO-OUT', outageDraft, ev('create', dispatcherS1));
    expect(byStation.stationId).toBe('S1');
    expect(allowedActions(byStation, dispatcherS1)).not.toContain('merge');
    expect(createOrder('WO-OUT', outageDraft, ev('create', lead)).stationId).toBeUndefined();
    expect(thrown(() => createOrder('WO-OUT', outageDraft, ev('create', agent))).code).toBe('forbidden');
    // and a dispatcher still opens no caller's order
    expect(thrown(() => createOrder('WO-1', draft, ev('create', dispatcherS1))).code).toBe('forbidden');
  });

  it('closes with restore (archived), and each order merged under it goes to the callback list (replied)', () => {
    const master = createOrder('WO-OUT', outageDraft, ev('create', dispatcherS1));
    expect(allowedActions(master, dispatcherS1)).toContain('restore');
    expect(allowedActions(master, dispatcherS2)).not.toContain('restore');
    const restored = applyEvent(master, ev('restore', dispatcherS1, { note: '线路抢修完毕，已恢复供电' }));
    expect(restored.state).toBe('archived');
    const child = applyEvent(orderIn('accepted'), ev('merge', agent, { masterId: 'WO-OUT' }));
    const back = applyEvent(child, ev('restore', dispatcherS1));
    expect(back.state).toBe('replied');
    expect(allowedActions(back, agent)).toContain('callback');
    // an ordinary open order is not "restored": it goes through its own loop
    expect(thrown(() => applyEvent(orderIn('on_site'), ev('restore', lead))).message).toMatch(/only an outage/);
  });

  it('a declaration belongs on an outage order only', () => {
    expect(draftProblem(outageDraft)).toBeNull();
    expect(draftProblem({ ...outageDraft, outage: undefined })).toMatch(/needs its cause/);
    expect(draftProblem({ ...draft, outage: outageDraft.outage })).toMatch(/carries no outage/);
    expect(() =>
      OutageSchema.parse({ ...outageDraft.outage, area: { counties: [], streets: [], servicePoints: [] } }),
    ).toThrow(/at least one county/);
  });
});

// ---- the closed loop's side steps (crews, clocks, callbacks, evaluation) -------------------------------------------

describe('crews, paused clocks, callbacks and evaluation', () => {
  const otherCrew: Actor = { ...crew, userId: 'crew-8' };

  it('only the assigned crew acts from its page: accept once, arrive; a new assignment asks again', () => {
    const assigned = orderIn('assigned');
    expect(refusal(assigned, 'accept', otherCrew)?.code).toBe('forbidden');
    const accepted = applyEvent(assigned, ev('accept', crew));
    expect(accepted.acceptedByCrewAt).toBe(accepted.history.at(-1)!.at);
    expect(refusal(accepted, 'accept', crew)?.message).toMatch(/already accepted/);
    const reassigned = applyEvent(accepted, ev('assign', dispatcherS1, { crewId: 'crew-8' }));
    expect(reassigned.acceptedByCrewAt).toBeUndefined();
    expect(refusal(reassigned, 'arrive', crew)?.code).toBe('forbidden');
    expect(applyEvent(reassigned, ev('arrive', otherCrew)).state).toBe('on_site');
  });

  it('pauses the clocks with a reason and resumes them; the work moving on ends a pause; every pause is kept', () => {
    const paused = applyEvent(orderIn('assigned'), ev('pause', dispatcherS1, { reason: '客户不在家' }));
    expect(paused.paused).toMatchObject({ reason: '客户不在家', by: dispatcherS1 });
    expect(refusal(paused, 'pause', dispatcherS1)?.message).toMatch(/already paused/);
    const resumed = applyEvent(paused, ev('resume', dispatcherS1));
    expect(resumed.paused).toBeUndefined();
    expect(resumed.pauses).toEqual([{ ...paused.pauses[0], until: resumed.history.at(-1)!.at }]);
    const again = applyEvent(resumed, ev('pause', crew, { reason: '等待备件' }));
    const arrived = applyEvent(again, ev('arrive', crew));
    expect(arrived.paused).toBeUndefined();
    expect(arrived.pauses.map((p) => [p.reason, p.until !== undefined])).toEqual([
      ['客户不在家', true],
      ['等待备件', true],
    ]);
    expect(thrown(() => applyEvent(orderIn('assigned'), ev('pause', dispatcherS1, { reason: undefined }))).code).toBe(
      'invalid_payload',
    );
  });

  it('records unreachable on the third failed callback only, and a dissatisfied customer sends it back to the station', () => {
    let o = orderIn('replied');
    expect(thrown(() => applyEvent(o, ev('callback', agent, { satisfaction: 'unreachable' }))).message).toMatch(
      /third try/,
    );
    o = applyEvent(applyEvent(o, ev('callback_attempt', agent)), ev('callback_attempt', agent));
    expect(o.callbackAttempts).toBe(2);
    expect(applyEvent(o, ev('callback', agent, { satisfaction: 'unreachable' })).state).toBe('called_back');

    const replied = orderIn('replied');
    expect(thrown(() => applyEvent(replied, ev('callback', agent, { satisfaction: 'dissatisfied' }))).message).toMatch(
      /customer's words/,
    );
    const back = applyEvent(replied, ev('callback', agent, { satisfaction: 'dissatisfied', note: '还是经常跳闸' }));
    expect(back).toMatchObject({ state: 'dispatched', stationId: 'S1', reopenCount: 1, callbackAttempts: 0 });
    expect(back.crewId).toBeUndefined();
    expect(allowedActions(back, dispatcherS1)).toContain('take');
  });

  it('is evaluated once by each side after archiving: the agent who took it, and the station', () => {
    const archived = orderIn('archived');
    const byAgent = applyEvent(archived, ev('evaluate', agent, { score: 5, note: '处理及时' }));
    expect(byAgent.evaluations.centre).toMatchObject({ score: 5, note: '处理及时', by: agent });
    expect(refusal(byAgent, 'evaluate', lead)?.message).toMatch(/centre has already evaluated/);
    const other: Actor = { ...agent, userId: 'a9' };
    expect(refusal(archived, 'evaluate', other)?.code).toBe('forbidden');
    expect(refusal(archived, 'evaluate', dispatcherS2)?.code).toBe('forbidden');
    const both = applyEvent(byAgent, ev('evaluate', dispatcherS1, { score: 3, note: '工单地址不准确' }));
    expect(both.evaluations.station).toMatchObject({ score: 3, by: dispatcherS1 });
    expect(thrown(() => applyEvent(archived, ev('evaluate', agent, { score: undefined }))).code).toBe(
      'invalid_payload',
    );
  });
});
