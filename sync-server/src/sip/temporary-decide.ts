// TEMPORARY call routing, until the routing package (packages/routing) is plugged in through createCentreSip's
// `decide` option: the hotline call goes to the user who registered a phone at this centre first and still has
// one registered; with none, to the twin centre (unless the call came from there); else it is refused 480.
// It knows nothing of agent states, skills, regions, queues or limits.
import type { Decide } from './route-endpoint';
import type { RouteAnswer, SipEvent } from './contract';

/** Who has a phone registered at this centre, in the order they first registered (from Kamailio's events). */
export class SipRegistrations {
  private readonly users = new Map<string, number>();

  apply(event: SipEvent): void {
    if (event.event !== 'registration') return;
    if (event.contacts > 0) {
      if (!this.users.has(event.user)) this.users.set(event.user, event.contacts);
    } else {
      this.users.delete(event.user);
    }
  }

  registered(): string[] {
    return [...this.users.keys()];
  }
}

export function temporaryFirstRegisteredDecide(registrations: SipRegistrations, overflowToTwin: boolean): Decide {
  return async (request): Promise<RouteAnswer> => {
    const [first] = registrations.registered();
    if (first) return { action: 'agent', user: first };
    if (overflowToTwin && !request.fromTwin) return { action: 'twin' };
    return { action: 'reject', code: 480, reason: 'No Agent Available' };
  };
}
