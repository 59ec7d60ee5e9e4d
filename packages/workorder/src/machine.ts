// The closed loop as a state machine: which action moves an order from which state, and who may take it.
import { WorkOrderError } from './errors';
import type { Action, Actor, OrderDraft, OrderEvent, OrderState, Role, WorkOrder } from './model';

interface Rule {
  /** States the action may start from. */
  from: readonly OrderState[];
  /** The state it leads to; `undefined` keeps the state (urge, escalate, re-assign). */
  to?: OrderState | ((order: WorkOrder, event: OrderEvent) => OrderState);
  roles: readonly Role[];
  /** A dispatcher may act only on orders of its own station. */
  ownStationOnly?: boolean;
  /** Payload fields the event must carry. */
  needs?: readonly ('stationId' | 'crewId' | 'masterId' | 'reason' | 'satisfaction')[];
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
  arrive: { from: ['assigned'], to: 'on_site', roles: STATION_STAFF, ownStationOnly: true },
  handle: { from: ['on_site'], to: 'handled', roles: STATION_STAFF, ownStationOnly: true },
  reply: { from: ['handled'], to: 'replied', roles: STATION_STAFF, ownStationOnly: true },
  callback: { from: ['replied'], to: 'called_back', roles: CENTRE_STAFF, needs: ['satisfaction'] },
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
  },
};

export const CREATE_ROLES: readonly Role[] = CENTRE_STAFF;

/** The order as it is right after an agent accepts it. */
export function createOrder(id: string, draft: OrderDraft, event: OrderEvent): WorkOrder {
  if (event.action !== 'create')
    throw new WorkOrderError('invalid_payload', `first event must be create, got ${event.action}`);
  if (!CREATE_ROLES.includes(event.by.role)) {
    throw new WorkOrderError('forbidden', `role ${event.by.role} may not create orders`, {
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
    urgeCount: 0,
    escalation: 0,
    reopenCount: 0,
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
  if (rule.ownStationOnly && actor.role === 'dispatcher' && actor.stationId !== order.stationId) {
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
  if (event.action === 'merge' && event.masterId === order.id) {
    throw new WorkOrderError('invalid_payload', 'an order cannot be merged under itself', { action: 'merge' });
  }
  const to = typeof rule.to === 'function' ? rule.to(order, event) : rule.to;
  const next: WorkOrder = { ...order, history: [...order.history, event] };
  if (to && to !== order.state) {
    next.state = to;
    next.stateSince = event.at;
  }
  switch (event.action) {
    case 'dispatch':
      next.stationId = event.stationId;
      next.crewId = undefined;
      break;
    case 'assign':
      next.crewId = event.crewId;
      break;
    case 'send_back':
      // Back to the centre: the station that returned it no longer holds it.
      next.stationId = undefined;
      next.crewId = undefined;
      break;
    case 'callback':
      next.satisfaction = event.satisfaction;
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
  for (const event of rest) {
    try {
      order = applyEvent(order, event);
    } catch (error) {
      if (!(error instanceof WorkOrderError)) throw error;
      superseded.push({ event, error });
    }
  }
  return { order, superseded };
}
