// The closed loop as a state machine: which action moves an order from which state, and who may take it.
import { WorkOrderError } from './errors';
import type { Action, Actor, ActorRole, OrderDraft, OrderEvent, OrderState, OrderType, Role, WorkOrder } from './model';

export interface Rule {
  /** States the action may start from. */
  from: readonly OrderState[];
  /** The state it leads to; `undefined` keeps the state (urge, escalate, re-assign). */
  to?: OrderState | ((order: WorkOrder, event: OrderEvent) => OrderState);
  roles: readonly ActorRole[];
  /** A dispatcher may act only on orders of its own station (for some actions: only on some orders). */
  ownStationOnly?: boolean | ((order: Pick<WorkOrder, 'draft'> | { draft: Pick<OrderDraft, 'type'> }) => boolean);
  /** Payload fields the event must carry. */
  needs?: readonly ('stationId' | 'crewId' | 'masterId' | 'reason' | 'satisfaction' | 'score')[];
  /** A condition on the order beyond its state: why the action does not apply to it, or null. */
  applies?: (order: WorkOrder) => string | null;
}

/** States in which an order is still being worked on (not called back, archived or merged). */
export const OPEN_STATES: readonly OrderState[] = [
  'accepted',
  'dispatched',
  'taken',
  'assigned',
  'on_site',
  'handled',
  'replied',
];
const CENTRE_STAFF: readonly Role[] = ['agent', 'team_lead', 'admin'];
const STATION_STAFF: readonly Role[] = ['dispatcher', 'team_lead', 'admin'];
/** Station staff and the assigned crew (from its mobile page, written by the centre). */
const FIELD: readonly ActorRole[] = [...STATION_STAFF, 'crew'];
/** States in which the SLA clocks of the station's work run (and may be paused). */
const CLOCK_RUNNING: readonly OrderState[] = ['dispatched', 'taken', 'assigned', 'on_site'];

