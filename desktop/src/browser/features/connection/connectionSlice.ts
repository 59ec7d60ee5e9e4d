import { createSlice } from '@reduxjs/toolkit';
import type { PayloadAction } from '@reduxjs/toolkit';
import type { CustomerSyncProgress } from '../../customers/sync';
import type { BoardStatus } from '@twinline/board-client';

export interface ConnectionState {
  /** The centre the board is (being) synced with; null before a session starts. */
  centre: string | null;
  /** The home centre of this session (chosen at sign-in). */
  home: string | null;
  status: BoardStatus;
  failedOver: boolean;
  lastError: { code: number; reason: string } | null;
  /** cache.status said the cache file was unreadable at start and was moved aside. */
  cacheRecovered: { from: string; reason: string | null } | null;
  cacheNoticeDismissed: boolean;
  /** The last write the centre refused (e.g. a lost race the guard caught). */
  writeRefused: { doc: string; reason: string; at: number } | null;
  /** The screen-pop customer cache: how far its download is. */
  customers: { state: string; citiesDone: number; citiesTotal: number; rows: number; lastError?: string } | null;
}

const initialState: ConnectionState = {
  centre: null,
  home: null,
  status: 'offline',
  failedOver: false,
  lastError: null,
  cacheRecovered: null,
  cacheNoticeDismissed: false,
  writeRefused: null,
  customers: null,
};

export const connectionSlice = createSlice({
  name: 'connection',
  initialState,
  reducers: {
    sessionConnected(state, action: PayloadAction<{ home: string }>) {
      state.home = action.payload.home;
      state.centre = action.payload.home;
      state.status = 'connecting';
      state.failedOver = false;
      state.lastError = null;
      state.writeRefused = null;
    },
    connectionChanged(
      state,
      action: PayloadAction<{
        centre: string;
        status: BoardStatus;
        failedOver: boolean;
        lastError?: { code: number; reason: string };
      }>,
    ) {
      state.centre = action.payload.centre;
      state.status = action.payload.status;
      state.failedOver = action.payload.failedOver;
      state.lastError = action.payload.lastError ?? null;
    },
    sessionDisconnected(state) {
      state.centre = null;
      state.home = null;
      state.status = 'offline';
      state.failedOver = false;
      state.lastError = null;
    },
    cacheRecovered(state, action: PayloadAction<{ from: string; reason: string | null }>) {
      state.cacheRecovered = action.payload;
    },
    cacheNoticeDismissed(state) {
      state.cacheNoticeDismissed = true;
    },
    writeRefused(state, action: PayloadAction<{ doc: string; reason: string; at: number } | null>) {
      state.writeRefused = action.payload;
    },
    customersProgressed(state, action: PayloadAction<CustomerSyncProgress>) {
      const p = action.payload;
      state.customers = {
        state: p.state,
        citiesDone: p.citiesDone,
        citiesTotal: p.citiesTotal,
        rows: p.rows,
        ...(p.lastError ? { lastError: p.lastError } : {}),
      };
    },
  },
});

export const {
  customersProgressed,
  sessionConnected,
  connectionChanged,
  sessionDisconnected,
  cacheRecovered,
  cacheNoticeDismissed,
  writeRefused,
} = connectionSlice.actions;
