// How the user looks at the board (filters, search, sort, cursor, open order). The orders themselves live in the
// Runtime's OrderIndex (20,000 entries do not belong in an Immer draft); `ordersVersion` moves when it changes.
import { createSlice } from '@reduxjs/toolkit';
import type { PayloadAction } from '@reduxjs/toolkit';
import { EMPTY_FILTERS } from './types';
import type { BoardFilters, SortKey } from './types';

export interface BoardState {
  /** Bumped whenever the OrderIndex changed (selectors re-read it). */
  ordersVersion: number;
  /** Bumped whenever a document's crews or stations' settings changed (the roster and assign views read again). */
  rosterVersion: number;
  /** A coarse clock (ms) for time-dependent visibility: the agent's last 24 h, overdue-only. */
  clock: number;
  filters: BoardFilters;
  search: string;
  sort: SortKey;
  /** The highlighted row (j/k). */
  cursorId: string | null;
  /** The order shown in the side panel. */
  openId: string | null;
}

const initialState: BoardState = {
  ordersVersion: 0,
  rosterVersion: 0,
  clock: Date.now(),
  filters: EMPTY_FILTERS,
  search: '',
  sort: 'sla',
  cursorId: null,
  openId: null,
};

export const boardSlice = createSlice({
  name: 'board',
  initialState,
  reducers: {
    ordersChanged(state, action: PayloadAction<number>) {
      state.ordersVersion = action.payload;
    },
    boardCleared(state, action: PayloadAction<number>) {
      state.ordersVersion = action.payload;
      state.openId = null;
      state.cursorId = null;
    },
    rosterChanged(state) {
      state.rosterVersion += 1;
    },
    clockTicked(state, action: PayloadAction<number>) {
      state.clock = action.payload;
    },
    filterChanged(state, action: PayloadAction<Partial<BoardFilters>>) {
      const cityChanged = action.payload.city !== undefined && action.payload.city !== state.filters.city;
      state.filters = { ...state.filters, ...action.payload };
      if (cityChanged && action.payload.station === undefined) state.filters.station = '';
    },
    filtersReset(state) {
      state.filters = EMPTY_FILTERS;
      state.search = '';
    },
    searchChanged(state, action: PayloadAction<string>) {
      state.search = action.payload;
    },
    sortChanged(state, action: PayloadAction<SortKey>) {
      state.sort = action.payload;
    },
    cursorMoved(state, action: PayloadAction<string | null>) {
      state.cursorId = action.payload;
    },
    orderOpened(state, action: PayloadAction<string>) {
      state.openId = action.payload;
      state.cursorId = action.payload;
    },
    panelClosed(state) {
      state.openId = null;
    },
  },
});

export const {
  ordersChanged,
  boardCleared,
  rosterChanged,
  clockTicked,
  filterChanged,
  filtersReset,
  searchChanged,
  sortChanged,
  cursorMoved,
  orderOpened,
  panelClosed,
} = boardSlice.actions;
