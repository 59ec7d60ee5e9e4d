// The softphone's life in a session and the agent's state at the centre. The phone itself (sip.js, WebRTC) runs
// in the window, which owns the audio; its state goes to the store as plain data. The agent's state is the centre's:
// the console asks for changes (POST /api/agent/state) and shows what the centre's event stream says.
import { z } from 'zod';
import type { AppThunk } from '../../app/store';
import { CentreApiError, centreJson } from '../session/centreApi';
import { settingsLoaded } from '../session/sessionSlice';
import { AgentStateViewSchema, carriedState } from './agentState';
import type { AgentStateView, PickableReason, WrapUpCode } from './agentState';
import {
  agentChanged,
  agentHandedOver,
  agentLinkChanged,
  agentRefused,
  cardShown,
  phoneChanged,
  phoneFailed,
  phoneStarted,
  phoneStopped,
  wrapUpOwed,
} from './phoneSlice';

/** Roles that take calls (they get SIP credentials). */
export const PHONE_ROLES = ['agent', 'team_lead'] as const;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The centre the console talks to now (the one its board is on), how to reach the centres, and the centre that keeps
 * this agent's state: the one whose SIP server the phone is registered with (calls for the agent are routed there),
 * else the board's.
 */
const where: AppThunk<
  {
    centres: { name: string; url: string; http: string }[];
    first: string;
    agentCentre: string;
    token: string;
  } | null
> = (_dispatch, getState, rt) => {
  const s = getState();
  const settings = s.session.settings;
  if (!settings || !rt.session) return null;
  const first = s.connection.centre ?? rt.session.stored.home;
  const phone = s.phone.phone;
  return {
    centres: settings.centres,
    first,
    agentCentre: (phone?.registration === 'registered' && phone.server?.centre) || first,
    token: rt.session.stored.token,
  };
};

/** Starts the softphone and the agent-state stream for this session (agents and team leads only). */
export const startPhone = (): AppThunk<Promise<void>> => async (dispatch, getState, rt) => {
  const account = getState().session.account;
  if (!account || !(PHONE_ROLES as readonly string[]).includes(account.role) || rt.phone) return;
  const getCredentials = async () => {
    const at = dispatch(where);
    if (!at) throw new Error('not signed in');
    const { value } = await centreJson(at.centres, at.first, at.token, '/api/sip/credentials', z.unknown(), {
      method: 'POST',
      body: {},
    });
    return value;
  };
  // sip.js is loaded when the phone starts, not with the board (a cold start shows the board first).
  const { Softphone } = await import('@twinline/softphone');
  if (rt.phone || !rt.session) return;
  const phone = new Softphone({ getCredentials });
  rt.phone = phone;
  const offs = [
    phone.subscribe((s) => {
      dispatch(phoneChanged(s));
      dispatch(followAgentCentre());
    }),
    phone.on('incoming', (call) => {
      dispatch(cardShown(call.id));
      // The desktop notification waits a moment: the caller lookup for the card goes to the host first.
      setTimeout(() => {
        void rt.bridge
          .call('notify', { title: `来电 Incoming call ${call.remote}`, body: call.info.group ?? call.dialled })
          .catch(() => undefined);
      }, 100);
    }),
    phone.on('ended', (call) => {
      // Every call owes a wrap-up: a hotline call the agent answered (the centre that routed it keeps it), and every
      // call the agent made (a callback, a number typed in), which the centre records with the wrap-up.
      const centre = dispatch(where)?.agentCentre;
      if (!centre) return;
      const endedAt = call.endedAt ?? Date.now();
      if (call.direction === 'inbound' && call.answeredAt !== null)
        dispatch(wrapUpOwed({ callId: call.sipCallId, remote: call.remote, endedAt, centre }));
      if (call.direction === 'outbound')
        dispatch(
          wrapUpOwed({
            callId: call.sipCallId,
            remote: call.remote,
            endedAt,
            centre,
            outbound: { remote: call.remote, startedAt: call.startedAt, answeredAt: call.answeredAt, endedAt },
          }),
        );
    }),
  ];
  rt.phoneStop = () => offs.forEach((off) => off());
  // The devices this user chose last time (one unplugged since falls back to the default, and says so).
  const audio = getState().session.settings?.audio;
  if (audio?.microphone) await phone.setMicrophone(audio.microphone).catch(() => undefined);
  if (audio?.speaker) await phone.setSpeaker(audio.speaker).catch(() => undefined);
  if (audio?.ringer) await phone.setRinger(audio.ringer).catch(() => undefined);
  dispatch(phoneStarted());
  dispatch(phoneChanged(phone.state));
  dispatch(connectAgentEvents());
  try {
    await phone.connect(await getCredentials());
  } catch (error) {
    // A centre without a SIP server answers 404: say that in words, not as a route.
    dispatch(phoneFailed(error instanceof CentreApiError && error.status === 404 ? 'no_sip_server' : message(error)));
  }
};

