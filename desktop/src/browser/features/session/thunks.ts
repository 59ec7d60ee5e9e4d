// Start-up, sign-in, resuming a stored session and signing out.
import { docsFor } from '@twinline/board/access';
import type { Principal } from '@twinline/board';
import type { AppThunk } from '../../app/store';
import { i18n } from '../../i18n';
import { boardCleared, clockTicked, ordersChanged, rosterChanged } from '../board/boardSlice';
import { startBoardWorker } from '../../board-worker/client';
import { followAgentCentre, setAgentState, startPhone, stopPhone } from '../phone/thunks';
import {
  customersProgressed,
  cacheRecovered,
  connectionChanged,
  sessionConnected,
  sessionDisconnected,
  writeRefused,
} from '../connection/connectionSlice';
import { restoreDraft } from '../drafts/thunks';
import { presenceChanged, presenceCleared } from '../presence/presenceSlice';
import { LoginError, SESSION_SECRET_KEY, StoredSessionSchema, login, orderCentres } from './login';
import type { StoredSession } from './login';
import { validRows } from '../board/rows';
import type { BoardRow } from '../board/types';
import { settingsLoaded, signInStarted, signedIn, signedOut } from './sessionSlice';
import type { Language } from '../../i18n';

/** Loads settings, the cache status and a stored draft, then resumes a stored session or shows the login. */
export const boot = (): AppThunk<Promise<void>> => async (dispatch, _getState, rt) => {
  if (rt.booted) return;
  rt.booted = true;
  let stored: StoredSession | null = null;
  try {
    const [settings, status, secret] = await Promise.all([
      rt.bridge.call('settings.get'),
      rt.bridge.call('cache.status'),
      rt.bridge.call('secrets.get', { key: SESSION_SECRET_KEY }),
    ]);
    dispatch(settingsLoaded(settings));
    await i18n.changeLanguage(settings.language);
    if (status.recoveredFrom) {
      dispatch(cacheRecovered({ from: status.recoveredFrom, reason: status.recoveryReason ?? null }));
    }
    if (secret.value) {
      try {
        const parsed = StoredSessionSchema.safeParse(JSON.parse(secret.value));
        if (parsed.success) stored = parsed.data;
      } catch {
        stored = null;
      }
    }
  } catch (error) {
    dispatch(signedOut({ code: 'host', detail: error instanceof Error ? error.message : String(error) }));
    return;
  }
  if (stored) {
    dispatch(startSession(stored));
  } else {
    dispatch(signedOut());
  }
  await dispatch(restoreDraft());
};

export const signIn =
  (input: { username: string; password: string; centre: string }): AppThunk<Promise<void>> =>
  async (dispatch, getState, rt) => {
    const settings = getState().session.settings;
    if (!settings) return;
    dispatch(signInStarted());
    try {
      const result = await login(settings.centres, input.centre, {
        username: input.username.trim(),
        password: input.password,
      });
      const stored: StoredSession = {
        token: result.token,
        account: result.account,
        home: input.centre,
        via: result.via,
      };
      await rt.bridge.call('secrets.set', { key: SESSION_SECRET_KEY, value: JSON.stringify(stored) });
      dispatch(
        startSession(
          stored,
          result.unreachable.length > 0 ? { via: result.via, unreachable: result.unreachable } : null,
        ),
      );
    } catch (error) {
      if (error instanceof LoginError) dispatch(signedOut({ code: error.code, detail: error.message }));
      else dispatch(signedOut({ code: 'host', detail: error instanceof Error ? error.message : String(error) }));
    }
  };

/** Runs `fn` when the window is idle (or after a second at the latest). */
function whenIdle(fn: () => void): void {
  const w = globalThis as { requestIdleCallback?: (cb: () => void, o: { timeout: number }) => void };
  if (w.requestIdleCallback) w.requestIdleCallback(fn, { timeout: 1000 });
  else setTimeout(fn, 200);
}

