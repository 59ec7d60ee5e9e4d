// The softphone and the agent's state as the console shows them: the phone's own state (plain data from
// @twinline/softphone), the state the centre keeps for this agent, the caller card of the current call, and the
// wrap-up owed for a finished call.
import { createSlice } from '@reduxjs/toolkit';
import type { PayloadAction } from '@reduxjs/toolkit';
import type { SoftphoneState } from '@twinline/softphone';
import type { AgentStateView } from './agentState';

export interface PhoneState {
  /** The phone has been started for this session (agents and team leads). */
  enabled: boolean;
  phone: SoftphoneState | null;
  /** Why the phone could not start (no credentials, no SIP server), in words. */
  startError: string | null;
  agent: AgentStateView | null;
  /** The agent-state stream: connected to a centre, or not (then the state shown may be old). */
  agentLink: 'connected' | 'connecting' | 'down';
  /** The last refusal of a state change or wrap-up, in the centre's words. */
  agentError: string | null;
  /** A finished call this agent still owes a wrap-up code for, and the centre that routed (and records) it. */
  wrapUp: {
    callId: string;
    remote: string;
    endedAt: number;
    centre: string;
    /** A call the agent made: what the centre records it with. */
    outbound?: { remote: string; startedAt: number; answeredAt: number | null; endedAt: number };
  } | null;
  /** The agent's state was carried to another centre when the phone moved there (shown until the next change). */
  handedOver: { from: string; to: string; at: number } | null;
  /** The call whose caller card is shown (ringing or active). */
  cardCallId: string | null;
  dialpadOpen: boolean;
  devicesOpen: boolean;
}

const initialState: PhoneState = {
  enabled: false,
  phone: null,
  startError: null,
  agent: null,
  agentLink: 'down',
  agentError: null,
  wrapUp: null,
  handedOver: null,
  cardCallId: null,
  dialpadOpen: false,
  devicesOpen: false,
};

export const phoneSlice = createSlice({
  name: 'phone',
  initialState,
  reducers: {
    phoneStarted(state) {
      state.enabled = true;
      state.startError = null;
    },
    phoneFailed(state, action: PayloadAction<string>) {
      state.startError = action.payload;
    },
    phoneChanged(state, action: PayloadAction<SoftphoneState>) {
      state.phone = action.payload;
      const card = state.cardCallId;
      if (card && !action.payload.calls.some((c) => c.id === card && c.status !== 'ended')) {
        // The card stays for the wrap-up of an ended call only while no other call rings.
        const ringing = action.payload.calls.find((c) => c.status === 'ringing');
        if (ringing) state.cardCallId = ringing.id;
      }
    },
    cardShown(state, action: PayloadAction<string | null>) {
      state.cardCallId = action.payload;
    },
    agentChanged(state, action: PayloadAction<AgentStateView>) {
      state.agent = action.payload;
      state.agentError = null;
    },
    agentHandedOver(state, action: PayloadAction<PhoneState['handedOver']>) {
      state.handedOver = action.payload;
    },
    agentLinkChanged(state, action: PayloadAction<PhoneState['agentLink']>) {
      state.agentLink = action.payload;
    },
    agentRefused(state, action: PayloadAction<string | null>) {
      state.agentError = action.payload;
    },
    wrapUpOwed(state, action: PayloadAction<PhoneState['wrapUp']>) {
      state.wrapUp = action.payload;
    },
    dialpadToggled(state, action: PayloadAction<boolean | undefined>) {
      state.dialpadOpen = action.payload ?? !state.dialpadOpen;
    },
    devicesToggled(state, action: PayloadAction<boolean | undefined>) {
      state.devicesOpen = action.payload ?? !state.devicesOpen;
    },
    phoneStopped() {
      return initialState;
    },
  },
});

export const {
  phoneStarted,
  phoneFailed,
  phoneChanged,
  cardShown,
  agentChanged,
  agentHandedOver,
  agentLinkChanged,
  agentRefused,
  wrapUpOwed,
  dialpadToggled,
  devicesToggled,
  phoneStopped,
} = phoneSlice.actions;
