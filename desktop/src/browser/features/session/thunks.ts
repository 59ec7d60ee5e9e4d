// Start-up, sign-in, resuming a stored session and signing out.
import { BoardConnection } from '@twinline/board-client';
import { docsFor } from '@twinline/board';
import type { Principal } from '@twinline/board';
import type { AppThunk } from '../../app/store';
import { i18n } from '../../i18n';
import { boardCleared, clockTicked, ordersChanged, slaWarmed } from '../board/boardSlice';
import { OrderIngest } from '../board/ingest';
import { slaKey, warmSla } from '../board/sla';
import { createBridgeCache } from '../connection/boardCache';
import {
  cacheRecovered,
  connectionChanged,
  sessionConnected,
  sessionDisconnected,
  writeRefused,
} from '../connection/connectionSlice';
import { restoreDraft } from '../drafts/thunks';
import { PresenceHub } from '../presence/hub';
import { presenceChanged, presenceCleared } from '../presence/presenceSlice';
import { LoginError, SESSION_SECRET_KEY, StoredSessionSchema, login, orderCentres } from './login';
import type { StoredSession } from './login';
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

/** Opens the board with a token: the connection validates it (a 4401 close returns to the login). */
export const startSession =
  (stored: StoredSession, loginVia: { via: string; unreachable: string[] } | null = null): AppThunk =>
  (dispatch, getState, rt) => {
    const settings = getState().session.settings;
    if (!settings) return;
    rt.session?.stop();
    const account = stored.account;
    const principal: Principal = { userId: account.userId, role: account.role, centre: account.centre };
    if (account.stationId) principal.stationId = account.stationId;
    if (account.city) principal.city = account.city;
    const home = settings.centres.some((c) => c.name === stored.home) ? stored.home : settings.homeCentre;
    const conn = new BoardConnection({
      centres: orderCentres(settings.centres, home).map((c) => ({ name: c.name, url: c.url })),
      token: stored.token,
      docs: docsFor(principal),
      cache: createBridgeCache(rt.bridge, {
        onSkipped: (doc, bytes) => console.warn(`update of ${bytes} bytes for ${doc} is too large for the cache`),
      }),
    });
    const docs = new Map(conn.documents.map((name) => [name, conn.doc(name)]));
    let cancelWarm: (() => void) | null = null;
    const ingest = new OrderIngest({
      docs,
      emit: (batch) => {
        // A handful of changed orders: compute their SLA keys now so they sort right at once. A large batch (first
        // sync) is sorted progressively by the background warm-up instead.
        if (batch.upserts.length <= 300) for (const e of batch.upserts) slaKey(e.order);
        rt.orders.apply(batch);
        dispatch(ordersChanged(rt.orders.version));
        if (batch.upserts.length > 300) {
          const orders = batch.upserts.map((e) => e.order);
          const previous = cancelWarm;
          cancelWarm = warmSla(orders, () => {
            rt.orders.resort();
            dispatch(slaWarmed());
          });
          if (previous) {
            // Both batches still need their keys: keep the old one going too.
            const mine = cancelWarm;
            cancelWarm = () => {
              previous();
              mine();
            };
          }
        }
      },
    });
    const presence = new PresenceHub(conn, { id: account.userId, name: account.displayName }, (byOrder) =>
      dispatch(presenceChanged(byOrder)),
    );
    const offState = conn.onState((s) => {
      dispatch(connectionChanged({ ...s }));
      if (s.status === 'offline' && s.lastError?.code === 4401) dispatch(signOut('expired'));
    });
    const offEvent = conn.onEvent((e) => {
      if (e.type === 'write-refused') dispatch(writeRefused({ doc: e.doc, reason: e.reason, at: e.at }));
    });
    const clock = setInterval(() => dispatch(clockTicked(Date.now())), 15_000);
    rt.session = {
      account,
      conn,
      ingest,
      presence,
      stop: () => {
        clearInterval(clock);
        offState();
        offEvent();
        cancelWarm?.();
        ingest.stop();
        presence.destroy();
        void conn.destroy();
      },
    };
    dispatch(sessionConnected({ home }));
    dispatch(connectionChanged({ ...conn.getState() }));
    dispatch(signedIn({ account, loginVia }));
  };

export const signOut =
  (reason?: 'expired'): AppThunk<Promise<void>> =>
  async (dispatch, _getState, rt) => {
    rt.session?.stop();
    rt.session = null;
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
    rt.session?.conn.switchTo(name);
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
