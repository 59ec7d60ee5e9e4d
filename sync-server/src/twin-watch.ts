// Which of the twin centres writes a centre-made step (an escalation, an automatic dispatch) on an order: while both
// are up, the one the order's id names; while the twin is down, either; for a moment after the twin comes or goes,
// neither (its catch-up may still bring what it wrote meanwhile). One rule for every job that writes as the centre.
import type { WorkOrder } from '@twinline/workorder';

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
