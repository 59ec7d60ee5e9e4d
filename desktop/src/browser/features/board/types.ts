import type { BoardOrder } from '@twinline/board';
import type { OrderState, OrderType } from '@twinline/workorder';

/** One order in full (timeline, comments) plus the document it lives in: what the open order's panel shows. */
export interface OrderEntry extends BoardOrder {
  doc: string;
}

/** One line of the board: what the list, its filters and countdowns need (see common/board-row.ts). Immutable. */
export type { BoardRow } from '../../../common/board-row';

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
