// Which of the twin centres writes a centre-made step (an escalation, an automatic dispatch) on an order: while both
// are up, the one the order's id names; while the twin is down, either; for a moment after the twin comes or goes,
// neither (its catch-up may still bring what it wrote meanwhile). One rule for every job that writes as the centre.
import { SYSTEM_USER } from '@twinline/workorder';
import type { Actor, WorkOrder } from '@twinline/workorder';

export type TwinState = 'alone' | 'up' | 'down' | 'unsure';

/** The centre an order id names (`fuzhou-20261123-…` → fuzhou), if it names one. */
export const centreInId = (id: string): string | undefined => /^(.+?)-\d{8}-/.exec(id)?.[1];

/** The centre that writes an order's centre-made steps while both centres are up: the one its id names, else its creator's. */
export function owningCentre(order: Pick<WorkOrder, 'id' | 'createdBy'>): string {
  return centreInId(order.id) ?? order.createdBy.centre;
}

/** Whether `centre` writes `order`'s centre-made steps when the twin is in state `twin`. */
export function writesFor(centre: string, order: Pick<WorkOrder, 'id' | 'createdBy'>, twin: TwinState): boolean {
  return twin !== 'up' || owningCentre(order) === centre;
}

/** Whether the twin is up, down or just came or went, from the replication link sampled over time. */
export class TwinWatch {
  private twin = { connected: false, since: Date.now() };

  constructor(
    /** Whether the twin is connected now; null for a centre without a twin ('alone'). */
    private readonly connected: (() => boolean) | null,
    /** Up once connected this long (its catch-up has arrived). */
    private readonly settleMs: number,
    /** Down once unreachable this long. */
    private readonly downAfterMs: number,
  ) {}

  state(): TwinState {
    if (!this.connected) return 'alone';
    const connected = this.connected();
    if (connected !== this.twin.connected) this.twin = { connected, since: Date.now() };
    const held = Date.now() - this.twin.since;
    if (connected) return held >= this.settleMs ? 'up' : 'unsure';
    return held >= this.downAfterMs ? 'down' : 'unsure';
  }
}

/** What a centre job (automatic dispatch, the escalation ladder) says about its twin and how often it runs. */
export interface JobTwinOptions {
  /** Whether the twin is connected now; null for a centre without a twin. */
  twinConnected: (() => boolean) | null;
  /** How often the job runs. */
  everyMs: number;
  /** The twin counts as up once connected this long; default min(2 s, everyMs). */
  twinSettleMs?: number;
  /** ...and as down once unreachable this long; default min(30 s, 3 × everyMs). */
  twinDownAfterMs?: number;
}

/** The twin as a centre job sees it: up after it settles, down after a few missed runs. */
export function jobTwinWatch(o: JobTwinOptions): TwinWatch {
  return new TwinWatch(
    o.twinConnected,
    o.twinSettleMs ?? Math.min(2_000, o.everyMs),
    o.twinDownAfterMs ?? Math.min(30_000, 3 * o.everyMs),
  );
}

/**
 * Who a centre job writes as: an admin named `system` (admins may dispatch, take, assign and escalate any order, and
 * `system` is no one's login, so the console shows the step as the centre's own).
 */
export const systemActor = (centre: string): Actor => ({ userId: SYSTEM_USER, role: 'admin', centre });