export const RULES: Record<Exclude<Action, 'create'>, Rule> = {
  dispatch: { from: ['accepted'], to: 'dispatched', roles: CENTRE_STAFF, needs: ['stationId'] },
  take: { from: ['dispatched'], to: 'taken', roles: STATION_STAFF, ownStationOnly: true },
  assign: {
    from: ['taken', 'assigned'],
    to: 'assigned',
    roles: STATION_STAFF,
    ownStationOnly: true,
    needs: ['crewId'],
  },
  arrive: { from: ['assigned'], to: 'on_site', roles: FIELD, ownStationOnly: true },
  handle: { from: ['on_site'], to: 'handled', roles: FIELD, ownStationOnly: true },
  reply: { from: ['handled'], to: 'replied', roles: FIELD, ownStationOnly: true },
  callback: {
    from: ['replied'],
    // A dissatisfied customer sends the order back to the station that handled it, with the customer's words.
    to: (order, event) =>
      event.satisfaction === 'dissatisfied' ? (order.stationId ? 'dispatched' : 'accepted') : 'called_back',
    roles: CENTRE_STAFF,
    needs: ['satisfaction'],
  },
  archive: { from: ['called_back'], to: 'archived', roles: CENTRE_STAFF },
  send_back: {
    from: ['dispatched', 'taken'],
    to: 'accepted',
    roles: STATION_STAFF,
    ownStationOnly: true,
    needs: ['reason'],
  },
  urge: {
    from: ['dispatched', 'taken', 'assigned', 'on_site', 'handled'],
    roles: ['agent', 'team_lead', 'admin', 'dispatcher'],
    ownStationOnly: true,
  },
  escalate: {
    from: OPEN_STATES,
    roles: ['agent', 'dispatcher', 'team_lead', 'admin'],
    ownStationOnly: true,
    needs: ['reason'],
  },
  reopen: {
    from: ['handled', 'replied', 'called_back', 'archived'],
    to: 'accepted',
    roles: CENTRE_STAFF,
    needs: ['reason'],
  },
  merge: {
    from: ['accepted', 'dispatched', 'taken'],
    to: 'merged',
    roles: ['agent', 'dispatcher', 'team_lead', 'admin'],
    ownStationOnly: true,
    needs: ['masterId'],
    applies: (order) =>
      order.draft.type === 'outage' ? 'an outage is a master order, never merged under another' : null,
  },
  accept: {
    from: ['assigned'],
    roles: ['crew'],
    applies: (order) => (order.acceptedByCrewAt ? 'the crew has already accepted this assignment' : null),
  },
  pause: {
    from: CLOCK_RUNNING,
    roles: [...FIELD, 'agent'],
    ownStationOnly: true,
    needs: ['reason'],
    applies: (order) => (order.paused ? 'the clocks are already paused' : null),
  },
  resume: {
    from: CLOCK_RUNNING,
    roles: [...FIELD, 'agent'],
    ownStationOnly: true,
    applies: (order) => (order.paused ? null : 'the clocks are not paused'),
  },
  callback_attempt: { from: ['replied'], roles: CENTRE_STAFF },
  evaluate: {
    from: ['archived'],
    roles: ['agent', 'dispatcher', 'team_lead', 'admin'],
    ownStationOnly: true,
    needs: ['score'],
  },
  restore: {
    // The master order of an outage closes (power is back); each order merged under it goes to the callback list
    // (the console writes `restore` on the master and its merged children in one transaction).
    from: [...OPEN_STATES.filter((s) => s !== 'replied'), 'merged'],
    to: (order) => (order.draft.type === 'outage' ? 'archived' : 'replied'),
    roles: STATION_STAFF,
    // The station restores its own outage; the orders merged under it follow, whoever held them.
    ownStationOnly: (order) => order.draft.type === 'outage',
    applies: (order) =>
      order.draft.type === 'outage'
        ? order.state === 'merged'
          ? 'an outage is not merged under another'
          : null
        : order.state === 'merged'
          ? null
          : 'only an outage, or an order merged under one, is restored',
  },
};

/** Whether a dispatcher must be the order's station to take this action on it. */
export function stationBound(rule: Rule, order: { draft: Pick<OrderDraft, 'type'> }): boolean {
  return typeof rule.ownStationOnly === 'function' ? rule.ownStationOnly(order) : rule.ownStationOnly === true;
}

/** The user id the centres write their own steps under (automatic dispatch, the escalation ladder, demo seeding). */
export const SYSTEM_USER = 'system';

/** Roles that may create orders of any type but `outage`: the centre's staff taking calls. */
export const CREATE_ROLES: readonly Role[] = CENTRE_STAFF;
/** Who may declare a mass outage: a station's dispatcher (for its city), a team lead, an admin. */
export const OUTAGE_ROLES: readonly Role[] = STATION_STAFF;

/** Roles that may create an order of this type. */
export function createRolesFor(type: OrderType): readonly ActorRole[] {
  return type === 'outage' ? OUTAGE_ROLES : CREATE_ROLES;
}

/** Why a draft is not a whole order: an outage without its declaration, or a declaration on another type. */
export function draftProblem(draft: OrderDraft): string | null {
  if (draft.type === 'outage' && !draft.outage) return 'an outage order needs its cause, area and expected restoration';
  if (draft.type !== 'outage' && draft.outage) return `an order of type ${draft.type} carries no outage declaration`;
  return null;
}

