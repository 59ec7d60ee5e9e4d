import { createSlice } from '@reduxjs/toolkit';
import type { PayloadAction } from '@reduxjs/toolkit';
import type { PresenceByOrder } from './collect';

export interface PresenceState {
  byOrder: PresenceByOrder;
}

const initialState: PresenceState = { byOrder: {} };

export const presenceSlice = createSlice({
  name: 'presence',
  initialState,
  reducers: {
    presenceChanged(state, action: PayloadAction<PresenceByOrder>) {
      // Keep the previous array of an order whose viewers did not change, so only its row re-renders.
      const next: PresenceByOrder = {};
      for (const [id, viewers] of Object.entries(action.payload)) {
        const prev = state.byOrder[id];
        next[id] = prev && JSON.stringify(prev) === JSON.stringify(viewers) ? prev : viewers;
      }
      state.byOrder = next;
    },
    presenceCleared(state) {
      state.byOrder = {};
    },
  },
});

export const { presenceChanged, presenceCleared } = presenceSlice.actions;
