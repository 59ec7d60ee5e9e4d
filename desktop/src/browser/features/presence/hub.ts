// Wires the connection's awareness objects to the store: attaches to each document's awareness as soon as the
// connection has one, sets this console's state on the document of the open order only (presence traffic stays low),
// and folds everyone's states into the presence slice, throttled.
import type { BoardConnection } from '@twinline/board-client';
import { collectPresence } from './collect';
import type { LocalPresence, PresenceByOrder } from './collect';

type Awareness = NonNullable<ReturnType<BoardConnection['presence']>>;

export class PresenceHub {
  private readonly attached = new Map<string, Awareness>();
  private local: { doc: string | null; state: LocalPresence } | null = null;
  private setOn: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly offState: () => void;

  constructor(
    private readonly conn: BoardConnection,
    private readonly user: { id: string; name: string },
    private readonly onChange: (byOrder: PresenceByOrder) => void,
  ) {
    this.offState = conn.onState(() => this.attach());
    this.attach();
  }

  /** This console views `orderId` (in `doc`) and maybe edits a field; null clears it. */
  set(doc: string | null, orderId: string | null, editing?: string | null): void {
    this.local = { doc, state: { user: this.user, viewing: orderId, editing: editing ?? null } };
    this.apply();
  }

  destroy(): void {
    this.offState();
    if (this.timer !== null) clearTimeout(this.timer);
    for (const a of this.attached.values()) a.off('change', this.schedule);
    this.attached.clear();
  }

  private attach(): void {
    let added = false;
    for (const name of this.conn.documents) {
      const a = this.conn.presence(name);
      if (!a || this.attached.get(name) === a) continue;
      this.attached.set(name, a);
      a.on('change', this.schedule);
      // Nothing until this console opens an order (the provider starts everyone with an empty state).
      if (name !== this.local?.doc) a.setLocalState(null);
      added = true;
    }
    if (added) {
      this.setOn = null;
      this.apply();
      this.schedule();
    }
  }

  private apply(): void {
    const target = this.local?.doc ?? null;
    if (this.setOn && this.setOn !== target) this.attached.get(this.setOn)?.setLocalState(null);
    this.setOn = null;
    if (target && this.local) {
      const a = this.attached.get(target);
      if (a) {
        a.setLocalState(this.local.state);
        this.setOn = target;
      }
    }
  }

  private readonly schedule = () => {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.onChange(collectPresence(this.attached.values()));
    }, 150);
  };
}
