import type { BoardOrder } from '@twinline/board';
import type { OrderState, OrderType } from '@twinline/workorder';

/** One order as the board holds it: the folded order plus the document it lives in. Treated as immutable. */
export interface OrderEntry extends BoardOrder {
  doc: string;
}

export type SortKey = 'sla' | 'created';

export interface BoardFilters {
  type: OrderType | '';
  state: OrderState | '';
  city: string;
  station: string;
  overdueOnly: boolean;
}

export const EMPTY_FILTERS: BoardFilters = { type: '', state: '', city: '', station: '', overdueOnly: false };

export { OPEN_STATES } from '@twinline/workorder';