/** Opens the board with a token: the connection validates it (a 4401 close returns to the login). */
export const startSession =
  (stored: StoredSession, loginVia: { via: string; unreachable: string[] } | null = null): AppThunk =>
  (dispatch, getState, rt) => {
    const settings = getState().session.settings;
    if (!settings) return;
    void rt.session?.stop();
    const account = stored.account;
    const principal: Principal = { userId: account.userId, role: account.role, centre: account.centre };
    if (account.stationId) principal.stationId = account.stationId;
    if (account.city) principal.city = account.city;
    const home = settings.centres.some((c) => c.name === stored.home) ? stored.home : settings.homeCentre;
    // The worker sends a big change (the cache, a first sync) in slices; the slices that arrived together are
    // applied together, so the index sorts and the board renders once, not once per slice.
    let queued: { upserts: BoardRow[]; removed: string[] }[] = [];
    /** Rows shown from the host's snapshot that the worker has not confirmed yet. */
    const provisional = new Set<string>();
    const applyQueued = () => {
      const batches = queued;
      queued = [];
      const upserts = batches.flatMap((b) => b.upserts);
      for (const r of upserts) provisional.delete(r.id);
      rt.orders.apply({ upserts, removed: batches.flatMap((b) => b.removed) });
      dispatch(ordersChanged(rt.orders.version));
    };
    const board = startBoardWorker(rt.bridge, {
      orders(batch) {
        if (queued.length === 0) setTimeout(applyQueued, 0);
        queued.push(batch);
      },
      loaded() {
        // Everything the cached documents hold has been sent: a snapshot row not among it left the board meanwhile.
        applyQueued();
        if (provisional.size === 0) return;
        const gone = [...provisional];
        provisional.clear();
        rt.orders.apply({ upserts: [], removed: gone });
        dispatch(ordersChanged(rt.orders.version));
      },
      reloading({ doc }) {
        // Its rows stand until the worker has sent the document again; those it does not send are gone then.
        applyQueued();
        for (const r of rt.orders.values()) if (r.doc === doc) provisional.add(r.id);
      },
      customers: (p) => dispatch(customersProgressed(p)),
      state(s) {
        dispatch(connectionChanged({ ...s }));
        dispatch(followAgentCentre());
        if (s.status === 'offline' && s.lastError?.code === 4401) void dispatch(signOut('expired'));
      },
      event(e) {
        if (e.type === 'write-refused') dispatch(writeRefused({ doc: e.doc, reason: e.reason, at: e.at }));
      },
      presence: (byOrder) => dispatch(presenceChanged(byOrder)),
      roster: () => dispatch(rosterChanged()),
    });
    // The last rows this console saw, at once, while the worker loads the documents themselves.
    const docs = docsFor(principal);
    const snapshot = rt.snapshotRows(docs).then(
      (stored) => {
        if (rt.session?.board !== board) return;
        const { rows, dropped } = validRows(stored);
        if (dropped > 0)
          console.warn(`${dropped} cached board rows did not fit the schema; the documents bring them back`);
        const fresh = rows.filter((r) => !rt.orders.get(r.id));
        for (const r of fresh) provisional.add(r.id);
        rt.orders.apply({ upserts: fresh, removed: [] });
        dispatch(ordersChanged(rt.orders.version));
      },
      (error: unknown) => console.warn('the board snapshot could not be read; waiting for the documents', error),
    );
    // The documents load after the snapshot: the host serves the snapshot first, not nine documents at once with it.
    void snapshot.finally(() => {
      if (rt.session?.board !== board) return;
      void board.call('start', {
        centres: orderCentres(settings.centres, home).map((c) => ({ name: c.name, url: c.url })),
        token: stored.token,
        docs,
        account,
        http: Object.fromEntries(settings.centres.map((c) => [c.name, c.http])),
      });
    });
    const clock = setInterval(() => dispatch(clockTicked(Date.now())), 15_000);
    rt.session = {
      account,
      stored,
      board,
      stop: async () => {
        clearInterval(clock);
        // The worker writes what it has not cached yet before it goes.
        await board.call('stop', undefined).catch(() => undefined);
        board.terminate();
      },
    };
    dispatch(sessionConnected({ home }));
    dispatch(signedIn({ account, loginVia }));
    // The phone (sip.js, media devices, the agent-state stream) starts once the board is on screen and the window
    // is idle: a cold start shows the board first.
    void snapshot.finally(() =>
      whenIdle(() => {
        if (rt.session?.board === board) void dispatch(startPhone());
      }),
    );
  };

export const signOut =
  (reason?: 'expired'): AppThunk<Promise<void>> =>
  async (dispatch, getState, rt) => {
    // An agent who signs out takes no more calls: the centre is told before the phone goes.
    if (rt.phone && getState().session.account?.role === 'agent' && reason === undefined) {
      await dispatch(setAgentState('signed_out'));
    }
    await dispatch(stopPhone());
    const session = rt.session;
    rt.session = null;
    await session?.stop();
    rt.orders.clear();
    dispatch(boardCleared(rt.orders.version));
    dispatch(presenceCleared());
    dispatch(sessionDisconnected());
    dispatch(signedOut(reason ? { code: 'expired', detail: '' } : undefined));
    await rt.bridge.call('secrets.delete', { key: SESSION_SECRET_KEY }).catch(() => undefined);
  };

export const switchCentre =
  (name: string): AppThunk =>
  (_dispatch, _getState, rt) => {
    void rt.session?.board.call('switchTo', { name });
  };

export const setLanguage =
  (language: Language): AppThunk<Promise<void>> =>
  async (dispatch, _getState, rt) => {
    await i18n.changeLanguage(language);
    try {
      dispatch(settingsLoaded(await rt.bridge.call('settings.set', { language })));
    } catch {
      // the choice still applies to this window; it just is not remembered
    }
  };