/** The order as it is right after an agent accepts it. */
export function createOrder(id: string, draft: OrderDraft, event: OrderEvent): WorkOrder {
  if (event.action !== 'create')
    throw new WorkOrderError('invalid_payload', `first event must be create, got ${event.action}`);
  if (!createRolesFor(draft.type).includes(event.by.role)) {
    throw new WorkOrderError('forbidden', `role ${event.by.role} may not create ${draft.type} orders`, {
      action: 'create',
      role: event.by.role,
    });
  }
  return {
    id,
    draft,
    createdAt: event.at,
    createdBy: event.by,
    state: 'accepted',
    // A dispatcher's outage is its station's from the start (it is the one restoring it).
    ...(draft.type === 'outage' && event.by.stationId ? { stationId: event.by.stationId } : {}),
    urgeCount: 0,
    escalation: 0,
    reopenCount: 0,
    callbackAttempts: 0,
    pauses: [],
    evaluations: {},
    stateSince: event.at,
    history: [event],
  };
}

/** Why `actor` may not take `action` on `order` now, or `null` when it may. */
export function refusal(order: WorkOrder, action: Action, actor: Actor): WorkOrderError | null {
  if (action === 'create')
    return new WorkOrderError('illegal_transition', 'order already exists', { action, state: order.state });
  const rule = RULES[action];
  if (!rule.roles.includes(actor.role)) {
    return new WorkOrderError('forbidden', `role ${actor.role} may not ${action}`, {
      action,
      role: actor.role,
      state: order.state,
    });
  }
  if (!rule.from.includes(order.state)) {
    return new WorkOrderError('illegal_transition', `cannot ${action} an order that is ${order.state}`, {
      action,
      state: order.state,
    });
  }
  const why = rule.applies?.(order);
  if (why) return new WorkOrderError('illegal_transition', why, { action, state: order.state });
  if (actor.role === 'crew' && (actor.userId !== order.crewId || actor.stationId !== order.stationId)) {
    return new WorkOrderError('forbidden', `crew ${actor.userId} is not the crew assigned to this order`, {
      action,
      role: actor.role,
      state: order.state,
    });
  }
  if (action === 'evaluate') {
    const side = actor.role === 'dispatcher' ? 'station' : 'centre';
    if (order.evaluations[side])
      return new WorkOrderError('illegal_transition', `the ${side} has already evaluated this order`, {
        action,
        state: order.state,
      });
    if (actor.role === 'agent' && actor.userId !== order.createdBy.userId)
      return new WorkOrderError('forbidden', 'only the agent who took the order (or a team lead) evaluates it', {
        action,
        role: actor.role,
        state: order.state,
      });
  }
  if (stationBound(rule, order) && actor.role === 'dispatcher' && actor.stationId !== order.stationId) {
    return new WorkOrderError(
      'forbidden',
      `dispatcher of ${actor.stationId ?? '?'} may not ${action} an order of ${order.stationId ?? 'no station'}`,
      {
        action,
        role: actor.role,
        state: order.state,
      },
    );
  }
  return null;
}

/** Actions `actor` may take on `order` right now: what the console offers, and nothing else. */
export function allowedActions(order: WorkOrder, actor: Actor): Action[] {
  return (Object.keys(RULES) as (keyof typeof RULES)[]).filter((a) => refusal(order, a, actor) === null);
}

