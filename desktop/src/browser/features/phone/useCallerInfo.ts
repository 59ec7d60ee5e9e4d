// The screen-pop for a ringing call: who is calling (the console's customer cache first, then the centre), their
// open and recent orders on the board, and active notices for their address. Looked up once per number.
//
// Fast path (the target is the customer on the card within 100 ms of the INVITE): the lookup starts as the softphone
// says a call rings (useEarlyCallerLookup, before the card has rendered), the card takes that lookup, shows the
// customers as soon as they are known, and the board's orders and notices for them (a pass over every row) after.
import { useEffect, useState } from 'react';
import { useStore } from 'react-redux';
import { useAppSelector, useRuntime } from '../../app/hooks';
import type { Runtime } from '../../app/runtime';
import type { RootState } from '../../app/store';
import { lookupCaller, popDetails } from '../../customers/screenPop';
import type { CallerLookup, LookupDeps, ScreenPop } from '../../customers/screenPop';

const NOTHING: ScreenPop = {
  raw: '',
  phone: null,
  customers: [],
  source: 'none',
  orders: { open: [], recent: [] },
  notices: [],
};

/** What a lookup needs: the bridge, the centre the console is on (with the login token), the user's city. */
function lookupDeps(
  rt: Runtime,
  settings: RootState['session']['settings'],
  centre: string | null | undefined,
  city: string | undefined,
): LookupDeps {
  const token = rt.session?.stored.token;
  const at = settings?.centres.find((c) => c.name === centre);
  return {
    bridge: rt.bridge,
    centre: () => (at && token ? { name: at.name, http: at.http, token } : null),
    ...(city ? { cities: [city] } : {}),
  };
}

/** Lookups started as a call rang, each taken once by the card showing that number (or dropped after EARLY_MS). */
const early = new Map<string, { at: number; lookup: Promise<CallerLookup> }>();
const EARLY_MS = 5000;

function takeEarly(number: string): Promise<CallerLookup> | null {
  const e = early.get(number);
  early.delete(number);
  return e && Date.now() - e.at < EARLY_MS ? e.lookup : null;
}

/**
 * Starts the caller lookup of every incoming call as the softphone reports it, so the host answers while the card
 * renders. Mount once, where the card lives.
 */
export function useEarlyCallerLookup(): void {
  const rt = useRuntime();
  const store = useStore<RootState>();
  const phoneOn = useAppSelector((s) => s.phone.enabled);
  useEffect(() => {
    if (!phoneOn || !rt.phone) return;
    return rt.phone.on('incoming', (call) => {
      if (call.direction !== 'inbound') return;
      const s = store.getState();
      const deps = lookupDeps(rt, s.session.settings, s.connection.centre, s.session.account?.city);
      const now = Date.now();
      for (const [n, e] of early) if (now - e.at >= EARLY_MS) early.delete(n);
      early.set(call.remote, { at: now, lookup: lookupCaller(deps, call.remote) });
    });
  }, [rt, store, phoneOn]);
}

/** Resolves once the next frame is painted, or after 100 ms in a hidden window (which paints no frames). */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 100);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 0),
    );
  });
}

export function useCallerInfo(number: string | null): ScreenPop & { loading: boolean } {
  const rt = useRuntime();
  const settings = useAppSelector((s) => s.session.settings);
  const centre = useAppSelector((s) => s.connection.centre);
  const city = useAppSelector((s) => s.session.account?.city);
  const [found, setFound] = useState<{ number: string; who: CallerLookup } | null>(null);
  const [details, setDetails] = useState<{ who: CallerLookup; pop: ScreenPop } | null>(null);
  useEffect(() => {
    if (!number) return;
    let live = true;
    void (takeEarly(number) ?? lookupCaller(lookupDeps(rt, settings, centre, city), number)).then(
      (who) => live && setFound({ number, who }),
    );
    return () => {
      live = false;
    };
  }, [rt, number, settings, centre, city]);
  // Who is calling is shown first; their orders and notices (a pass over the board) once that is painted.
  useEffect(() => {
    if (!found) return;
    let live = true;
    void afterPaint()
      .then(() => popDetails({ rows: () => rt.orders.values() }, found.who))
      .then((pop) => live && setDetails({ who: found.who, pop }));
    return () => {
      live = false;
    };
  }, [rt, found]);
  if (!number) return { ...NOTHING, loading: false };
  if (!found || found.number !== number) return { ...NOTHING, raw: number, loading: true };
  if (details?.who === found.who) return { ...details.pop, loading: false };
  return { ...found.who, orders: NOTHING.orders, notices: [], loading: false };
}
