import type { BoardOrder } from '@twinline/board';
import type { OrderState, OrderType } from '@twinline/workorder';
import type { Lane } from './lanes';

/** One order in full (timeline, comments) plus the document it lives in: what the open order's panel shows. */
export interface OrderEntry extends BoardOrder {
  doc: string;
  /** Names of the crews the order names (its crew, those of its history), from the roster, by crew id. */
  crews?: Record<string, string>;
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
  /** The inbox lane (see lanes.ts), or '' for the whole board. */
  lane: Lane | '';
}

export const EMPTY_FILTERS: BoardFilters = { type: '', state: '', city: '', station: '', overdueOnly: false, lane: '' };

export { OPEN_STATES } from '@twinline/workorder';
