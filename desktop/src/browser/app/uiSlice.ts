import { createSlice } from '@reduxjs/toolkit';

export interface UiState {
  helpOpen: boolean;
}

const initialState: UiState = { helpOpen: false };

export const uiSlice = createSlice({
  name: 'ui',
  initialState,
  reducers: {
    helpToggled(state) {
      state.helpOpen = !state.helpOpen;
    },
    helpClosed(state) {
      state.helpOpen = false;
    },
  },
});

export const { helpToggled, helpClosed } = uiSlice.actions;