/** Applies one event, returning the new order; throws WorkOrderError for an illegal or forbidden step. */
export function applyEvent(order: WorkOrder, event: OrderEvent): WorkOrder {
  const refused = refusal(order, event.action, event.by);
  if (refused) throw refused;
  const rule = RULES[event.action as keyof typeof RULES];
  for (const field of rule.needs ?? []) {
    if (event[field] === undefined)
      throw new WorkOrderError('invalid_payload', `${event.action} needs ${field}`, { action: event.action });
  }
  if (event.action === 'callback' && event.satisfaction === 'unreachable' && order.callbackAttempts < 2) {
    throw new WorkOrderError(
      'invalid_payload',
      `unreachable is recorded on the third try (${order.callbackAttempts} failed so far)`,
      { action: 'callback' },
    );
  }
  if (event.action === 'callback' && event.satisfaction === 'dissatisfied' && !event.note?.trim()) {
    throw new WorkOrderError('invalid_payload', "a dissatisfied callback needs the customer's words", {
      action: 'callback',
    });
  }
  if (event.action === 'merge' && event.masterId === order.id) {
    throw new WorkOrderError('invalid_payload', 'an order cannot be merged under itself', { action: 'merge' });
  }
  const to = typeof rule.to === 'function' ? rule.to(order, event) : rule.to;
  const next: WorkOrder = { ...order, history: [...order.history, event] };
  if (to && to !== order.state) {
    next.state = to;
    next.stateSince = event.at;
  }
  // A pause ends when the work moves on (the crew arrives, the station hands it back …): the clocks run again.
  if (order.paused && event.action !== 'pause' && event.action !== 'urge' && event.action !== 'escalate') {
    if (to && to !== order.state) next.paused = undefined;
    if (event.action === 'resume' || next.paused === undefined) {
      next.paused = undefined;
      next.pauses = order.pauses.map((p, i) => (i === order.pauses.length - 1 ? { ...p, until: event.at } : p));
    }
  }
  switch (event.action) {
    case 'pause':
      next.paused = { at: event.at, reason: event.reason!, by: event.by };
      next.pauses = [...order.pauses, { at: event.at, reason: event.reason!, by: event.by }];
      break;
    case 'accept':
      next.acceptedByCrewAt = event.at;
      break;
    case 'callback_attempt':
      next.callbackAttempts = order.callbackAttempts + 1;
      break;
    case 'evaluate': {
      const side = event.by.role === 'dispatcher' ? 'station' : 'centre';
      next.evaluations = {
        ...order.evaluations,
        [side]: { score: event.score!, ...(event.note ? { note: event.note } : {}), by: event.by, at: event.at },
      };
      break;
    }
    case 'dispatch':
      next.stationId = event.stationId;
      next.crewId = undefined;
      break;
    case 'assign':
      next.crewId = event.crewId;
      next.acceptedByCrewAt = undefined;
      break;
    case 'send_back':
      // Back to the centre: the station that returned it no longer holds it.
      next.stationId = undefined;
      next.crewId = undefined;
      break;
    case 'callback':
      next.satisfaction = event.satisfaction;
      if (event.satisfaction === 'dissatisfied') {
        // Back to the station, as a reopening: the next callback starts from no failed tries.
        next.reopenCount = order.reopenCount + 1;
        next.crewId = undefined;
        next.acceptedByCrewAt = undefined;
      }
      next.callbackAttempts = 0;
      break;
    case 'urge':
      next.urgeCount = order.urgeCount + 1;
      break;
    case 'escalate':
      next.escalation = order.escalation + 1;
      break;
    case 'reopen':
      next.reopenCount = order.reopenCount + 1;
      next.satisfaction = undefined;
      next.callbackAttempts = 0;
      break;
    case 'merge':
      next.masterId = event.masterId;
      break;
  }
  return next;
}

export interface Fold {
  order: WorkOrder;
  /** Events that could not take effect where they stood (a lost race), kept so nothing a user typed is lost. */
  superseded: { event: OrderEvent; error: WorkOrderError }[];
}

/**
 * Folds a converged event list into an order. Replicas that hold the same list in the same order reach the same
 * order; an event that is illegal at its position is kept aside as superseded, so the result is always a state the
 * machine allows.
 */
export function foldEvents(id: string, draft: OrderDraft, events: readonly OrderEvent[]): Fold {
  const [first, ...rest] = events;
  if (!first) throw new WorkOrderError('invalid_payload', `order ${id} has no create event`);
  let order = createOrder(id, draft, first);
  const superseded: Fold['superseded'] = [];
  // An event id is written once; a second copy (a console relayed a step the twin link then delivered too) is the
  // same step, not another one: it is skipped.
  const seen = new Set([first.id]);
  for (const event of rest) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    try {
      order = applyEvent(order, event);
    } catch (error) {
      if (!(error instanceof WorkOrderError)) throw error;
      superseded.push({ event, error });
    }
  }
  return { order, superseded };
}