export const stopPhone = (): AppThunk<Promise<void>> => async (dispatch, _getState, rt) => {
  rt.agentEvents?.close();
  rt.agentEvents = null;
  rt.phoneStop?.();
  rt.phoneStop = null;
  const phone = rt.phone;
  rt.phone = null;
  dispatch(phoneStopped());
  await phone?.disconnect().catch(() => undefined);
};

/**
 * Follows the agent's state at the centre that keeps it (Server-Sent Events; EventSource reconnects by itself after a
 * drop, and is moved when the phone moves to the twin's SIP server).
 */
export const connectAgentEvents = (): AppThunk => (dispatch, _getState, rt) => {
  const at = dispatch(where);
  if (!at) return;
  const centre = at.centres.find((c) => c.name === at.agentCentre) ?? at.centres[0];
  if (!centre) return;
  rt.agentEvents?.close();
  const url = `${centre.http.replace(/\/$/, '')}/api/agent/events?token=${encodeURIComponent(at.token)}`;
  const events = new EventSource(url);
  rt.agentEvents = events;
  rt.agentEventsCentre = centre.name;
  dispatch(agentLinkChanged('connecting'));
  events.addEventListener('open', () => dispatch(agentLinkChanged('connected')));
  events.addEventListener('error', () => dispatch(agentLinkChanged('down')));
  events.addEventListener('state', (e) => {
    try {
      const parsed = AgentStateViewSchema.safeParse(JSON.parse((e as MessageEvent<string>).data));
      if (parsed.success && parsed.data.centre === rt.agentEventsCentre) dispatch(agentChanged(parsed.data));
    } catch {
      // not JSON: ignore this event, the next one carries the whole state again
    }
  });
};

/**
 * The phone or the board moved: follow the agent's state at the centre that keeps it now. When the phone moved to
 * another centre's SIP server, the state the agent chose goes with it (see `handOver`).
 */
export const followAgentCentre = (): AppThunk => (dispatch, getState, rt) => {
  const at = dispatch(where);
  if (!at || !rt.agentEvents || rt.agentEventsCentre === at.agentCentre) return;
  const from = rt.agentEventsCentre;
  const last = getState().phone.agent;
  const phone = getState().phone.phone;
  dispatch(connectAgentEvents());
  if (from && last?.centre === from && phone?.registration === 'registered')
    void dispatch(handOver(from, at.agentCentre, last));
};

/**
 * Carries the agent's chosen state from the centre it was kept at to the one whose SIP server the phone now uses, and
 * signs the agent out at the old one when it can be reached (else the old centre's next offer fails at its SIP server
 * and marks the agent missed there, which is harmless: the agent is not there). Going ready needs the new centre to
 * have heard of the phone's registration, which may come a moment after the phone's own 200: 409 is retried briefly.
 */
export const handOver =
  (from: string, to: string, last: AgentStateView): AppThunk<Promise<void>> =>
  async (dispatch, _getState, rt) => {
    const wanted = carriedState(last);
    const at = dispatch(where);
    if (!at || !wanted) return;
    const body = wanted.state === 'not_ready' ? wanted : { state: wanted.state };
    for (let attempt = 0; ; attempt++) {
      try {
        const { value } = await centreJson(at.centres, to, at.token, '/api/agent/state', AgentStateViewSchema, {
          body,
          only: true,
        });
        if (rt.agentEventsCentre === to) dispatch(agentChanged(value));
        dispatch(agentHandedOver({ from, to, at: Date.now() }));
        break;
      } catch (error) {
        if (error instanceof CentreApiError && error.status === 409 && attempt < 20) {
          await new Promise((r) => setTimeout(r, 250));
          continue;
        }
        dispatch(agentRefused(error instanceof CentreApiError ? error.message : message(error)));
        return;
      }
    }
    await centreJson(at.centres, from, at.token, '/api/agent/state', z.unknown(), {
      body: { state: 'signed_out' },
      only: true,
      timeoutMs: 2000,
    }).catch(() => undefined);
  };

