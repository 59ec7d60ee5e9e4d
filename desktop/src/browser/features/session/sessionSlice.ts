import { createSlice } from '@reduxjs/toolkit';
import type { PayloadAction } from '@reduxjs/toolkit';
import type { Settings } from '../../../common/bridge';
import type { Account, LoginErrorCode } from './login';

export type SessionPhase = 'booting' | 'signedOut' | 'signingIn' | 'signedIn';

/** Why the login screen shows an error: a login failure, an expired token, or the host not answering. */
export type SessionErrorCode = LoginErrorCode | 'expired' | 'host';

export interface SessionState {
  phase: SessionPhase;
  account: Account | null;
  settings: Settings | null;
  error: { code: SessionErrorCode; detail: string } | null;
  /** Set when the login went through the twin because the chosen centre did not answer. */
  loginVia: { via: string; unreachable: string[] } | null;
}

const initialState: SessionState = { phase: 'booting', account: null, settings: null, error: null, loginVia: null };

export const sessionSlice = createSlice({
  name: 'session',
  initialState,
  reducers: {
    settingsLoaded(state, action: PayloadAction<Settings>) {
      state.settings = action.payload;
    },
    signInStarted(state) {
      state.phase = 'signingIn';
      state.error = null;
    },
    signedIn(state, action: PayloadAction<{ account: Account; loginVia?: SessionState['loginVia'] }>) {
      state.phase = 'signedIn';
      state.account = action.payload.account;
      state.loginVia = action.payload.loginVia ?? null;
      state.error = null;
    },
    signedOut(state, action: PayloadAction<SessionState['error'] | undefined>) {
      state.phase = 'signedOut';
      state.account = null;
      state.loginVia = null;
      state.error = action.payload ?? null;
    },
    loginViaDismissed(state) {
      state.loginVia = null;
    },
  },
});

export const { settingsLoaded, signInStarted, signedIn, signedOut, loginViaDismissed } = sessionSlice.actions;
