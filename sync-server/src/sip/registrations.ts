// Who has a phone registered at this centre's SIP server, from Kamailio's registration events. Kamailio reports the
// contacts a user has after each REGISTER; a contact lost with its WebSocket is removed by Kamailio without an event,
// so this can overstate (the next call to that phone then fails at once and the router moves on).
import type { SipEvent } from './contract';

export class SipRegistrations {
  private readonly contacts = new Map<string, number>();

  /** Applies a registration event; true when the user's count changed. Other events are ignored. */
  apply(event: SipEvent): boolean {
    if (event.event !== 'registration') return false;
    const before = this.contacts.get(event.user) ?? 0;
    if (event.contacts > 0) this.contacts.set(event.user, event.contacts);
    else this.contacts.delete(event.user);
    return before !== event.contacts;
  }

  /** Phones `user` has registered here (0 when none). */
  phones(user: string): number {
    return this.contacts.get(user) ?? 0;
  }

  /** Users with at least one phone registered here. */
  registered(): string[] {
    return [...this.contacts.keys()];
  }
}