/** Asks the centre to change this agent's state (ready, not ready with a reason, signed out). */
export const setAgentState =
  (state: 'ready' | 'not_ready' | 'signed_out', reason?: PickableReason): AppThunk<Promise<void>> =>
  async (dispatch) => {
    const at = dispatch(where);
    if (!at) return;
    try {
      const { value } = await centreJson(
        at.centres,
        at.agentCentre,
        at.token,
        '/api/agent/state',
        AgentStateViewSchema,
        {
          body: reason ? { state, reason } : { state },
          only: true,
        },
      );
      dispatch(agentChanged(value));
    } catch (error) {
      dispatch(agentRefused(error instanceof CentreApiError ? error.message : message(error)));
    }
  };

export const submitWrapUp =
  (code: WrapUpCode, note: string): AppThunk<Promise<boolean>> =>
  async (dispatch, getState) => {
    const owed = getState().phone.wrapUp;
    const at = dispatch(where);
    if (!owed || !at) return false;
    try {
      // The call is recorded at the centre that routed it.
      await centreJson(at.centres, owed.centre, at.token, '/api/agent/wrapup', z.unknown(), {
        body: { callId: owed.callId, code, note, ...(owed.outbound ? { outbound: owed.outbound } : {}) },
        only: true,
      });
      dispatch(wrapUpOwed(null));
      // The call is done with: its card goes (unless another call is showing there now).
      if (getState().phone.phone?.calls.find((c) => c.id === getState().phone.cardCallId)?.status !== 'ringing') {
        dispatch(cardShown(null));
      }
      return true;
    } catch (error) {
      dispatch(agentRefused(message(error)));
      return false;
    }
  };

type CallOp = 'answer' | 'reject' | 'hangup' | 'hold' | 'resume';

/** One step on a call; a failure is shown on the phone bar, never thrown at the UI. */
export const callStep =
  (op: CallOp, callId: string): AppThunk<Promise<void>> =>
  async (dispatch, _getState, rt) => {
    const phone = rt.phone;
    if (!phone) return;
    try {
      if (op === 'answer') {
        await phone.answer(callId);
        dispatch(cardShown(callId));
      } else if (op === 'reject') await phone.reject(callId);
      else if (op === 'hangup') await phone.hangup(callId);
      else if (op === 'hold') await phone.hold(callId);
      else await phone.resume(callId);
    } catch (error) {
      dispatch(agentRefused(message(error)));
    }
  };

export const toggleMute =
  (callId: string): AppThunk =>
  (_dispatch, getState, rt) => {
    const call = getState().phone.phone?.calls.find((c) => c.id === callId);
    if (call) rt.phone?.mute(callId, !call.muted);
  };

export const sendDigits =
  (callId: string, tones: string): AppThunk<Promise<void>> =>
  async (dispatch, _getState, rt) => {
    try {
      await rt.phone?.sendDtmf(callId, tones);
    } catch (error) {
      dispatch(agentRefused(message(error)));
    }
  };

/** Blind transfer to an agent's account, a skill group's number or the twin centre. */
export const transferCall =
  (
    callId: string,
    target: { kind: 'agent' | 'number'; value: string } | { kind: 'twin'; digit?: string },
  ): AppThunk<Promise<void>> =>
  async (dispatch, _getState, rt) => {
    const phone = rt.phone;
    if (!phone) return;
    try {
      if (target.kind === 'twin') await phone.transferToTwin(callId, target.digit);
      else await phone.transfer(callId, target.value);
    } catch (error) {
      dispatch(agentRefused(message(error)));
    }
  };

/** An outbound call (a callback from an order, or a number typed in). */
export const dial =
  (number: string): AppThunk<Promise<string | null>> =>
  async (dispatch, _getState, rt) => {
    const phone = rt.phone;
    if (!phone) return null;
    try {
      const id = await phone.dial(number);
      dispatch(cardShown(id));
      return id;
    } catch (error) {
      dispatch(agentRefused(message(error)));
      return null;
    }
  };

/** Chooses an audio device (at once, during a call too) and keeps the choice in the console's settings. */
export const chooseDevice =
  (kind: 'microphone' | 'speaker' | 'ringer', deviceId: string): AppThunk<Promise<void>> =>
  async (dispatch, getState, rt) => {
    const phone = rt.phone;
    if (!phone) return;
    try {
      const id = deviceId || null;
      if (kind === 'microphone') await phone.setMicrophone(id);
      else if (kind === 'speaker') await phone.setSpeaker(id);
      else await phone.setRinger(id);
      const audio = { ...getState().session.settings?.audio };
      if (id) audio[kind] = id;
      else delete audio[kind];
      dispatch(settingsLoaded(await rt.bridge.call('settings.set', { audio })));
    } catch (error) {
      dispatch(agentRefused(message(error)));
    }
  };
